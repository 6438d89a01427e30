"""gunicorn on 127.0.0.1 for tests and benchmarks: start, wait for workers, stop; and the
databases it serves.

The server runs with the repository's ``gunicorn.conf.py`` (so benchmarks and tests see the
production settings and start-up checks), bound to a free loopback port, with the access
log off unless the caller's environment turns it on. ``migrated_sqlite`` and
``prepared_database`` make a database at the newest migration for it to serve.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(
    port: int,
    path: str = "/",
    timeout: float = 20.0,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        # The master listens before any worker has booted: a request may time out.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"server on port {port} did not start")


@contextmanager
def gunicorn(
    target: str,
    workers: int,
    env: dict[str, str] | None = None,
    probe: str = "/",
    output: IO[bytes] | None = None,
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """Run ``gunicorn target`` with the given workers; yields (port, process).

    ``output``, if given, receives the server's stdout and stderr (its logs).
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        target,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(  # noqa: S603 (our own command line)
        command,
        cwd=ROOT,
        env={**os.environ, "GUNICORN_ACCESS_LOG": "off", **(env or {})},
        stdout=output,
        stderr=output,
    )
    try:
        wait_until_up(port, probe, process=process)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()  # reaped, or a still-running Popen is left to the collector


def wait_for_workers(port: int, workers: int, timeout: float = 30.0) -> None:
    """Return once ``workers`` workers accept connections (they boot one by one).

    Holds ``workers - 1`` connections open with an unfinished request, which keeps that
    many sync workers busy reading; a further request is then answered only if one more
    worker is ready.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(workers - 1)]
        try:
            for sock in held:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            try:
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                return
            except OSError:
                pass
            finally:
                conn.close()
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.2)
    raise RuntimeError(f"{workers} workers on port {port} were not ready in {timeout:.0f}s")


def get_on_each_worker(port: int, path: str, workers: int) -> list[str]:
    """GET ``path`` once on each of ``workers`` sync workers; the bodies.

    Each request is sent without its final blank line first and the next one only after a
    pause, so that every idle worker accepts one connection and waits on it; then the
    requests are finished one after another. No two are served by the same worker.
    """
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".encode()
    held = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(workers)]
    try:
        for sock in held:
            sock.sendall(head)
            time.sleep(0.2)  # let an idle worker accept this one before the next
        bodies = []
        for sock in held:
            sock.sendall(b"\r\n")
            response = http.client.HTTPResponse(sock)
            response.begin()
            bodies.append(response.read().decode())
        return bodies
    finally:
        for sock in held:
            sock.close()


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's child processes (Linux /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def kill_one_worker(master: int) -> int:
    """SIGKILL one worker (the master starts a new one); returns its pid."""
    pids = worker_pids(master)
    if not pids:
        raise RuntimeError("no gunicorn worker to kill")
    os.kill(pids[0], signal.SIGKILL)
    return pids[0]


def migrated_sqlite(directory: Path, team: bool = False) -> str:
    """A new SQLite database in ``directory`` at the newest migration; returns its URL."""
    return prepared_database(f"sqlite:///{directory / 'campaign.db'}", team=team)


def prepared_database(url: str, team: bool = True) -> str:
    """Upgrade the database at ``url``, import the shipped content (as ``flask init``
    does) and, if asked, create the default team."""
    from campaign import create_app
    from campaign.cases.teams import create_team
    from campaign.content import importer
    from campaign.core import migrate
    from campaign.core.db import db_session, engine

    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        migrate.upgrade(engine())
        root, helplines_file = importer.first_import_sources(app)
        importer.seed(db_session(), root, helplines_file, app.config["LANGUAGES"])
        if team:
            create_team(db_session(), "Hotline", default=True)
        engine().dispose()
    return url
