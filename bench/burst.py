"""Load and fault run: a burst of help requests against 4 gunicorn workers on PostgreSQL and
Redis, then a check that every receipt a client received opens its request.

    python bench/burst.py [--fault none|redis|worker] [--clients 50] [--total 600]
                          [--seconds 90] [--workers 4] [--postgres-url URL]

Everything runs on 127.0.0.1: a fresh PostgreSQL schema (dropped afterwards), an own
redis-server on a free port (the shared one is never touched), gunicorn with the
repository's configuration. ``--clients`` threads each load the form and post a request,
again and again, until ``--total`` requests are sent or ``--seconds`` have passed. The
fault, if any, strikes when a third of the requests are done:

- ``redis``: our redis-server is killed (SIGKILL); rate limiting must fail open;
- ``worker``: one gunicorn worker is killed (SIGKILL); gunicorn starts another.

Afterwards each receipt is opened in-process (``casework.open_thread``) and its first
message compared with what was sent. Prints requests sent, receipts received, requests
found, lost, 5xx, dropped connections and POST latency percentiles. Not run in CI.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.services import redis_server
from devtools.httpform import Outcome, load_form, post_request
from devtools.postgres import POSTGRES_URL, postgres_schema
from devtools.server import (
    gunicorn,
    kill_one_worker,
    prepared_database,
    wait_for_workers,
)

FILLER = " ".join(["I need to talk to someone about what happens at home."] * 8)


@dataclass
class Sent:
    message: str
    outcome: Outcome
    latency_ms: float


@dataclass
class Run:
    total: int
    deadline: float
    sent: list[Sent] = field(default_factory=list)
    form_failures: int = 0
    next_index: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self) -> int | None:
        with self.lock:
            if self.next_index >= self.total or time.monotonic() > self.deadline:
                return None
            self.next_index += 1
            return self.next_index - 1

    def done(self) -> int:
        with self.lock:
            return len(self.sent)


def client(run: Run, port: int, tag: str) -> None:
    while (index := run.claim()) is not None:
        try:
            tokens = load_form(port)
        except (OSError, RuntimeError, ValueError):
            with run.lock:
                run.form_failures += 1
            continue
        message = f"burst {tag} request {index}. {FILLER}"
        started = time.perf_counter()
        outcome = post_request(port, tokens, message)
        latency = (time.perf_counter() - started) * 1000
        with run.lock:
            run.sent.append(Sent(message, outcome, latency))


def strike(fault: str, run: Run, redis_process: Any, master: int, log: list[str]) -> None:
    """Wait for a third of the requests, then apply the fault."""
    while run.done() < run.total // 3 and time.monotonic() < run.deadline:
        time.sleep(0.05)
    if fault == "redis":
        redis_process.kill()
        redis_process.wait()
        log.append(f"killed our redis-server after {run.done()} requests")
    elif fault == "worker":
        pid = kill_one_worker(master)
        log.append(f"killed gunicorn worker {pid} after {run.done()} requests")


_verifier: dict[str, Any] = {}


def _start_verifier(url: str) -> None:
    from campaign import create_app

    _verifier["app"] = create_app({"DATABASE_URL": url})


def _opens(pair: tuple[str, str]) -> bool:
    from campaign.cases.intake import open_thread
    from campaign.core.db import db_session

    receipt, message = pair
    with _verifier["app"].app_context():
        thread = open_thread(db_session(), receipt)
        return thread is not None and thread.entries[0].text == message


def verify(url: str, pairs: list[tuple[str, str]]) -> tuple[int, int]:
    """(receipts that open their own request, help_request rows stored)."""
    from sqlalchemy import create_engine, func, select

    from campaign.models import HelpRequest

    with ProcessPoolExecutor(2, get_context("spawn"), _start_verifier, (url,)) as pool:
        found = sum(pool.map(_opens, pairs, chunksize=16))
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = int(conn.scalar(select(func.count()).select_from(HelpRequest)) or 0)
    engine.dispose()
    return found, stored


def pct(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else 0.0


def report(args: argparse.Namespace, run: Run, found: int, stored: int, wall: float) -> None:
    statuses = Counter(s.outcome.status for s in run.sent)
    receipts = sum(1 for s in run.sent if s.outcome.receipt)
    latencies = sorted(s.latency_ms for s in run.sent if s.outcome.status)
    print(
        f"fault={args.fault} clients={args.clients} workers={args.workers} "
        f"PostgreSQL + Redis, {wall:.1f}s"
    )
    print(f"requests sent      {len(run.sent)}  (form loads failed: {run.form_failures})")
    print(f"receipts received  {receipts}")
    print(f"requests found     {found}  (lost: {receipts - found})")
    print(f"stored in database {stored}  (stored without a receipt delivered: {stored - found})")
    print(f"5xx responses      {sum(n for code, n in statuses.items() if code >= 500)}")
    print(f"no response        {statuses.get(0, 0)}  (connection dropped)")
    print(f"statuses           {dict(sorted(statuses.items()))}")
    print(
        f"POST latency ms    p50 {pct(latencies, 50):.0f}  p95 {pct(latencies, 95):.0f}  "
        f"p99 {pct(latencies, 99):.0f}  max {latencies[-1] if latencies else 0:.0f}"
    )
    print(f"throughput         {len(run.sent) / wall:.1f} requests/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fault", choices=("none", "redis", "worker"), default="none")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--total", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    tag = secrets.token_hex(4)

    with (
        postgres_schema("bench_", args.postgres_url) as url,
        redis_server() as (redis_uri, redis_process),
        tempfile.TemporaryFile() as server_log,
    ):
        prepared_database(url, team=True)
        env = {
            "CAMPAIGN_DATABASE_URL": url,
            "CAMPAIGN_SECRET_KEY": secrets.token_hex(32),
            "CAMPAIGN_ENV_PRODUCTION": "true",
            "CAMPAIGN_MIN_FILL_SECONDS": "0",
            "CAMPAIGN_SUBMIT_RATE_LIMIT": "1000000 per hour",
            "CAMPAIGN_RATELIMIT_STORAGE_URI": redis_uri,
            "CAMPAIGN_RATELIMIT_KEY_PREFIX": f"burst-{tag}",
        }
        events: list[str] = []
        with gunicorn("wsgi:app", args.workers, env, "/healthz", server_log) as (port, master):
            wait_for_workers(port, args.workers)
            run = Run(args.total, time.monotonic() + args.seconds)
            threads = [
                threading.Thread(target=client, args=(run, port, tag)) for _ in range(args.clients)
            ]
            threads.append(
                threading.Thread(
                    target=strike, args=(args.fault, run, redis_process, master.pid, events)
                )
            )
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        pairs = [(s.outcome.receipt, s.message) for s in run.sent if s.outcome.receipt]
        found, stored = verify(url, pairs)
        server_log.seek(0)
        logs = server_log.read().decode(errors="replace")

    for event in events:
        print(event)
    print(
        f"server log: {logs.count('fails open')} fail-open warnings, "
        f"{logs.count('Traceback')} tracebacks, {logs.count('WORKER TIMEOUT')} worker timeouts"
    )
    report(args, run, found, stored, wall)


if __name__ == "__main__":
    main()
