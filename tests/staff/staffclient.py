"""Staff accounts and logins for tests, through the real forms.

Members, TOTP codes and the login form come from ``devtools.staff`` (the benchmarks sign
in the same way); this module adds what only tests do: granting a team key, posting any
staff form with its CSRF token, and accepting an invitation or reset link as a new member
would (open it, read the TOTP secret shown, send a password and a code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from campaign.cases import accounts, crypto, intake
from campaign.core.db import db_session
from campaign.models import HelpRequest, StaffUser, Team
from devtools.forms import csrf_token_in, first_csrf_token_in
from devtools.staff import PASSWORD, Member, fresh_code, login, make_member

__all__ = [
    "PASSWORD",
    "Enrolment",
    "Member",
    "accept_invitation",
    "csrf_of",
    "fresh_code",
    "grant",
    "login",
    "make_member",
    "post_form",
    "reset_link",
]

INVITATION = re.compile(r"/staff/invite/([\w-]+)")
TOTP_SECRET = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')


def grant(app: Flask, team_name: str, member: Member, recovery_key: str) -> None:
    with app.app_context():
        dbs = db_session()
        team = dbs.scalar(select(Team).where(Team.name == team_name))
        user = dbs.get(StaffUser, member.id)
        assert team is not None and user is not None
        accounts.grant_team_key(dbs, team, user, crypto.parse_recovery_key(recovery_key), None)


def csrf_of(html: str) -> str:
    token = first_csrf_token_in(html)
    assert token, "no CSRF token"
    return token


def post_form(
    client: FlaskClient, page: str, action: str, data: dict[str, str], prefix: str = ""
) -> TestResponse:
    """Post a form found on ``page`` (its CSRF token), like a browser would."""
    html = client.get(page).get_data(as_text=True)
    token_name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    token = csrf_token_in(html, prefix)
    if token is None:
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
        token = match.group(1) if match else None
    assert token, f"no CSRF token {token_name} on {page}"
    return client.post(action, data={token_name: token, **data})


def reset_link(admin_client: FlaskClient, member: Member, action: str) -> str:
    """An admin's reset (``reset-2fa``, ``reset-account``) of ``member`` from the members
    page; returns the token of the one-time link it shows."""
    page = admin_client.get("/staff/admin/users").get_data(as_text=True)
    shown = admin_client.post(
        f"/staff/admin/users/{member.id}/{action}", data={"csrf_token": csrf_of(page)}
    ).get_data(as_text=True)
    token = INVITATION.search(shown)
    assert token, shown[:2000]
    return token.group(1)


@dataclass(frozen=True)
class Enrolment:
    """An accepted link: the page as shown, the TOTP secret on it, the answer to the form."""

    page: str
    secret: str
    response: TestResponse


def accept_invitation(
    client: FlaskClient, token: str, password: str = PASSWORD, repeat: bool = True
) -> Enrolment:
    """Open ``/staff/invite/<token>``, read the TOTP secret, send the password (typed twice
    unless ``repeat`` is off, as the two-factor reset asks it once) and a current code."""
    page = client.get(f"/staff/invite/{token}").get_data(as_text=True)
    secret = TOTP_SECRET.search(page)
    assert secret, "no TOTP secret on the invitation page"
    data = {"csrf_token": csrf_of(page), "password": password}
    if repeat:
        data["repeat"] = password
    data["code"] = pyotp.TOTP(secret.group(1)).now()
    return Enrolment(page, secret.group(1), client.post(f"/staff/invite/{token}", data=data))


def logged_in_reading(app: Flask, member: Member, language: str = "en") -> FlaskClient:
    """The member logged in, reading the staff area in ``language`` (English unless given; saved
    on the account and asked for by the browser), for tests that match its text."""
    with app.app_context():
        user = db_session().get(StaffUser, member.id)
        assert user is not None
        user.language = language
        db_session().commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert login(app, client, member).status_code == 302
    return client


def signed_in(app: Flask, member: Member) -> FlaskClient:
    """The member logged in, with a browser that asks for English (the words tests match)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(app, client, member).status_code == 302
    return client


def stored_request(app: Flask, category: str = "physical", **contact: str) -> tuple[int, str]:
    """A request as the help form stores it (Minsk, Russian); returns its id and receipt."""
    with app.app_context():
        receipt = intake.submit(
            db_session(), intake.Submission(category, "minsk", "ru", "A message.", contact)
        )
        newest = db_session().scalar(select(HelpRequest.id).order_by(HelpRequest.id.desc()))
        assert newest is not None
        return newest, receipt
