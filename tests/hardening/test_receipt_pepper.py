"""The receipt pepper (a secret outside the database) on SQLite and PostgreSQL: a database
dump alone allows no guess at a receipt, receipts made before the pepper still open (and are
upgraded, or protected without their receipt), ``flask init`` makes the pepper file 0600, and
the start-up check refuses to start when receipts need a pepper that is missing or wrong."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from campaign import create_app
from campaign.cases import crypto, intake, receipts
from campaign.core import checks
from campaign.core.db import db_session, engine
from campaign.models import HelpRequest
from campaign.models.help_request import ReceiptScheme
from tests.helpclient import SHOWN_ONCE, HelpClient

PEPPER_TEXT = "pepper-for-tests-" + "p" * 32


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The pepper file in the test's folder, not in the repository's instance/."""
    return {**app_config, "RECEIPT_PEPPER_FILE": str(tmp_path / "secret" / "receipt-pepper")}


def dump(app: Flask) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """What a database dump gives away: the salt and each (lookup hash, receipt box)."""
    with app.app_context(), engine().connect() as conn:
        salt = conn.execute(
            text("SELECT value FROM installation_secret WHERE name = 'receipt_salt'")
        ).scalar_one()
        rows = conn.execute(
            text("SELECT receipt_hash, thread_key_for_receipt FROM help_request")
        ).all()
    return bytes(salt), [(bytes(h), bytes(box)) for h, box in rows]


def guess_matches(app: Flask, receipt: str) -> bool:
    """Whether the right guess, tested against a dump alone, gives anything away."""
    salt, rows = dump(app)
    with app.app_context():
        keys = crypto.derive_receipt_keys(receipt.replace(" ", ""), salt, receipts.argon2_params())
    for lookup_hash, box in rows:
        if lookup_hash == keys.lookup_hash:
            return True
        try:
            crypto.decrypt(keys.receipt_key, box)
        except crypto.DecryptionError:
            continue
        return True
    return False


def make_unpeppered(app: Flask, receipt: str, team_key: str, request_id: int) -> None:
    """Rewrite a request as the code before the pepper stored it."""
    with app.app_context():
        session = db_session()
        request = session.get(HelpRequest, request_id)
        assert request is not None
        thread_key = intake.thread_key_for_staff(request, crypto.parse_recovery_key(team_key))
        keys = crypto.derive_receipt_keys(
            receipt.replace(" ", ""), receipts.receipt_salt(session), receipts.argon2_params()
        )
        request.receipt_hash = keys.lookup_hash
        request.thread_key_for_receipt = crypto.encrypt(keys.receipt_key, thread_key)
        request.receipt_scheme = ReceiptScheme.UNPEPPERED.value
        session.commit()


def schemes(app: Flask) -> list[int]:
    with app.app_context():
        query = select(HelpRequest.receipt_scheme).order_by(HelpRequest.id)
        return list(db_session().scalars(query))


def test_a_database_dump_alone_allows_no_guess(db_app: Flask, db_client: FlaskClient) -> None:
    receipt = HelpClient(db_client).submit_ok("dump test")
    assert not guess_matches(db_app, receipt)
    assert "dump test" in HelpClient(db_client).check(receipt).get_data(as_text=True)


def test_old_receipts_open_and_are_upgraded_on_first_use(
    db_app: Flask, db_client: FlaskClient, team_key: str
) -> None:
    person = HelpClient(db_client)
    receipt = person.submit_ok("OLD-RECEIPT-MESSAGE")
    make_unpeppered(db_app, receipt, team_key, 1)
    assert guess_matches(db_app, receipt)  # as it was before the pepper
    assert "OLD-RECEIPT-MESSAGE" in person.check(receipt).get_data(as_text=True)
    assert schemes(db_app) == [ReceiptScheme.PEPPERED.value]
    assert not guess_matches(db_app, receipt)
    assert person.add_message(receipt, "AFTER-UPGRADE").status_code == SHOWN_ONCE
    assert "AFTER-UPGRADE" in person.check(receipt).get_data(as_text=True)


def test_old_receipts_are_protected_without_their_receipts(
    db_app: Flask, db_client: FlaskClient, team_key: str
) -> None:
    person = HelpClient(db_client)
    old = [person.submit_ok(f"OLD-{i}") for i in range(2)]
    for number, receipt in enumerate(old, start=1):
        make_unpeppered(db_app, receipt, team_key, number)
    fresh = person.submit_ok("NEW")
    result = db_app.test_cli_runner().invoke(args=["purge"])  # the nightly job protects them
    assert result.exit_code == 0, result.output
    assert schemes(db_app) == [ReceiptScheme.WRAPPED.value] * 2 + [ReceiptScheme.PEPPERED.value]
    for receipt in (*old, fresh):
        assert not guess_matches(db_app, receipt)
    assert "OLD-1" in person.check(old[1]).get_data(as_text=True)
    assert schemes(db_app) == [ReceiptScheme.WRAPPED.value] + [ReceiptScheme.PEPPERED.value] * 2
    assert "OLD-0" in person.check(old[0]).get_data(as_text=True)
    assert person.check("1234 5678 1234 5678").status_code == 404


