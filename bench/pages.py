"""Benchmark: requests/s of the home, statement and help pages against a bare Flask app.

Both run under gunicorn with the same settings (the repository's gunicorn.conf.py, the
same environment) in the same run, loaded from 127.0.0.1. The site gets a fresh migrated
SQLite database, as gunicorn's start-up checks require one. Prints each rate and its ratio
to the hello app (targets: statement >= 60%, help form >= 30%). The help page is the
empty form as a first visit gets it (a new CSRF session each time).

    python bench/pages.py [--workers 1] [--seconds 5] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import run_load
from devtools.server import gunicorn, migrated_sqlite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    print(f"gunicorn sync workers={args.workers}, {args.concurrency} clients, {args.seconds}s each")
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "CAMPAIGN_DATABASE_URL": migrated_sqlite(Path(tmp)),
            "CAMPAIGN_SECRET_KEY": secrets.token_hex(32),  # gunicorn refuses the dev key
        }
        run(args, env)


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    with gunicorn("bench.hello:app", args.workers, env) as (port, _):
        run_load("127.0.0.1", port, "/", 1.0, args.concurrency)  # warm-up
        hello = run_load("127.0.0.1", port, "/", args.seconds, args.concurrency)
    print(f"{'hello (bare Flask)':<28}{hello.rate:9.0f} req/s  p50 {hello.percentile(50):5.1f} ms")
    with gunicorn("wsgi:app", args.workers, env, probe="/be/") as (port, _):
        for label, path in (
            ("home /be/", "/be/"),
            ("statement", "/en/statements/2020-08-suspension"),
            ("help form /ru/help/", "/ru/help/"),
        ):
            run_load("127.0.0.1", port, path, 1.0, args.concurrency)  # warm-up
            result = run_load("127.0.0.1", port, path, args.seconds, args.concurrency)
            ratio = result.rate / hello.rate if hello.rate else 0.0
            print(
                f"{label:<28}{result.rate:9.0f} req/s  p50 {result.percentile(50):5.1f} ms"
                f"  ratio {ratio:6.1%}  errors {result.errors}"
            )


if __name__ == "__main__":
    main()
