"""Staff accounts and logins for tests, through the real forms."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from campaign.cases import accounts, crypto
from campaign.core.db import db_session
from campaign.models import StaffUser, Team

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Member:
    id: int
    email: str
    secret: str
    password: str = PASSWORD


def make_member(app: Flask, email: str, role: str = "caseworker", name: str = "") -> Member:
    """A member with a TOTP secret, as if they had accepted an invitation."""
    secret = accounts.new_totp_secret()
    with app.app_context():
        user = accounts.create_user(
            db_session(), email, name or email.split("@")[0], PASSWORD, role, secret
        )
        db_session().commit()
        return Member(user.id, user.email, secret)


def grant(app: Flask, team_name: str, member: Member, recovery_key: str) -> None:
    from sqlalchemy import select

    with app.app_context():
        dbs = db_session()
        team = dbs.scalar(select(Team).where(Team.name == team_name))
        user = dbs.get(StaffUser, member.id)
        assert team is not None and user is not None
        accounts.grant_team_key(dbs, team, user, crypto.parse_recovery_key(recovery_key), None)


def fresh_code(app: Flask, member: Member) -> str:
    """A code for a step not used yet (if all allowed steps are used, time is moved on)."""
    now = dt.datetime.now(dt.UTC).timestamp()
    current = int(now // accounts.TOTP_STEP)
    with app.app_context():
        dbs = db_session()
        user = dbs.get(StaffUser, member.id)
        assert user is not None
        candidates = [s for s in (current - 1, current, current + 1) if s > user.totp_last_step]
        if not candidates:  # as if the next time step had come
            user.totp_last_step = current - 2
            dbs.commit()
            candidates = [current - 1]
    return pyotp.TOTP(member.secret).at(candidates[0] * accounts.TOTP_STEP)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token"
    return match.group(1)


def login(app: Flask, client: FlaskClient, member: Member, code: str | None = None) -> TestResponse:
    html = client.get("/staff/login").get_data(as_text=True)
    return client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_of(html),
            "email": member.email,
            "password": member.password,
            "code": code or fresh_code(app, member),
        },
    )


def post_form(
    client: FlaskClient, page: str, action: str, data: dict[str, str], prefix: str = ""
) -> TestResponse:
    """Post a form found on ``page`` (its CSRF token), like a browser would."""
    html = client.get(page).get_data(as_text=True)
    token_name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    match = re.search(rf'name="{re.escape(token_name)}" type="hidden" value="([^"]+)"', html)
    if match is None:
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, f"no CSRF token {token_name} on {page}"
    return client.post(action, data={token_name: match.group(1), **data})
