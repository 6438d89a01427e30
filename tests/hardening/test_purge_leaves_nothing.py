"""After ``flask purge`` no byte of a purged request (its ciphertext, sealed keys, contact,
messages, notes, receipt lookup hash) is left in the database files: SQLite's main file,
``-wal`` and ``-shm`` read raw while the site's connections are still open; PostgreSQL's
relation files (tables, their indexes and TOAST) after a checkpoint.

On PostgreSQL ``VACUUM FULL`` copies a deleted row instead of dropping it while a transaction
that began before the delete is still running, in any database of the server (a writer
anywhere holds the vacuum's own snapshot back) or as a reader of this one: the scrub waits a
while for such a transaction to end and otherwise reports itself not done."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, select, text, update
from sqlalchemy.engine import make_url

from campaign import create_app
from campaign.cases import handling
from campaign.core import db, migrate
from campaign.core.db import db_session, engine, scrub_deleted
from campaign.models import HelpRequest, InternalNote, RequestMessage
from campaign.models.base import utcnow
from devtools import postgres
from tests.databases import database_url
from tests.helpclient import SHOWN_ONCE, HelpClient
from tests.maintenance.rows import add_member
from tests.workers import worker_name

TABLES = ("help_request", "request_message", "internal_note")
CHUNK = 16


@pytest.fixture
def db_app(db_kind: str, app_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    """As the shared ``db_app``, but PostgreSQL gets a database of its own, not a schema in
    the shared one: VACUUM FULL must keep a deleted row's bytes while any transaction in
    the same database might still see it, and other tests run at the same time."""
    if db_kind == "sqlite":
        url_context: Any = database_url("sqlite", tmp_path)
    else:
        reason = postgres.postgres_unavailable()
        if reason:
            pytest.skip(reason)
        url_context = postgres.postgres_database("t_purge_" + worker_name() + "_")
    with url_context as url:
        app = create_app({**app_config, "DATABASE_URL": url})
        with app.app_context():
            migrate.upgrade(engine())
        yield app
        with app.app_context():
            engine().dispose()


def secrets_of(app: Flask, request_id: int) -> list[bytes]:
    """Every stored value of the request that must be gone after a purge."""
    with app.app_context():
        session = db_session()
        request = session.get(HelpRequest, request_id)
        assert request is not None
        values = [
            request.receipt_hash,
            request.thread_key_for_team,
            request.thread_key_for_receipt,
            request.contact_sealed,
        ]
        values += session.scalars(
            select(RequestMessage.body).where(RequestMessage.request_id == request_id)
        )
        values += session.scalars(
            select(InternalNote.body_sealed).where(InternalNote.request_id == request_id)
        )
        return values


def chunks(values: Iterable[bytes]) -> list[bytes]:
    """Pieces of each value, so that a partly overwritten copy is found too."""
    return [v[i : i + CHUNK] for v in values for i in range(0, len(v) - CHUNK + 1, CHUNK)]


def build(app: Flask, client: FlaskClient) -> tuple[int, int]:
    """Two requests, each with a follow-up and a note; the first is older than retention."""
    person = HelpClient(client)
    for name in ("purged", "kept"):
        receipt = person.submit_ok(
            f"{name} request", contact_method="phone", phone="+375 29 111 22 33"
        )
        assert person.add_message(receipt, f"{name} follow-up").status_code == SHOWN_ONCE
    with app.app_context():
        session = db_session()
        purged, kept = session.scalars(select(HelpRequest).order_by(HelpRequest.id)).all()
        member = add_member(session, "n@example.org", team_id=purged.team_id)
        for request in (purged, kept):
            handling.add_note(session, member, request, f"note on {request.id}")
        session.execute(
            update(HelpRequest)
            .where(HelpRequest.id == purged.id)
            .values(created_at=utcnow() - dt.timedelta(days=400))
        )
        session.commit()
        return purged.id, kept.id


def purge(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 requests" in result.output


def sqlite_files(app: Flask) -> bytes:
    path = Path(str(app.config["DATABASE_URL"]).removeprefix("sqlite:///"))
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def relations(conn: Connection, tables: Iterable[str] = TABLES) -> list[str]:
    """The tables, their indexes, TOAST tables and TOAST indexes (as regclass text)."""
    rows = conn.execute(
        text(
            "SELECT c.oid::regclass::text FROM pg_class c WHERE c.oid IN ("
            " SELECT t.oid FROM pg_class t WHERE t.oid = ANY(CAST(:tables AS regclass[]))"
            " UNION SELECT i.indexrelid FROM pg_index i"
            "  WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))"
            " UNION SELECT t.reltoastrelid FROM pg_class t"
            "  WHERE t.oid = ANY(CAST(:tables AS regclass[])) AND t.reltoastrelid <> 0"
            " UNION SELECT i.indexrelid FROM pg_index i JOIN pg_class t"
            "  ON i.indrelid = t.reltoastrelid WHERE t.oid = ANY(CAST(:tables AS regclass[])))"
        ),
        {"tables": list(tables)},
    )
    return [row[0] for row in rows]


def postgres_files(conn: Connection, tables: Iterable[str] = TABLES) -> bytes:
    """The relations' bytes: their files if this user can read them, else pageinspect."""
    conn.execute(text("CHECKPOINT"))  # what is in shared buffers reaches the files
    data_dir = Path(conn.execute(text("SELECT current_setting('data_directory')")).scalar_one())
    names = relations(conn, tables)
    assert len(names) >= 3
    try:
        blobs = []
        for name in names:
            rel = conn.execute(text("SELECT pg_relation_filepath(:n)"), {"n": name}).scalar_one()
            first = data_dir / rel
            segments = [first, *sorted(first.parent.glob(first.name + ".[0-9]*"))]
            blobs += [segment.read_bytes() for segment in segments if segment.exists()]
        return b"".join(blobs)
    except OSError:
        return pageinspect_bytes(conn, names)


