"""Hardening item 10: rotating SECRET_KEY must not lock staff out.

TOTP seeds are encrypted under a key derived from SECRET_KEY. With the key ring the newest
key (SECRET_KEY) encrypts and the older ones (SECRET_KEY_FALLBACKS, Flask 3.1's name) still
decrypt; ``flask --app wsgi rotate-secret`` re-encrypts every seed under the newest key; a
seed no key opens is a plain failed login, never a 500 that would confirm the password.
Real SQLite and PostgreSQL (the ``db_app`` fixture), real forms through the test client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select

from campaign import create_app
from campaign.cases import accounts, crypto
from campaign.core import checks
from campaign.core.db import db_session, engine
from campaign.models import AuditEvent, Invitation, StaffUser
from tests.conftest import TEST_CONFIG
from tests.helpclient import DEFAULT_FORM, SHOWN_ONCE, HelpClient
from tests.staff.staffclient import Member, csrf_of, fresh_code, login, make_member

OLD = "old-secret-key-" + "o" * 40
NEW = "new-secret-key-" + "n" * 40


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {**TEST_CONFIG, "SECRET_KEY": OLD}


@contextmanager
def same_database(db_app: Flask, **config: Any) -> Iterator[Flask]:
    """Another app (another deployment of the code) on ``db_app``'s database."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": db_app.config["DATABASE_URL"], **config})
    try:
        yield app
    finally:
        with app.app_context():
            engine().dispose()


def invitation_secret(app: Flask, token: str) -> str:
    with app.app_context():
        invitation = accounts.open_invitation(db_session(), token)
        assert invitation is not None
        return accounts.enrolment_secret(db_session(), invitation)


def new_invitation(app: Flask, email: str) -> str:
    with app.app_context():
        token = accounts.create_invitation(db_session(), by=None, email=email)
        db_session().commit()
    return token


def failed_logins(app: Flask, member: Member) -> int:
    with app.app_context():
        user = db_session().get(StaffUser, member.id)
        assert user is not None
        return user.failed_logins


def without_tokens(html: str) -> str:
    return re.sub(r'(value|nonce)="[^"]*"', r'\1=""', html)


def test_old_key_as_fallback_keeps_logins_working(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "fallback@example.org")
    with same_database(db_app, SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]) as rotated:
        assert login(rotated, rotated.test_client(), member).status_code == 302
        # New seeds are written under the newest key only.
        other = make_member(rotated, "after@example.org")
    with same_database(db_app, SECRET_KEY=NEW) as newest_only:
        assert login(newest_only, newest_only.test_client(), other).status_code == 302


def test_rotate_secret_reencrypts_seeds_and_invitations(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "rotate@example.org")
    token = new_invitation(db_app, "invited@example.org")
    offered = invitation_secret(db_app, token)  # stored encrypted under OLD
    with same_database(db_app, SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]) as rotated:
        result = rotated.test_cli_runner().invoke(args=["rotate-secret"])
        assert result.exit_code == 0, result.output
        assert "2 re-encrypted" in result.output
        again = rotated.test_cli_runner().invoke(args=["rotate-secret"])
        assert again.exit_code == 0 and "0 re-encrypted" in again.output
        with rotated.app_context():
            actions = db_session().scalars(select(AuditEvent.action)).all()
            assert "server-secrets-rotated" in actions
    # The old key is gone from the configuration: everything still opens.
    with same_database(db_app, SECRET_KEY=NEW) as newest_only:
        assert invitation_secret(newest_only, token) == offered
        assert login(newest_only, newest_only.test_client(), member).status_code == 302
    # And the old key alone no longer opens anything.
    with same_database(db_app, SECRET_KEY=OLD) as old_only, old_only.app_context():
        blobs = [
            *db_session().scalars(select(StaffUser.totp_secret_enc)),
            *db_session().scalars(select(Invitation.totp_secret_enc)),
        ]
        for blob in blobs:
            assert blob is not None
            with pytest.raises(crypto.DecryptionError):
                crypto.decrypt(crypto.server_key(OLD, b"totp-secret"), blob)


