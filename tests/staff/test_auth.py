"""Staff authentication: TOTP replay and drift, wrong codes, lockout, session rotation,
idle and absolute expiry, logout, CSRF, disabled accounts, password change re-wrapping."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select

from campaign.cases import accounts, crypto
from campaign.core.db import db_session
from campaign.models import LoginThrottle, StaffSession, StaffUser
from tests.staff.staffclient import (
    PASSWORD,
    accept_invitation,
    csrf_of,
    fresh_code,
    grant,
    login,
    make_member,
    reset_link,
)


def code_at(secret: str, steps_from_now: int) -> str:
    now = dt.datetime.now(dt.UTC).timestamp()
    return pyotp.TOTP(secret).at(now + steps_from_now * accounts.TOTP_STEP)


def test_totp_drift_of_one_step_only(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "drift@example.org")
    assert (
        login(db_app, db_app.test_client(), member, code_at(member.secret, -3)).status_code == 200
    )
    assert login(db_app, db_app.test_client(), member, code_at(member.secret, 3)).status_code == 200
    assert (
        login(db_app, db_app.test_client(), member, code_at(member.secret, -1)).status_code == 302
    )


def test_used_code_cannot_be_used_again(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "replay@example.org")
    code = fresh_code(db_app, member)
    assert login(db_app, db_app.test_client(), member, code).status_code == 302
    again = login(db_app, db_app.test_client(), member, code)
    assert again.status_code == 200
    assert "already used" in again.get_data(as_text=True)


def test_wrong_codes_hold_back_that_network_only(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "lock@example.org")
    for _ in range(5):
        assert login(db_app, db_app.test_client(), member, "000000").status_code == 200
    held = login(db_app, db_app.test_client(), member)
    assert held.status_code == 200
    assert accounts.LOGIN_FAILED in held.get_data(as_text=True)
    with db_app.app_context():
        throttle = db_session().scalars(select(LoginThrottle)).one()
        assert throttle.blocked_until is not None
        throttle.blocked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)  # time passes
        db_session().commit()
    assert login(db_app, db_app.test_client(), member).status_code == 302


def test_wrong_password_and_unknown_email_look_the_same(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "same@example.org")
    member.password = "wrong password here"
    wrong = login(db_app, db_app.test_client(), member).get_data(as_text=True)
    member.email = "nobody@example.org"
    unknown = login(db_app, db_app.test_client(), member).get_data(as_text=True)
    assert accounts.LOGIN_FAILED in wrong and accounts.LOGIN_FAILED in unknown


def test_login_rotates_the_session_and_logout_ends_it(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "rotate@example.org")
    client = db_app.test_client()
    login(db_app, client, member)
    first = client.get_cookie("staff_session", path="/staff")
    assert first is not None and first.http_only and first.same_site == "Strict"
    login(db_app, client, member)
    second = client.get_cookie("staff_session", path="/staff")
    assert second is not None and second.value != first.value
    with db_app.app_context():
        assert len(db_session().scalars(select(StaffSession)).all()) == 2
    token = csrf_of(client.get("/staff/").get_data(as_text=True))
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").status_code == 302
    with db_app.app_context():
        assert len(db_session().scalars(select(StaffSession)).all()) == 1
    # The old cookie from the first login still works until it expires: it is its own session.
    other = db_app.test_client()
    other.set_cookie("staff_session", first.value, path="/staff")
    assert other.get("/staff/").status_code == 200


@pytest.mark.parametrize("which", ["idle", "absolute"])
def test_session_expiry(db_app: Flask, team_key: str, which: str) -> None:
    member = make_member(db_app, f"{which}@example.org")
    client = db_app.test_client()
    login(db_app, client, member)
    assert client.get("/staff/").status_code == 200
    with db_app.app_context():
        row = db_session().scalars(select(StaffSession)).one()
        if which == "idle":
            row.last_seen_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
        else:
            row.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=13)
        db_session().commit()
    assert client.get("/staff/").status_code == 302
    with db_app.app_context():
        assert db_session().scalars(select(StaffSession)).all() == []


def test_stolen_cookie_id_without_secret_opens_nothing(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "cookie@example.org")
    client = db_app.test_client()
    login(db_app, client, member)
    cookie = client.get_cookie("staff_session", path="/staff")
    assert cookie is not None
    sid = cookie.value.split(".")[0]
    thief = db_app.test_client()
    thief.set_cookie("staff_session", f"{sid}.forged-secret", path="/staff")
    assert thief.get("/staff/").status_code == 302


def test_staff_forms_need_csrf(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "csrf@example.org", "admin")
    grant(db_app, "Hotline", member, team_key)
    client = db_app.test_client()
    login(db_app, client, member)
    # Login without a token: refused, no session.
    fresh = db_app.test_client()
    refused = fresh.post(
        "/staff/login",
        data={"email": member.email, "password": PASSWORD, "code": fresh_code(db_app, member)},
    )
    assert refused.status_code == 200 and "expired" in refused.get_data(as_text=True)
    assert fresh.get_cookie("staff_session", path="/staff") is None
    # Actions without a token change nothing and keep the typed text.
    from tests.helpclient import HelpClient

    HelpClient(db_app.test_client(), "en").submit_ok("csrf case")
    response = client.post("/staff/requests/1/note", data={"note-text": "KEEP-THIS-NOTE"})
    assert response.status_code == 400
    assert "KEEP-THIS-NOTE" in response.get_data(as_text=True)
    response = client.post("/staff/requests/1/status", data={"status-status": "closed"})
    assert response.status_code == 400
    assert client.post("/staff/admin/users/1/disable", data={}).status_code == 302
    with db_app.app_context():
        user = db_session().get(StaffUser, member.id)
        assert user is not None and user.is_active
    assert client.get("/staff/").status_code == 200
    # Logging out works even from an expired page (no valid token): it must never fail.
    assert client.post("/staff/logout", data={}).status_code == 302
    assert client.get("/staff/").status_code == 302


def test_disabled_account_cannot_log_in_and_loses_sessions(db_app: Flask, team_key: str) -> None:
    admin = make_member(db_app, "boss@example.org", "admin")
    member = make_member(db_app, "leaver@example.org")
    admin_client, member_client = db_app.test_client(), db_app.test_client()
    login(db_app, admin_client, admin)
    login(db_app, member_client, member)
    page = admin_client.get("/staff/admin/users").get_data(as_text=True)
    assert (
        admin_client.post(
            f"/staff/admin/users/{member.id}/disable", data={"csrf_token": csrf_of(page)}
        ).status_code
        == 302
    )
    assert member_client.get("/staff/").status_code == 302
    assert login(db_app, db_app.test_client(), member).status_code == 200


def test_reset_two_factor_gives_a_link_and_old_secret_stops_working(
    db_app: Flask, team_key: str
) -> None:
    admin = make_member(db_app, "boss2@example.org", "admin")
    member = make_member(db_app, "lostphone@example.org")
    admin_client = db_app.test_client()
    login(db_app, admin_client, admin)
    token = reset_link(admin_client, member, "reset-2fa")
    assert login(db_app, db_app.test_client(), member).status_code == 200  # no TOTP now
    done = accept_invitation(db_app.test_client(), token, PASSWORD, repeat=False)
    assert done.response.status_code == 302
    member.secret = done.secret
    assert login(db_app, db_app.test_client(), member).status_code == 302


def test_password_change_rewraps_the_key(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "newpass@example.org")
    grant(db_app, "Hotline", member, team_key)
    client = db_app.test_client()
    login(db_app, client, member)
    page = client.get("/staff/account").get_data(as_text=True)
    import re

    token = re.search(r'name="pw-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    new = "a much longer new password"
    changed = client.post(
        "/staff/account",
        data={
            "pw-csrf_token": token.group(1),
            "pw-current": PASSWORD,
            "pw-new": new,
            "pw-repeat": new,
        },
    )
    assert changed.status_code == 302
    with db_app.app_context():
        user = db_session().get(StaffUser, member.id)
        assert user is not None
        private = crypto.unwrap_private_key(
            user.private_key_wrapped, user.key_salt, new, accounts.key_params()
        )
        assert bytes(private.public_key) == user.public_key
        with pytest.raises(crypto.DecryptionError):
            crypto.unwrap_private_key(
                user.private_key_wrapped, user.key_salt, PASSWORD, accounts.key_params()
            )
    member.password = new
    assert login(db_app, db_app.test_client(), member).status_code == 302


def test_create_admin_command_reads_password_from_stdin(db_app: Flask) -> None:
    runner = db_app.test_cli_runner()
    result = runner.invoke(
        args=["staff", "create-admin", "--email", "root@example.org"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "/staff/invite/" in result.output
    assert PASSWORD not in result.output
    with db_app.app_context():
        user = db_session().scalars(select(StaffUser)).one()
        assert user.is_admin and user.totp_secret_enc is None


def test_grant_command_with_recovery_key(db_app: Flask, team_key: str) -> None:
    member = make_member(db_app, "granted@example.org")
    runner = db_app.test_cli_runner()
    wrong = runner.invoke(args=["staff", "grant", "Hotline", member.email], input="AAAAA-BBBBB\n")
    assert wrong.exit_code != 0
    ok = runner.invoke(args=["staff", "grant", "Hotline", member.email], input=f"{team_key}\n")
    assert ok.exit_code == 0, ok.output


def test_forgotten_password_reset_gives_new_keys_to_grant_again(
    db_app: Flask, team_key: str
) -> None:
    admin = make_member(db_app, "boss3@example.org", "admin")
    grant(db_app, "Hotline", admin, team_key)
    member = make_member(db_app, "forgot@example.org")
    grant(db_app, "Hotline", member, team_key)
    admin_client = db_app.test_client()
    login(db_app, admin_client, admin)
    token = reset_link(admin_client, member, "reset-account")
    assert login(db_app, db_app.test_client(), member).status_code == 200  # old TOTP gone
    client = db_app.test_client()
    new = "a brand new password please"
    done = accept_invitation(client, token, new)
    assert done.response.status_code == 302
    member.password, member.secret = new, done.secret
    assert login(db_app, client, member).status_code == 302
    from tests.helpclient import HelpClient

    HelpClient(db_app.test_client(), "en").submit_ok("after reset RESET-MARKER")
    assert "RESET-MARKER" not in client.get("/staff/requests/1").get_data(as_text=True)
    # The admin, who holds the team key, grants it again: content is readable once more.
    from tests.staff.staffclient import post_form

    post_form(
        admin_client, "/staff/admin/teams/1", "/staff/admin/teams/1", {"user": str(member.id)}
    )
    assert "RESET-MARKER" in client.get("/staff/requests/1").get_data(as_text=True)


def test_login_is_rate_limited_per_network(db_app: Flask, team_key: str) -> None:
    db_app.config["LOGIN_RATE_LIMIT"] = "3 per hour"
    member = make_member(db_app, "limited@example.org")
    member.password = "not the password at all"
    client = db_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    statuses = [login(db_app, client, member, "123456").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    other = db_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    assert login(db_app, other, member, "123456").status_code == 200


def test_adding_a_member_needs_the_team_key(db_app: Flask, team_key: str) -> None:
    keyless_admin = make_member(db_app, "keyless@example.org", "admin")
    member = make_member(db_app, "newbie@example.org")
    client = db_app.test_client()
    login(db_app, client, keyless_admin)
    page = client.get("/staff/admin/teams/1").get_data(as_text=True)
    assert "You do not hold this team's key" in page
    refused = client.post(
        "/staff/admin/teams/1", data={"csrf_token": csrf_of(page), "user": str(member.id)}
    )
    assert refused.status_code == 200
    assert "Only someone who holds this team" in refused.get_data(as_text=True)
    from campaign.models import TeamMembership

    with db_app.app_context():
        assert db_session().scalars(select(TeamMembership)).all() == []
