"""Load generators for loopback benchmarks: ``wrk`` when installed, else a small one.

``run_wrk`` runs ``wrk -t<threads> -c<connections> -d<seconds>s --latency`` (apt-get
install wrk) and reads its requests/s, median latency and non-2xx count. Without wrk,
``run_load`` is a closed loop in the standard library: each of ``concurrency`` client
processes sends GET requests one after another on a fresh connection (gunicorn's sync
workers close connections) for ``seconds`` seconds. Python clients cost far more CPU per
request than wrk, so their figures are lower and only comparable within one run.
"""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    # wrk reports a rate and a median, not each request's latency.
    wrk_rate: float | None = None
    wrk_median_ms: float | None = None

    @property
    def rate(self) -> float:
        if self.wrk_rate is not None:
            return self.wrk_rate
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, pct: float) -> float:
        if pct == 50 and self.wrk_median_ms is not None:
            return self.wrk_median_ms
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


def wrk_installed() -> bool:
    return shutil.which("wrk") is not None


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str, seconds: float) -> LoadResult:
    """Read wrk's summary (its ``--latency`` text output)."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    median = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if rate is None or total is None:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    errors = int(bad.group(1)) if bad else 0
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return LoadResult(
        requests=int(total.group(1)),
        errors=errors,
        seconds=seconds,
        latencies_ms=[],
        wrk_rate=float(rate.group(1)),
        wrk_median_ms=float(median.group(1)) * _UNITS_MS[median.group(2)] if median else None,
    )


def run_wrk(
    host: str, port: int, path: str, seconds: float, connections: int, threads: int = 2
) -> LoadResult:
    """``wrk -t<threads> -c<connections> -d<seconds>s --latency http://host:port/path``."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        f"http://{host}:{port}{path}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout, seconds)
