"""Staff members for tests and benchmarks: made through the app's own account code, and
signed in through the real login form with a fresh TOTP code.

A member is made as if they had accepted an invitation (password set, TOTP enrolled);
``fresh_code`` gives a code for a time step the member has not used yet, so that logins
in quick succession are not refused as replays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from campaign.cases import accounts
from campaign.core.db import db_session
from campaign.models import StaffUser
from devtools.forms import first_csrf_token_in

PASSWORD = "correct horse battery staple"  # noqa: S105 (only ever a test account)


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


def fresh_code(app: Flask, member: Member) -> str:
    """A code for a step not used yet (if all allowed steps are used, time is moved on).

    The current step comes first: a code for the step before may already be too old when
    the login is checked on a busy machine (one step of drift either way is accepted)."""
    now = dt.datetime.now(dt.UTC).timestamp()
    current = int(now // accounts.TOTP_STEP)
    with app.app_context():
        dbs = db_session()
        user = dbs.get(StaffUser, member.id)
        if user is None:
            raise LookupError(f"no staff user {member.id} ({member.email})")
        candidates = [s for s in (current, current + 1, current - 1) if s > user.totp_last_step]
        if not candidates:  # as if the next time step had come
            user.totp_last_step = current - 1
            dbs.commit()
            candidates = [current]
    return pyotp.TOTP(member.secret).at(candidates[0] * accounts.TOTP_STEP)


def login(app: Flask, client: FlaskClient, member: Member, code: str | None = None) -> TestResponse:
    """Fill and send the login form; the response tells how it went (302: signed in)."""
    html = client.get("/staff/login").get_data(as_text=True)
    token = first_csrf_token_in(html)
    if token is None:
        raise LookupError("no CSRF token on /staff/login")
    return client.post(
        "/staff/login",
        data={
            "csrf_token": token,
            "email": member.email,
            "password": member.password,
            "code": code or fresh_code(app, member),
        },
    )
