"""Database engine and sessions (SQLAlchemy 2.0), one engine per app.

SQLite is the embedded default (``instance/campaign.db``) with WAL, foreign keys, a busy
timeout and ``synchronous=FULL`` so that a committed request survives a power cut; a new
SQLite file is created 0600 before SQLite opens it, so its WAL and SHM files are too.
PostgreSQL is used when ``CAMPAIGN_DATABASE_URL`` names it. A request gets one session,
``db_session()``, closed at teardown. The schema comes from Alembic migrations
(``flask --app wsgi db upgrade``); tests may build it the same way.

Deleted means gone from the database's files: SQLite runs with ``secure_delete=ON`` (set
here, not left to how the library was built), and :func:`scrub_deleted`, called after a
retention purge, empties SQLite's WAL or rewrites PostgreSQL's tables, and checks that the
rewrite dropped every deleted row. Backups, WAL archives and the disk's freed blocks are
outside its reach (docs/deploy.md).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from campaign.core import files

SCRUB_LOCK_TIMEOUT = "5s"
# How long a PostgreSQL scrub waits, in all, for the transactions that could still see the
# deleted rows to end (and tries the rewrite again) before it reports itself not done.
SCRUB_WAIT_SECONDS = 10.0
_SCRUB_POLL_SECONDS = 0.1
# PostgreSQL 15 lets the table's owner, the database's owner or a superuser VACUUM a table.
_MAY_VACUUM = text(
    "SELECT coalesce(bool_and(pg_has_role(c.relowner, 'MEMBER')), false)"
    " OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
    " OR pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()),"
    " 'MEMBER') FROM pg_class c WHERE c.oid = ANY(CAST(:tables AS regclass[]))"
)


# VACUUM FULL keeps ("cannot be removed yet") every deleted row version that a running
# transaction might still see. That horizon is held back by any transaction with an id, in
# ANY database of the server (the vacuum's own snapshot starts at the oldest running one),
# and by the snapshot of any session in this database (a long query, pg_dump, a REPEATABLE
# READ transaction). Both are waited for; a session of another role may hide its snapshot
# from pg_stat_activity, which is why the rewrite is also checked afterwards.
_OLDER_STILL_RUNNING = text(
    "SELECT pg_snapshot_xmin(pg_current_snapshot()) < CAST(:bound AS xid8)"
    " OR EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database()"
    " AND pid <> pg_backend_pid() AND age(backend_xmin) > age(CAST(:bound32 AS xid)))"
)
_SNAPSHOT = text(
    "SELECT CAST(pg_snapshot_xmax(s) AS text),"
    " ARRAY(SELECT CAST(x AS text) FROM pg_snapshot_xip(s) AS x)"
    " FROM pg_current_snapshot() AS s"
)

# NULL when the table has no btree index that covers every row (see below).
_INDEXED_MORE_THAN_LIVE = text(
    "SELECT max(i.reltuples) > max(t.reltuples) FROM pg_class t"
    " JOIN pg_index x ON x.indrelid = t.oid JOIN pg_class i ON i.oid = x.indexrelid"
    " JOIN pg_am a ON a.oid = i.relam"
    " WHERE t.oid = CAST(:table AS regclass) AND a.amname = 'btree' AND x.indpred IS NULL"
)


def _xid32(xid8: str) -> str:
    """A 64-bit transaction id as the 32-bit ``xid`` that rows and pg_stat_activity show."""
    return str(int(xid8) % 2**32)


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
    skip them with a mere warning otherwise). The rewrite copies a deleted row, and still
    succeeds, while a transaction that began before the delete is running (see
    ``_OLDER_STILL_RUNNING``), so each table's rewrite waits for those to end and is then
    checked (:func:`_rewrite_kept_no_dead_rows`), and tried again until
    ``SCRUB_WAIT_SECONDS`` have passed. Returns False if the scrub could not be done (a
    reader held the WAL, the lock was not granted, this user does not own the tables, or
    an old transaction stayed open: the deleted rows may still be in the files).
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
        deadline = time.monotonic() + SCRUB_WAIT_SECONDS
        # Every transaction committed so far, the deletions included, has an id below this.
        bound = connection.execute(_SNAPSHOT).one()[0]
        try:
            connection.exec_driver_sql(f"SET lock_timeout = '{SCRUB_LOCK_TIMEOUT}'")
            for table in tables:
                wait_for = bound
                while True:
                    _wait_for_older_transactions(connection, wait_for, deadline)
                    xmax, running = connection.execute(_SNAPSHOT).one()
                    connection.exec_driver_sql("VACUUM (FULL) " + quote(table))
                    if _rewrite_kept_no_dead_rows(connection, table, xmax, running):
                        break
                    if time.monotonic() >= deadline:
                        return False
                    wait_for = xmax  # what it kept was deleted before this
        except OperationalError:
            return False
    return True


def _wait_for_older_transactions(connection: Connection, bound: str, deadline: float) -> None:
    """Until no transaction that could see rows deleted before transaction id ``bound``
    runs, or until ``deadline`` (the check after the rewrite then tells)."""
    ids = {"bound": bound, "bound32": _xid32(bound)}
    while connection.execute(_OLDER_STILL_RUNNING, ids).scalar():
        if time.monotonic() >= deadline:
            return
        time.sleep(_SCRUB_POLL_SECONDS)


def _rewrite_kept_no_dead_rows(
    connection: Connection, table: str, xmax: str, xip: Sequence[str]
) -> bool:
    """Whether the ``VACUUM FULL`` of ``table`` just run (from the snapshot with ``xmax``
    and running ``xip``, taken right before it) dropped every deleted row version.

    The rewrite then builds each index anew from the rows it copied: a btree index that is
    not partial (a primary key) counts all of them in its ``reltuples``, the live and the
    dead ones kept (old versions of updated rows too), while the build sets the table's
    ``reltuples`` to the live ones only. More index entries than live rows: dead ones were
    kept. (The build looks at the horizon again: a reader of this database hidden from
    pg_stat_activity that ends between the copy and the build goes unseen.) A table
    without such an index keeps the rewrite's own count (live and kept); the live rows are
    then those visible now whose inserter had committed by the snapshot (a row changed
    since, or inserted between the snapshot and the lock, only makes this say no, and the
    rewrite is tried again).
    """
    kept = connection.execute(_INDEXED_MORE_THAN_LIVE, {"table": table}).scalar()
    if kept is not None:
        return not kept
    quoted = connection.dialect.identifier_preparer.quote(table)
    check = text(
        "SELECT (SELECT count(*) FROM " + quoted + " AS t"  # noqa: S608 (a quoted name)
        " WHERE age(t.xmin) > age(CAST(:xmax AS xid)) AND t.xmin <> ALL(CAST(:xip AS xid[])))"
        " >= c.reltuples FROM pg_class c WHERE c.oid = CAST(:table AS regclass)"
    )
    ids = {"xmax": _xid32(xmax), "xip": [_xid32(x) for x in xip], "table": table}
    return bool(connection.execute(check, ids).scalar())


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
