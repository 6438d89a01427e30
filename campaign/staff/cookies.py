"""The staff session cookie: its name, attributes, and reading it from the request.

The value is ``<id>.<secret>`` made by ``campaign.cases.sessions.start``; the database
keeps only a hash of the id, and the secret opens the member's private key.
"""

from __future__ import annotations

from flask import current_app, request
from werkzeug.wrappers import Response

COOKIE = "staff_session"
PATH = "/staff"


def read() -> str:
    return request.cookies.get(COOKIE, "")


def set_cookie(response: Response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config["HTTPS"]),
        path=PATH,
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH)