def test_init_makes_the_pepper_file_private_once(db_app: Flask, app_config: dict[str, Any]) -> None:
    path = Path(app_config["RECEIPT_PEPPER_FILE"])
    runner = db_app.test_cli_runner()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert f"Made a new receipt pepper in {path}" in result.output
    assert "recovery keys" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_text()
    assert len(content.strip()) >= 32
    again = runner.invoke(args=["init"])
    assert again.exit_code == 0 and "receipt pepper" not in again.output
    assert path.read_text() == content


def test_the_pepper_may_come_from_the_environment_as_written(
    monkeypatch: pytest.MonkeyPatch, db_app: Flask, app_config: dict[str, Any]
) -> None:
    digits = "1" * 40  # JSON would make this a number
    monkeypatch.setenv("CAMPAIGN_RECEIPT_PEPPER", digits)
    app = create_app({**app_config, "DATABASE_URL": db_app.config["DATABASE_URL"]})
    assert app.config["RECEIPT_PEPPER"] == digits
    with app.app_context():
        from campaign.cases.teams import create_team

        create_team(db_session(), "Hotline", default=True)
    person = HelpClient(app.test_client())
    receipt = person.submit_ok("FROM-ENV")
    assert "FROM-ENV" in person.check(receipt).get_data(as_text=True)
    assert not Path(app_config["RECEIPT_PEPPER_FILE"]).exists()
    with app.app_context():
        engine().dispose()


def pepper_problems(config: dict[str, Any]) -> list[str]:
    return [p for p in checks.problems(config) if "pepper" in p]


def test_start_up_check_refuses_a_missing_or_wrong_pepper(
    db_app: Flask, db_client: FlaskClient, app_config: dict[str, Any]
) -> None:
    config = {**app_config, "DATABASE_URL": db_app.config["DATABASE_URL"]}
    assert pepper_problems(config) == []  # no receipt yet: nothing depends on a pepper
    receipt = HelpClient(db_client).submit_ok("needs the pepper")
    assert pepper_problems(config) == []
    path = Path(app_config["RECEIPT_PEPPER_FILE"])
    kept = path.read_text()
    path.unlink()
    (missing,) = pepper_problems(config)
    assert "no pepper is configured" in missing and str(path) in missing
    assert "recovery keys" in missing
    result = db_app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "no pepper is configured" in result.output

    # A fresh worker without the pepper keeps the person's text and makes no new pepper.
    worker = create_app(config)
    person = HelpClient(worker.test_client())
    response = person.submit("KEEP-THIS-TEXT")
    assert response.status_code == 503
    assert "KEEP-THIS-TEXT" in response.get_data(as_text=True)
    assert not path.exists()

    (wrong,) = pepper_problems({**config, "RECEIPT_PEPPER": "another-pepper-" + "x" * 30})
    assert "not the one the stored receipts were made with" in wrong
    (short,) = pepper_problems({**config, "RECEIPT_PEPPER": "short"})
    assert "shorter than 32 characters" in short

    path.write_text(kept)
    assert pepper_problems(config) == []
    assert "needs the pepper" in HelpClient(db_client).check(receipt).get_data(as_text=True)
    with worker.app_context():
        engine().dispose()


def test_a_pepper_lost_for_good_can_be_given_up(
    db_app: Flask, db_client: FlaskClient, app_config: dict[str, Any]
) -> None:
    old = HelpClient(db_client).submit_ok("LOST-WITH-THE-PEPPER")
    path = Path(app_config["RECEIPT_PEPPER_FILE"])
    fine = db_app.test_cli_runner().invoke(args=["receipts", "new-pepper", "--yes"])
    assert fine.exit_code == 1 and "nothing is lost" in fine.output  # the pepper is there
    assert schemes(db_app) == [ReceiptScheme.PEPPERED.value]
    path.unlink()
    config = {**app_config, "DATABASE_URL": db_app.config["DATABASE_URL"]}
    assert pepper_problems(config)
    operator = create_app(config)
    refused = operator.test_cli_runner().invoke(args=["receipts", "new-pepper"], input="n\n")
    assert refused.exit_code == 1 and "1 requests will no longer open" in refused.output
    assert pepper_problems(config)
    result = operator.test_cli_runner().invoke(args=["receipts", "new-pepper"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "1 requests can no longer be opened by receipt" in result.output
    assert path.exists() and pepper_problems(config) == []
    assert schemes(db_app) == [ReceiptScheme.LOST.value]
    site = create_app(config)
    person = HelpClient(site.test_client())
    assert person.check(old).status_code == 404
    fresh = person.submit_ok("AFTER-NEW-PEPPER")
    assert "AFTER-NEW-PEPPER" in person.check(fresh).get_data(as_text=True)
    for app in (operator, site):
        with app.app_context():
            engine().dispose()