def pageinspect_bytes(conn: Connection, names: list[str]) -> bytes:
    try:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        schema = conn.execute(
            text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
                " ON n.oid = e.extnamespace WHERE e.extname = 'pageinspect'"
            )
        ).scalar_one()
    except Exception as exc:
        pytest.skip(f"relation files unreadable and pageinspect unavailable: {exc}")
    blobs = []
    for name in names:
        pages = conn.execute(
            text("SELECT pg_relation_size(:n) / current_setting('block_size')::int"), {"n": name}
        ).scalar_one()
        for block in range(int(pages)):
            blobs.append(
                conn.execute(
                    text(f'SELECT "{schema}".get_raw_page(:n, :b)'), {"n": name, "b": block}
                ).scalar_one()
            )
    return b"".join(blobs)


def test_purged_bytes_are_gone_from_the_files(
    db_app: Flask, db_client: FlaskClient, db_kind: str
) -> None:
    purged_id, kept_id = build(db_app, db_client)
    gone = chunks(secrets_of(db_app, purged_id))
    still = secrets_of(db_app, kept_id)
    purge(db_app)
    with db_app.app_context():
        assert db_session().get(HelpRequest, purged_id) is None
        if db_kind == "sqlite":
            with engine().connect() as conn:
                assert conn.execute(text("PRAGMA secure_delete")).scalar_one() == 1
            raw = sqlite_files(db_app)  # the site's connections are still open
        else:
            with engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                raw = postgres_files(conn)
    assert len(raw) > 8192
    assert still[0] in raw  # the kept request is read back: the search itself works
    left = [i for i, piece in enumerate(gone) if piece in raw]
    assert left == [], f"{len(left)} of {len(gone)} pieces of the purged request remain"


@pytest.mark.postgres
def test_postgres_scrub_is_reported_undone_for_a_user_who_does_not_own_the_tables(
    tmp_path: Path,
) -> None:
    """VACUUM only warns and skips a table its user may not vacuum: that must not pass as
    done (the purge command then says so and exits 1)."""
    with database_url("postgres", tmp_path) as url:
        owner = create_engine(url)
        role = "scrub_" + secrets.token_hex(4)
        try:
            with owner.begin() as conn:
                conn.execute(text("CREATE TABLE help_request (id integer)"))
                conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
                schema = conn.execute(text("SELECT current_schema()")).scalar_one()
                conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
            assert scrub_deleted(owner, ["help_request"]) is True
            stranger = create_engine(make_url(url).set(username=role))
            try:
                assert scrub_deleted(stranger, ["help_request"]) is False
            finally:
                stranger.dispose()
        finally:
            with owner.begin() as conn:
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE "{role}"'))
            owner.dispose()


@contextmanager
def open_transaction(url: str, *, write: bool) -> Iterator[Connection]:
    """A transaction left open on ``url`` until the block ends (or the caller rolls it
    back): with a transaction id (``write``, as any writer has) or only a snapshot (a
    REPEATABLE READ reader, as ``pg_dump`` is)."""
    eng = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with eng.connect() as conn:
            conn.execute(text("SELECT pg_current_xact_id()" if write else "SELECT 1"))
            try:
                yield conn
            finally:
                conn.rollback()
    finally:
        eng.dispose()


