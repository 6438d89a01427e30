"""Benchmark: requests/s of the home, statement and help pages against a bare Flask app.

Both run under gunicorn with the same settings (the repository's gunicorn.conf.py, the
same environment) in the same run, loaded from 127.0.0.1, for each worker count asked
for. The site gets a fresh migrated SQLite database, as gunicorn's start-up checks require
one. Prints each rate and its ratio to the hello app with the same workers (targets:
statement >= 60%, help form >= 30%). The help page is the empty form as a first visit
gets it (a new CSRF session each time).

The load comes from ``wrk -t2 -c20 -d8s`` when wrk is installed (apt-get install wrk),
else from the small Python generator in bench/loadgen.py (figures comparable only within
one run).

    python bench/pages.py [--workers 2] [--workers 4] [--seconds 8] [--connections 20]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import LoadResult, run_load, run_wrk, wrk_installed
from devtools.server import gunicorn, migrated_sqlite

PAGES = (
    ("home /be/", "/be/"),
    ("statement", "/en/statements/2020-08-suspension"),
    ("help form /ru/help/", "/ru/help/"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, action="append", help="repeat for several")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=20, help="wrk -c (wrk only)")
    parser.add_argument("--concurrency", type=int, default=4, help="without wrk: clients")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    args = parser.parse_args()
    use_wrk = wrk_installed() and not args.python_load
    if use_wrk:
        print(f"load: wrk -t2 -c{args.connections} -d{round(args.seconds)}s")
    else:
        print(f"load: bench/loadgen.py, {args.concurrency} clients, {args.seconds}s (no wrk)")

    def load(port: int, path: str, seconds: float) -> LoadResult:
        if use_wrk:
            return run_wrk("127.0.0.1", port, path, seconds, args.connections)
        return run_load("127.0.0.1", port, path, seconds, args.concurrency)

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "CAMPAIGN_DATABASE_URL": migrated_sqlite(Path(tmp)),
            "CAMPAIGN_SECRET_KEY": secrets.token_hex(32),  # gunicorn refuses the dev key
        }
        for workers in args.workers or [2]:
            print(f"\ngunicorn sync workers={workers}")
            with gunicorn("bench.hello:app", workers, env) as (port, _):
                load(port, "/", 1.0)  # warm-up
                hello = load(port, "/", args.seconds)
            hello_p50 = hello.percentile(50)
            print(f"{'hello (bare Flask)':<24}{hello.rate:9.0f} req/s  p50 {hello_p50:6.2f} ms")
            with gunicorn("wsgi:app", workers, env, probe="/be/") as (port, _):
                for label, path in PAGES:
                    load(port, path, 1.0)  # warm-up
                    result = load(port, path, args.seconds)
                    ratio = result.rate / hello.rate if hello.rate else 0.0
                    print(
                        f"{label:<24}{result.rate:9.0f} req/s  p50 {result.percentile(50):6.2f} ms"
                        f"  ratio {ratio:6.1%}  errors {result.errors}"
                    )


if __name__ == "__main__":
    main()
