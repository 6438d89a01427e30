"""Nothing a person wrote, nor their receipt, is readable in the database or the logs."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign.cases import crypto, intake, receipts
from campaign.core.db import db_session
from campaign.models import HelpRequest
from tests.helpclient import SHOWN_ONCE, HelpClient

MARKER = "UNIQUE-MARKER-7f3a9c"
PHONE = "+375 44 765 43 21"
EMAIL = "hidden.person@example.org"
CODE_WORD = "sunflower-code-42"
SAFE_TIMES = "only-tuesdays-at-noon"
REPLY = "STAFF-REPLY-7f3a9c"
FOLLOW_UP = "FOLLOW-UP-7f3a9c"


def raw_database(app: Flask, kind: str, tmp_path: Path) -> bytes:
    url = str(app.config["DATABASE_URL"])
    if kind == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    parts = urlsplit(url)
    schema = parse_qs(parts.query)["options"][0].split("=", 1)[1]
    out = tmp_path / "dump.sql"
    subprocess.run(
        [
            pg_dump,
            "-h",
            parts.hostname or "127.0.0.1",
            "-p",
            str(parts.port or 5432),
            "-U",
            parts.username or "postgres",
            "-n",
            schema,
            "-f",
            str(out),
            parts.path.lstrip("/"),
        ],
        check=True,
        timeout=60,
    )
    return out.read_bytes()


def test_no_plaintext_in_database_or_logs(
    db_app: Flask,
    db_client: FlaskClient,
    team_key: str,
    db_kind: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    person = HelpClient(db_client, "en")
    receipt = person.submit_ok(
        f"My message {MARKER}",
        contact_method="email",
        email=EMAIL,
        phone=PHONE,
        code_word=CODE_WORD,
        safe_times=SAFE_TIMES,
        may_leave_message="yes",
    )
    with db_app.app_context():
        session = db_session()
        request = session.scalars(select(HelpRequest)).one()
        intake.add_staff_reply(session, request, crypto.parse_recovery_key(team_key), REPLY)
    assert person.add_message(receipt, FOLLOW_UP).status_code == SHOWN_ONCE
    page = person.check(receipt).get_data(as_text=True)
    assert MARKER in page and REPLY in page and FOLLOW_UP in page

    with db_app.app_context():
        db_session().close()
        from campaign.core.db import engine

        engine().dispose()  # flush the SQLite WAL into the file, as a seized server would be
    raw = raw_database(db_app, db_kind, tmp_path)
    assert len(raw) > 1000
    digits = receipt.replace(" ", "")
    secrets_ = [MARKER, PHONE, EMAIL, CODE_WORD, SAFE_TIMES, REPLY, FOLLOW_UP, digits, receipt]
    for secret in secrets_:
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in raw, f"{secret!r} readable in the database"
        assert secret not in caplog.text, f"{secret!r} in the logs"
    assert b"127.0.0.1" not in raw


def test_receipt_is_stored_only_as_an_argon2id_hash(db_app: Flask, db_client: FlaskClient) -> None:
    receipt = HelpClient(db_client, "en").submit_ok("x").replace(" ", "")
    with db_app.app_context():
        session = db_session()
        request = session.scalars(select(HelpRequest)).one()
        salt = receipts.receipt_salt(session)
        argon2 = crypto.derive_receipt_keys(receipt, salt, receipts.argon2_params())
        keys = crypto.pepper_receipt_keys(argon2, receipts.pepper(session))
        assert request.receipt_hash == keys.lookup_hash
        assert request.receipt_hash != argon2.lookup_hash  # keyed with the pepper too
        assert len(request.receipt_hash) == 32
        import hashlib

        for fast in (hashlib.sha256, hashlib.sha1, hashlib.md5, hashlib.blake2b):
            assert fast(receipt.encode()).digest()[:32] != request.receipt_hash
