"""Server-side staff sessions.

The cookie ``staff_session`` holds ``<id>.<secret>``. The database keeps the SHA-256 of the
id, the times, and the member's private key encrypted under a key derived from the
secret, so neither a database dump nor a stolen cookie alone opens it. A session ends on
logout, after ``STAFF_IDLE_MINUTES`` without a request, or ``STAFF_SESSION_HOURS`` after
login, whichever comes first. Logging in always makes a new session (rotation).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app, request
from nacl.public import PrivateKey
from sqlalchemy import delete
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from campaign.cases import crypto
from campaign.models import StaffSession, StaffUser
from campaign.models.base import as_utc, utcnow

COOKIE = "staff_session"


@dataclass(frozen=True)
class CurrentStaff:
    user: StaffUser
    private_key: PrivateKey
    session_id: str


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def start(session: Session, user: StaffUser, private_key: PrivateKey) -> str:
    """Create a session; returns the cookie value."""
    sid, secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            id=_hash(sid),
            user_id=user.id,
            private_key_enc=crypto.encrypt(crypto.session_box_key(secret), bytes(private_key)),
        )
    )
    session.commit()
    return f"{sid}.{secret}"


def set_cookie(response: Response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config["HTTPS"]),
        path="/staff",
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/staff")


def load(session: Session) -> CurrentStaff | None:
    """The logged-in member for this request, or None (and expired sessions are removed)."""
    raw = request.cookies.get(COOKIE, "")
    sid, _, secret = raw.partition(".")
    if not sid or not secret:
        return None
    row = session.get(StaffSession, _hash(sid))
    if row is None:
        return None
    now = utcnow()
    idle = dt.timedelta(minutes=float(current_app.config["STAFF_IDLE_MINUTES"]))
    absolute = dt.timedelta(hours=float(current_app.config["STAFF_SESSION_HOURS"]))
    user = row.user
    if (
        now - as_utc(row.last_seen_at) > idle
        or now - as_utc(row.created_at) > absolute
        or not user.is_active
    ):
        session.delete(row)
        session.commit()
        return None
    try:
        key = PrivateKey(crypto.decrypt(crypto.session_box_key(secret), row.private_key_enc))
    except crypto.DecryptionError:
        return None
    if now - as_utc(row.last_seen_at) > dt.timedelta(seconds=30):
        row.last_seen_at = now
        session.commit()
    return CurrentStaff(user=user, private_key=key, session_id=row.id)


def end(session: Session, current: CurrentStaff) -> None:
    session.execute(delete(StaffSession).where(StaffSession.id == current.session_id))
    session.commit()


def end_all_expired(session: Session) -> int:
    now = utcnow()
    hours = float(current_app.config["STAFF_SESSION_HOURS"])
    result = session.execute(
        delete(StaffSession).where(StaffSession.created_at < now - dt.timedelta(hours=hours))
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
