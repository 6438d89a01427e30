"""The staff session cookie: its name, attributes, and reading it from the request.

The value is ``<id>.<secret>`` made by ``campaign.cases.sessions.start``; the database
keeps only a hash of the id, and the secret opens the member's private key.

With ``HTTPS`` on, the cookie is ``__Secure-staff_session``: browsers accept that name only
over HTTPS with the Secure flag, so a network attacker cannot plant one over plain HTTP.
It keeps ``Path=/staff`` (not ``__Host-``, which needs ``Path=/``) so that the staff cookie
is never sent with a public page.
"""

from __future__ import annotations

from flask import current_app, request
from werkzeug.wrappers import Response

COOKIE = "staff_session"
SECURE_COOKIE = "__Secure-staff_session"
PATH = "/staff"


def name() -> str:
    return SECURE_COOKIE if current_app.config["HTTPS"] else COOKIE


def read() -> str:
    return request.cookies.get(name(), "")


def set_cookie(response: Response, value: str) -> None:
    response.set_cookie(
        name(),
        value,
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config["HTTPS"]),
        path=PATH,
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(name(), path=PATH, secure=bool(current_app.config["HTTPS"]))
