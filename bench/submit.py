"""Benchmark: help request submissions against gunicorn (2 workers) on 127.0.0.1.

Each of 10 clients loads the form (cookie, CSRF token) and posts a request, again and
again, until ``--total`` submissions are done. Prints p50/p95 latency of the POST (form
load excluded) and submissions/s. Target: p95 < 300 ms.

    python bench/submit.py [--total 300] [--clients 10] [--workers 2] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.httpform import SHOWN_ONCE, load_form, post_request
from devtools.server import gunicorn


def prepare(database_url: str) -> None:
    from campaign import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init"])
    if result.exit_code != 0:
        raise SystemExit(result.output)


def one_submission(port: int, index: int) -> tuple[float, int, bool]:
    """Load the form, then post one request; (latency in ms of the POST and of the GET of
    the page it redirects to, that page's status, receipt shown)."""
    try:
        tokens = load_form(port)
    except RuntimeError:
        return 0.0, 0, False
    start = time.perf_counter()
    outcome = post_request(port, tokens, f"Benchmark request number {index}. " + "text " * 100)
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, outcome.status, outcome.receipt is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--total", type=int, default=300)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        prepare(url)
        env = {
            "CAMPAIGN_DATABASE_URL": url,
            "CAMPAIGN_SECRET_KEY": "bench-secret",
            "CAMPAIGN_MIN_FILL_SECONDS": "0",
            "CAMPAIGN_SUBMIT_RATE_LIMIT": "1000000 per hour",
        }
        latencies: list[float] = []
        failures = 0
        lock = threading.Lock()
        counter = iter(range(args.total))

        with gunicorn("wsgi:app", args.workers, env=env, probe="/en/") as (port, _):

            def client() -> None:
                nonlocal failures
                while True:
                    with lock:
                        index = next(counter, None)
                    if index is None:
                        return
                    elapsed, status, ok = one_submission(port, index)
                    with lock:
                        if ok and status == SHOWN_ONCE:
                            latencies.append(elapsed)
                        else:
                            failures += 1

            started = time.perf_counter()
            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started

    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else 0.0

    backend = url.split(":", 1)[0]
    print(f"gunicorn workers={args.workers}, {args.clients} clients, database {backend}")
    print(f"submissions ok {len(latencies)}, failed {failures}, in {wall:.1f}s")
    print(
        f"submit latency p50 {pct(50):.0f} ms, p95 {pct(95):.0f} ms, "
        f"mean {statistics.mean(ordered) if ordered else 0:.0f} ms"
    )
    print(f"submissions/s {len(latencies) / wall:.1f} (form load + submit per client loop)")


if __name__ == "__main__":
    main()
