"""Staff hardening: no lockout by strangers, one answer to every failure, sessions that end
when they should, one live link per member, strong passwords, the Secure cookie name."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from campaign.cases import accounts
from campaign.core.db import db_session
from campaign.models import AuditEvent, Invitation, StaffSession, StaffUser
from tests.staff.staffclient import (
    PASSWORD,
    Member,
    csrf_of,
    fresh_code,
    login,
    make_member,
    post_form,
)

WEAK = "aaaaaaaaaaaaaaaa"
NEW_PASSWORD = "a brand new passphrase here"


def login_from(
    app: Flask, client: FlaskClient, member: Member, address: str, code: str | None = None
) -> TestResponse:
    """A login from the client network of ``address``."""
    environ = {"REMOTE_ADDR": address}
    html = client.get("/staff/login", environ_base=environ).get_data(as_text=True)
    return client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_of(html),
            "email": member.email,
            "password": member.password,
            "code": code or fresh_code(app, member),
        },
        environ_base=environ,
    )


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        return int(db_session().scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_strangers_failures_never_lock_the_member_out(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "target@example.org")
    attacker = Member(member.id, member.email, member.secret, password="guess number one")
    for _ in range(8):
        answer = login_from(db_app, db_app.test_client(), attacker, "203.0.113.9", "000000")
        assert accounts.LOGIN_FAILED in answer.get_data(as_text=True)
    # The right password and a fresh code from the member's own network get in at once.
    assert login_from(db_app, db_app.test_client(), member, "198.51.100.7").status_code == 302
    # The attacker's network is still held back, even with the right password now.
    held = login_from(db_app, db_app.test_client(), member, "203.0.113.9")
    assert held.status_code == 200 and accounts.LOGIN_FAILED in held.get_data(as_text=True)


def test_every_failure_gives_the_same_answer(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "same@example.org")
    answers = []
    wrong = Member(member.id, member.email, member.secret, password="not the password at all")
    answers.append(login_from(db_app, db_app.test_client(), wrong, "192.0.2.1"))
    unknown = Member(0, "nobody@example.org", member.secret)
    answers.append(login_from(db_app, db_app.test_client(), unknown, "192.0.2.2", "123456"))
    answers.append(login_from(db_app, db_app.test_client(), member, "192.0.2.3", "000000"))
    for _ in range(5):
        login_from(db_app, db_app.test_client(), wrong, "192.0.2.4")
    answers.append(login_from(db_app, db_app.test_client(), member, "192.0.2.4"))  # held back
    pages = [a.get_data(as_text=True) for a in answers]
    assert all(a.status_code == 200 for a in answers)
    assert all(accounts.LOGIN_FAILED in page for page in pages)
    assert not any("locked" in page.lower() or "two-factor" in page.lower() for page in pages)
    # Admins see the failures; the address typed for an unknown account is not kept.
    assert count(db_app, AuditEvent, AuditEvent.action == "login-failed") >= 8
    with db_app.app_context():
        details = db_session().scalars(select(AuditEvent.detail)).all()
        labels = db_session().scalars(select(AuditEvent.actor_label)).all()
        user = db_session().get(StaffUser, member.id)
        assert user is not None and user.failed_logins >= 8
    assert not any("nobody@" in text for text in [*details, *labels])
    admin = make_member(db_app, "watch@example.org", role="admin")
    client = db_app.test_client()
    login(db_app, client, admin)
    audit_page = client.get("/staff/admin/audit").get_data(as_text=True)
    assert "Repeated failed logins" in audit_page and "same@example.org" in audit_page


def test_right_password_after_a_2fa_reset_is_no_oracle(db_app: Flask, team_key: str) -> None:
    admin = make_member(db_app, "admin@example.org", role="admin")
    member = make_member(db_app, "reset@example.org")
    with db_app.app_context():
        dbs = db_session()
        admin_user, user = dbs.get(StaffUser, admin.id), dbs.get(StaffUser, member.id)
        assert admin_user is not None and user is not None
        accounts.reset(dbs, admin_user, user, "reset-2fa")
    right = login_from(db_app, db_app.test_client(), member, "192.0.2.10")
    member.password = "a wrong password here"
    wrong = login_from(db_app, db_app.test_client(), member, "192.0.2.11")
    assert right.get_data(as_text=True).count(accounts.LOGIN_FAILED) == 1
    assert wrong.get_data(as_text=True).count(accounts.LOGIN_FAILED) == 1
    with db_app.app_context():
        user = db_session().get(StaffUser, member.id)
        assert user is not None and user.failed_logins == 2  # both counted


def test_expired_sessions_are_deleted_at_login_and_by_purge(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "old@example.org")
    for _ in range(3):
        login(db_app, db_app.test_client(), member)
    assert count(db_app, StaffSession) == 3
    with db_app.app_context():
        rows = db_session().scalars(select(StaffSession)).all()
        rows[0].last_seen_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        rows[1].created_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=13)
        db_session().commit()
    login(db_app, db_app.test_client(), member)  # a login sweeps both expired rows
    assert count(db_app, StaffSession) == 2
    with db_app.app_context():
        for row in db_session().scalars(select(StaffSession)):
            row.last_seen_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        db_session().commit()
    result = db_app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "2 expired staff sessions" in result.output
    assert count(db_app, StaffSession) == 0


def test_end_sessions_command(db_app: Flask, team_key: str) -> None:
    one = make_member(db_app, "one@example.org")
    two = make_member(db_app, "two@example.org")
    for member in (one, one, two):
        assert login(db_app, db_app.test_client(), member).status_code == 302
    runner = db_app.test_cli_runner()
    ended = runner.invoke(args=["staff", "end-sessions", "ONE@example.org"])
    assert ended.exit_code == 0, ended.output
    assert "Ended 2 sessions of one@example.org" in ended.output
    assert count(db_app, StaffSession) == 1
    unknown = runner.invoke(args=["staff", "end-sessions", "nobody@example.org"])
    assert unknown.exit_code != 0 and "no staff member" in unknown.output
    everyone = runner.invoke(args=["staff", "end-sessions"])
    assert everyone.exit_code == 0 and "Ended 1 session of everyone" in everyone.output
    assert count(db_app, StaffSession) == 0
    with db_app.app_context():
        actions = db_session().scalars(select(AuditEvent.action)).all()
    assert actions.count("sessions-ended") == 2


def test_other_sessions_end_on_password_change(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "pw@example.org")
    other, mine = db_app.test_client(), db_app.test_client()
    login(db_app, other, member)
    login(db_app, mine, member)
    changed = post_form(
        mine,
        "/staff/account",
        "/staff/account",
        {
            "pw-current": PASSWORD,
            "pw-new": "a brand new passphrase here",
            "pw-repeat": "a brand new passphrase here",
        },
        prefix="pw",
    )
    assert changed.status_code == 302
    assert mine.get("/staff/").status_code == 200
    assert other.get("/staff/").status_code == 302
    assert count(db_app, StaffSession) == 1


def test_sessions_end_on_2fa_reset_disable_and_role_change(db_app: Flask, team_key: str) -> None:
    admin = make_member(db_app, "boss@example.org", role="admin")
    boss = db_app.test_client()
    login(db_app, boss, admin)
    targets = {}
    for action in ("reset-2fa", "disable", "role-admin"):
        member = make_member(db_app, f"{action}@example.org")
        client = db_app.test_client()
        login(db_app, client, member)
        assert client.get("/staff/").status_code == 200
        targets[action] = (member, client)
    for action, (member, client) in targets.items():
        answer = post_form(
            boss, "/staff/admin/users", f"/staff/admin/users/{member.id}/{action}", {}
        )
        assert answer.status_code in (200, 302), action
        assert client.get("/staff/").status_code == 302, action
    with db_app.app_context():
        user = db_session().get(StaffUser, targets["role-admin"][0].id)
        assert user is not None and user.role == "admin"
        assert db_session().scalars(select(StaffSession.user_id)).all() == [admin.id]


def _token(link: str) -> str:
    match = re.search(r"/staff/invite/([\w-]+)", link)
    assert match
    return match.group(1)


def test_a_newer_link_revokes_the_older_and_resets_expire_sooner(
    db_app: Flask, team_key: str
) -> None:
    admin = make_member(db_app, "chief@example.org", role="admin")
    member = make_member(db_app, "forgot@example.org")
    with db_app.app_context():
        dbs = db_session()
        admin_user, user = dbs.get(StaffUser, admin.id), dbs.get(StaffUser, member.id)
        assert admin_user is not None and user is not None
        first = accounts.reset(dbs, admin_user, user, "reset-account")
        second = accounts.reset(dbs, admin_user, user, "reset-account")
        assert accounts.open_invitation(dbs, first) is None  # replaced by the newer one
        newest = accounts.open_invitation(dbs, second)
        assert newest is not None
        hours = (newest.expires_at - newest.created_at).total_seconds() / 3600
        assert abs(hours - db_app.config["STAFF_RESET_HOURS"]) < 0.01
        assert db_app.config["STAFF_RESET_HOURS"] < db_app.config["STAFF_INVITE_HOURS"]
    client = db_app.test_client()
    assert client.get(f"/staff/invite/{first}").status_code == 404


def test_an_accepted_link_revokes_every_other_open_one(db_app: Flask, team_key: str) -> None:
    admin = make_member(db_app, "lead@example.org", role="admin")
    with db_app.app_context():
        dbs = db_session()
        admin_user = dbs.get(StaffUser, admin.id)
        assert admin_user is not None
        token = accounts.create_invitation(dbs, by=admin_user, email="new@example.org")
        invitation = accounts.open_invitation(dbs, token)
        assert invitation is not None
        secret = accounts.enrolment_secret(dbs, invitation)
        # An older link for the same address, made another way, still open:
        stale = Invitation(
            token_hash="0" * 64,
            email="new@example.org",
            name="",
            role="admin",
            purpose="invite",
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        )
        dbs.add(stale)
        dbs.commit()
        import pyotp

        accounts.accept_invitation(
            dbs,
            invitation,
            "a long and fine passphrase",
            "a long and fine passphrase",
            pyotp.TOTP(secret).now(),
        )
        dbs.refresh(stale)
        assert stale.revoked_at is not None and stale.used_at is None


def test_weak_passwords_are_refused_with_advice(db_app: Flask, team_key: str) -> None:
    admin = make_member(db_app, "strong@example.org", role="admin")
    with db_app.app_context():
        dbs = db_session()
        admin_user = dbs.get(StaffUser, admin.id)
        assert admin_user is not None
        token = accounts.create_invitation(dbs, by=admin_user, email="weak@example.org")
    client = db_app.test_client()
    html = client.get(f"/staff/invite/{token}").get_data(as_text=True)
    answer = client.post(
        f"/staff/invite/{token}",
        data={"csrf_token": csrf_of(html), "password": WEAK, "repeat": WEAK, "code": "123456"},
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "too easy to guess" in page
    assert "unrelated words" in page
    runner = db_app.test_cli_runner()
    refused = runner.invoke(
        args=["staff", "create-admin", "--email", "weak@example.org"], input=f"{WEAK}\n{WEAK}\n"
    )
    assert refused.exit_code != 0 and "too easy to guess" in refused.output
    accepted = runner.invoke(
        args=["staff", "create-admin", "--email", "fine@example.org"],
        input="violet rivers carry old lanterns\nviolet rivers carry old lanterns\n",
    )
    assert accepted.exit_code == 0, accepted.output


def test_staff_cookie_is_secure_prefixed_over_https(
    db_app: Flask, app_config: dict[str, object], team_key: str
) -> None:
    db_app.config["HTTPS"] = True
    member = make_member(db_app, "https@example.org")
    client = db_app.test_client()
    answer = login_from(db_app, client, member, "192.0.2.50")
    assert answer.status_code == 302
    cookies = answer.headers.getlist("Set-Cookie")
    staff = [c for c in cookies if "staff_session" in c]
    assert staff and staff[0].startswith("__Secure-staff_session=")
    assert "Secure" in staff[0] and "Path=/staff" in staff[0] and "HttpOnly" in staff[0]