@pytest.fixture(params=["primary key", "no index"])
def own_postgres(request: pytest.FixtureRequest) -> Iterator[tuple[str, bytes, bytes]]:
    """A database of this test's own with a ``help_request`` table of two random rows (with
    a primary key, as the site's tables have, or without any index: the scrub checks its
    work differently); yields its URL, the secret of row 1 (to delete) and of row 2."""
    reason = postgres.postgres_unavailable()
    if reason:
        pytest.skip(reason)
    gone, kept = secrets.token_bytes(48), secrets.token_bytes(48)
    key = " PRIMARY KEY" if request.param == "primary key" else ""
    with postgres.postgres_database("t_scrub_" + worker_name() + "_") as url:
        eng = create_engine(url)
        try:
            with eng.begin() as conn:
                conn.execute(text(f"CREATE TABLE help_request (id integer{key}, body bytea)"))
                conn.execute(
                    text("INSERT INTO help_request VALUES (1, :gone), (2, :kept)"),
                    {"gone": gone, "kept": kept},
                )
        finally:
            eng.dispose()
        yield url, gone, kept


def delete_and_scrub(url: str) -> tuple[bool, bytes]:
    """Delete row 1, scrub; whether the scrub says it is done, and the table's bytes."""
    eng: Engine = create_engine(url)
    try:
        with eng.begin() as conn:
            conn.execute(text("DELETE FROM help_request WHERE id = 1"))
        done = scrub_deleted(eng, ["help_request"])
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return done, postgres_files(conn, ["help_request"])
    finally:
        eng.dispose()


@pytest.mark.postgres
def test_postgres_scrub_waits_for_a_transaction_open_in_another_database(
    own_postgres: tuple[str, bytes, bytes],
) -> None:
    """A writer in another database that began before the delete and ends a moment later
    (another site on the same server, or another test worker): the scrub waits for it, and
    the deleted row is gone from the files."""
    url, gone, kept = own_postgres
    with open_transaction(postgres.POSTGRES_URL, write=True) as other:
        ends = threading.Timer(0.5, other.rollback)
        ends.start()
        try:
            done, raw = delete_and_scrub(url)
        finally:
            ends.join()
    assert done is True
    assert kept in raw
    assert gone not in raw


@pytest.mark.postgres
@pytest.mark.parametrize(("where", "write"), [("another database", True), ("this database", False)])
def test_postgres_scrub_is_reported_undone_while_an_older_transaction_stays_open(
    own_postgres: tuple[str, bytes, bytes],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    write: bool,
) -> None:
    """A transaction that began before the delete and stays open past the scrub's wait (a
    writer in any database of the server, or a reader of this one such as ``pg_dump``) makes
    VACUUM FULL keep the row: the scrub must not report that as done. Once it has ended, the
    next scrub removes the row."""
    url, gone, kept = own_postgres
    monkeypatch.setattr(db, "SCRUB_WAIT_SECONDS", 0.5)
    holder_url = postgres.POSTGRES_URL if where == "another database" else url
    with open_transaction(holder_url, write=write):
        done, raw = delete_and_scrub(url)
    assert done is False
    assert gone in raw  # what the report is about: the row is still in the files
    eng = create_engine(url)
    try:
        assert scrub_deleted(eng, ["help_request"]) is True
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            raw = postgres_files(conn, ["help_request"])
    finally:
        eng.dispose()
    assert kept in raw
    assert gone not in raw


@pytest.mark.postgres
@pytest.mark.parametrize("db_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_purge_says_so_and_fails_while_an_older_transaction_holds_the_bytes(
    db_app: Flask, db_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``flask purge`` exits 1 with its "may still be readable" message when the scrub could
    not remove the rows; the next purge, once the transaction has ended, removes them."""
    purged_id, _kept_id = build(db_app, db_client)
    gone = chunks(secrets_of(db_app, purged_id))
    monkeypatch.setattr(db, "SCRUB_WAIT_SECONDS", 0.5)
    with open_transaction(postgres.POSTGRES_URL, write=True):
        result = db_app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 1, result.output
    assert "Purged 1 requests" in result.output
    assert "may still be readable" in result.output
    again = db_app.test_cli_runner().invoke(args=["purge"])
    assert again.exit_code == 0, again.output
    with (
        db_app.app_context(),
        engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
    ):
        raw = postgres_files(conn)
    assert [i for i, piece in enumerate(gone) if piece in raw] == []
