"""A small closed-loop HTTP load generator for loopback benchmarks (stdlib only).

Each of ``concurrency`` client processes sends GET requests one after another on a fresh
connection (gunicorn's sync workers close connections) for ``seconds`` seconds, so the
loop is bounded in time. Returns requests/s and latency percentiles.
"""

from __future__ import annotations

import http.client
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, pct: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def _client(host: str, port: int, path: str, seconds: float) -> tuple[int, int, list[float]]:
    done = errors = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
        except OSError:
            errors += 1
        finally:
            conn.close()
        latencies.append((time.perf_counter() - start) * 1000)
        done += 1
    return done, errors, latencies


def run_load(host: str, port: int, path: str, seconds: float, concurrency: int) -> LoadResult:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(_client, host, port, path, seconds) for _ in range(concurrency)]
        results = [f.result() for f in futures]
    elapsed = time.perf_counter() - started
    latencies = [lat for _, _, lats in results for lat in lats]
    return LoadResult(
        requests=sum(r[0] for r in results),
        errors=sum(r[1] for r in results),
        seconds=min(elapsed, seconds + 0.5),
        latencies_ms=latencies,
    )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
