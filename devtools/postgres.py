"""The PostgreSQL that tests and benchmarks use, and throwaway schemas on it.

The server is the one at 127.0.0.1:5432, database ``test`` (override the whole URL with
``CAMPAIGN_TEST_POSTGRES_URL``). Each user of it works in a new schema of its own, named
with a prefix that says who made it, and drops it afterwards: nothing shared is touched.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get(
    "CAMPAIGN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SCHEMA_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,40}")
_unavailable: dict[str, str | None] = {}


def postgres_unavailable(base_url: str = POSTGRES_URL) -> str | None:
    """None if PostgreSQL answers at ``base_url``, else why not (asked once per process)."""
    if base_url not in _unavailable:
        engine = create_engine(base_url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            _unavailable[base_url] = None
        except OperationalError as exc:
            _unavailable[base_url] = f"PostgreSQL not reachable at {base_url}: {exc.orig}"
        finally:
            engine.dispose()
    return _unavailable[base_url]


def schema_url(base_url: str, schema: str) -> str:
    """``base_url`` with connections that work in ``schema`` (their ``search_path``)."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def postgres_schema(prefix: str, base_url: str = POSTGRES_URL) -> Iterator[str]:
    """A new, empty schema named ``<prefix><random>``; yields a URL whose connections use
    it. The schema is dropped afterwards, with everything in it."""
    if not SCHEMA_PREFIX.fullmatch(prefix):
        raise ValueError(f"schema prefix {prefix!r}: lower-case letters, digits and _ only")
    name = prefix + secrets.token_hex(6)
    admin = create_engine(base_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        try:
            yield schema_url(base_url, name)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    finally:
        admin.dispose()


def database_url(base_url: str, name: str) -> str:
    """``base_url`` pointing at the database ``name`` instead."""
    head, _, tail = base_url.partition("?")
    head = head.rsplit("/", 1)[0] + "/" + name
    return head + ("?" + tail if tail else "")


@contextmanager
def postgres_database(prefix: str, base_url: str = POSTGRES_URL) -> Iterator[str]:
    """A new, empty database named ``<prefix><random>``, dropped afterwards.

    For the few tests that must not share a database with other tests running at the same
    time: PostgreSQL keeps a deleted row's bytes (VACUUM FULL copies it) while any
    transaction in the same database might still see it.
    """
    if not SCHEMA_PREFIX.fullmatch(prefix):
        raise ValueError(f"database prefix {prefix!r}: lower-case letters, digits and _ only")
    name = prefix + secrets.token_hex(6)
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield database_url(base_url, name)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
