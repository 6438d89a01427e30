"""Real databases for tests: a fresh SQLite file, or a fresh schema on the PostgreSQL at
127.0.0.1:5432 (database ``test``; override with ``CAMPAIGN_TEST_POSTGRES_URL``).

Each test gets an empty database, and the ``db_app`` fixture upgrades it by the Alembic
migrations, as production is. PostgreSQL schemas carry the xdist worker's name
(``tests.workers``) and are dropped after the test; without PostgreSQL the test skips
with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from devtools import postgres
from tests.workers import schema_prefix


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A new, empty schema of this worker; yields a URL whose connections use it."""
    reason = postgres.postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with postgres.postgres_schema(schema_prefix()) as url:
        yield url


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'campaign.db'}"
    else:
        with postgres_schema() as url:
            yield url
