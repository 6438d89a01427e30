"""Real databases for tests: a fresh SQLite file, or a fresh schema on the PostgreSQL at
127.0.0.1:5432 (database ``test``; override with ``CAMPAIGN_TEST_POSTGRES_URL``).

Each test gets an empty database upgraded by the Alembic migrations, as production is.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get(
    "CAMPAIGN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """None if PostgreSQL answers, else the reason (checked once per run)."""
    if "reason" not in _pg_state:
        try:
            engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except OperationalError as exc:
            _pg_state["reason"] = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.orig}"
    return _pg_state["reason"]


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A new, empty schema; yields a URL whose connections use it. Dropped afterwards."""
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    name = "t_" + secrets.token_hex(6)
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={name}')}"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'campaign.db'}"
    else:
        with postgres_schema() as url:
            yield url
