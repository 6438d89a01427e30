"""Moved: gunicorn for benchmarks and tests is ``devtools.server`` now (``tests/`` and
``bench/`` share it there and never import each other). This module only re-exports it
for code not yet updated; import from ``devtools.server``.
"""

from __future__ import annotations

from devtools.server import (
    ROOT,
    free_port,
    gunicorn,
    kill_one_worker,
    migrated_sqlite,
    prepared_database,
    wait_for_workers,
    wait_until_up,
    worker_pids,
)

__all__ = [
    "ROOT",
    "free_port",
    "gunicorn",
    "kill_one_worker",
    "migrated_sqlite",
    "prepared_database",
    "wait_for_workers",
    "wait_until_up",
    "worker_pids",
]