def test_unreadable_seed_is_a_plain_failed_login(db_app: Flask, team_key: str) -> None:
    """A lost old key: the right password gets the same answer as a wrong one (no 500)."""
    member = make_member(db_app, "lost@example.org")
    with same_database(db_app, SECRET_KEY=NEW) as lost:
        right = login(lost, lost.test_client(), member)
        assert right.status_code == 200
        assert accounts.LOGIN_FAILED in right.get_data(as_text=True)
        assert failed_logins(lost, member) == 1  # counted like any wrong code
        mistyped = Member(member.id, member.email, member.secret, "x" * 20)
        wrong = login(lost, lost.test_client(), mistyped)
        assert wrong.status_code == right.status_code
        assert without_tokens(wrong.get_data(as_text=True)) == without_tokens(
            right.get_data(as_text=True)
        )
        assert failed_logins(lost, member) == 2
        # The operator is told who cannot log in.
        result = lost.test_cli_runner().invoke(args=["rotate-secret"])
        assert result.exit_code == 1
        assert "lost@example.org" in result.output and "Reset two-factor" in result.output


def test_unreadable_invitation_seed_still_enrols(db_app: Flask, team_key: str) -> None:
    token = new_invitation(db_app, "later@example.org")
    invitation_secret(db_app, token)  # encrypted under OLD, which is then lost
    with same_database(db_app, SECRET_KEY=NEW) as lost:
        client = lost.test_client()
        page = client.get(f"/staff/invite/{token}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        shown = invitation_secret(lost, token)
        assert shown in html  # a stable seed: the page and the acceptance agree
        accepted = client.post(
            f"/staff/invite/{token}",
            data={
                "csrf_token": csrf_of(html),
                "password": "plum orbit candle fjord seventy",
                "repeat": "plum orbit candle fjord seventy",
                "code": pyotp.TOTP(shown).now(),
            },
        )
        assert accepted.status_code == 302, accepted.get_data(as_text=True)[:3000]
        with lost.app_context():
            user = db_session().scalar(
                select(StaffUser).where(StaffUser.email == "later@example.org")
            )
            assert user is not None
            new = Member(user.id, user.email, shown, "plum orbit candle fjord seventy")
        assert login(lost, lost.test_client(), new, fresh_code(lost, new)).status_code == 302


def test_open_help_form_survives_a_rotation(db_app: Flask, team_key: str) -> None:
    """CSRF and fill-time tokens signed with the old key are still accepted as fallbacks."""
    old_client = db_app.test_client()
    tokens = HelpClient(old_client, "en").form_tokens()
    cookie = old_client.get_cookie("session")
    assert cookie is not None
    with same_database(db_app, SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]) as rotated:
        client = rotated.test_client()
        client.set_cookie("session", cookie.value)
        data = {**DEFAULT_FORM, **tokens, "message": "hi"}
        response = client.post("/en/help/", data=data, follow_redirects=True)
        assert response.status_code == SHOWN_ONCE, response.get_data(as_text=True)[:2000]
        assert 'class="receipt"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fallbacks", "says"),
    [
        ({"not": "a list"}, "must be a list of keys"),
        (["dev-insecure-change-me"], "holds the development key"),
    ],
)
def test_start_up_checks_refuse_unsafe_fallbacks(fallbacks: Any, says: str) -> None:
    config = checks.load_config(
        {**TEST_CONFIG, "SECRET_KEY": NEW, "SECRET_KEY_FALLBACKS": fallbacks}
    )
    problem = checks.secret_key_fallbacks_problem(config)
    assert problem is not None and says in problem


def test_one_fallback_key_from_the_environment_is_one_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """CAMPAIGN_SECRET_KEY_FALLBACKS=old (not JSON) must not become one key per character."""
    monkeypatch.setenv("CAMPAIGN_SECRET_KEY_FALLBACKS", OLD)
    config = checks.load_config({**TEST_CONFIG, "SECRET_KEY": NEW})
    assert config["SECRET_KEY_FALLBACKS"] == [OLD]
    assert checks.secret_key_fallbacks_problem(config) is None
