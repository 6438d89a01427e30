"""What one pytest process owns when pytest-xdist runs the suite in parallel.

Each xdist worker (``gw0``, ``gw1`` ...; ``PYTEST_XDIST_WORKER``) names its PostgreSQL
schemas with its own prefix (``t_gw0_...``; each test still gets a new schema of its own)
and uses its own Redis database: number 1 for ``gw0``, 2 for ``gw1`` and so on, and 1 for
a run without xdist. Database 0, the one a developer's own app uses by default, is never
touched, and no database is flushed (another run of the suite may be using the same one):
every test keys its data with a prefix of its own and deletes only what carries it. With
more than 15 workers the numbers wrap around (Redis has 16 databases by default), which
those prefixes keep safe.
"""

from __future__ import annotations

import os
import re

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DATABASES = 16


def worker_name() -> str:
    """``gw0``, ``gw1`` ... under xdist; ``main`` without it."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def worker_index() -> int:
    match = re.fullmatch(r"gw(\d+)", worker_name())
    return int(match.group(1)) if match else 0


def schema_prefix() -> str:
    """The prefix of this worker's PostgreSQL schemas, e.g. ``t_gw1_``."""
    return f"t_{worker_name()}_"


def redis_database() -> int:
    """This worker's Redis database number (1 to 15; 0 is left alone)."""
    return 1 + worker_index() % (REDIS_DATABASES - 1)


def redis_url() -> str:
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_database()}"
