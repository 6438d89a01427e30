"""Database engine and sessions (SQLAlchemy 2.0), one engine per app.

SQLite is the embedded default (``instance/campaign.db``) with WAL, foreign keys, a busy
timeout and ``synchronous=FULL`` so that a committed request survives a power cut; a new
SQLite file is created 0600 before SQLite opens it, so its WAL and SHM files are too.
PostgreSQL is used when ``CAMPAIGN_DATABASE_URL`` names it. A request gets one session,
``db_session()``, closed at teardown. The schema comes from Alembic migrations
(``flask --app wsgi db upgrade``); tests may build it the same way.

Deleted means gone from the database's files: SQLite runs with ``secure_delete=ON`` (set
here, not left to how the library was built), and :func:`scrub_deleted`, called after a
retention purge, empties SQLite's WAL or rewrites PostgreSQL's tables. Backups, WAL
archives and the disk's freed blocks are outside its reach (docs/deploy.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from campaign.core import files

SCRUB_LOCK_TIMEOUT = "5s"
# PostgreSQL 15 lets the table's owner, the database's owner or a superuser VACUUM a table.
_MAY_VACUUM = text(
    "SELECT coalesce(bool_and(pg_has_role(c.relowner, 'MEMBER')), false)"
    " OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
    " OR pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()),"
    " 'MEMBER') FROM pg_class c WHERE c.oid = ANY(CAST(:tables AS regclass[]))"
)


def database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL")
    if url:
        return str(url)
    return "sqlite:///" + str(Path(app.instance_path) / "campaign.db")


def _private_sqlite_file(_dialect: Any, _record: Any, args: list[Any], _kwargs: Any) -> None:
    """Just before SQLite opens the file: if there is none yet, make it empty and 0600 (its
    WAL and SHM files then take that mode too)."""
    files.prepare_sqlite_path(str(args[0]) if args else "")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten with zeros
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "do_connect", _private_sqlite_file)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 5},
    )


def scrub_deleted(eng: Engine, tables: Sequence[str]) -> bool:
    """Leave no copy of rows deleted from ``tables`` in the database's own files.

    SQLite (``secure_delete`` is on for every connection, so deleted cells and freed pages
    are zeroed): checkpoint the WAL into the main file and truncate it, since the WAL still
    holds the pages as they were before. PostgreSQL: ``VACUUM FULL`` the tables (outside a
    transaction), which writes them and their indexes anew and drops the old files; a plain
    VACUUM only marks the space free, leaving the bytes in the pages. It holds an exclusive
    lock on each table while it runs (well under a second for this site's sizes) and waits
    at most ``SCRUB_LOCK_TIMEOUT`` for it; only the tables' owner may do it (VACUUM would
    skip them with a mere warning otherwise). Returns False if the scrub could not be done
    (a reader held the WAL, the lock was not granted, or this user does not own the tables).
    """
    if eng.dialect.name == "sqlite":
        with eng.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
        return int(busy) == 0
    if eng.dialect.name != "postgresql":
        return False
    quote = eng.dialect.identifier_preparer.quote
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.execute(_MAY_VACUUM, {"tables": list(tables)}).scalar():
            return False  # VACUUM would skip the tables with only a warning
        try:
            connection.exec_driver_sql(f"SET lock_timeout = '{SCRUB_LOCK_TIMEOUT}'")
            connection.exec_driver_sql("VACUUM (FULL) " + ", ".join(quote(t) for t in tables))
        except OperationalError:
            return False
    return True


def engine() -> Engine:
    eng: Engine = current_app.extensions["campaign_db"]["engine"]
    return eng


def db_session() -> Session:
    """The request's session (or the app context's, in CLI commands)."""
    session: Session | None = g.get("db_session")
    if session is None:
        factory: sessionmaker[Session] = current_app.extensions["campaign_db"]["factory"]
        session = g.db_session = factory()
    return session


def init_app(app: Flask) -> None:
    eng = make_engine(database_url(app))
    factory = sessionmaker(bind=eng, expire_on_commit=False)
    app.extensions["campaign_db"] = {"engine": eng, "factory": factory}

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()
