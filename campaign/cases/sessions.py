"""Server-side staff sessions.

The cookie (set by ``campaign.staff.cookies``) holds ``<id>.<secret>``. The database keeps
the SHA-256 of the id, the times, and the member's private key encrypted under a key
derived from the secret, so neither a database dump nor a stolen cookie alone opens it. A
session ends on logout, after ``STAFF_IDLE_MINUTES`` without a request, or
``STAFF_SESSION_HOURS`` after login, whichever comes first. Logging in always makes a new
session (rotation).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from campaign.cases import audit, crypto
from campaign.cases.crypto import PrivateKey
from campaign.core.settings import setting
from campaign.models import StaffSession, StaffUser
from campaign.models.base import as_utc, utcnow


@dataclass(frozen=True)
class CurrentStaff:
    user: StaffUser
    private_key: PrivateKey
    session_id: str


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def start(session: Session, user: StaffUser, private_key: PrivateKey) -> str:
    """Create a session (and delete every expired one); returns the cookie value."""
    end_expired(session)
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


def load(session: Session, raw: str) -> CurrentStaff | None:
    """The member whose session cookie value is ``raw``, or None (an expired row is removed)."""
    sid, _, secret = raw.partition(".")
    if not sid or not secret:
        return None
    row = session.get(StaffSession, _hash(sid))
    if row is None:
        return None
    now = utcnow()
    idle = dt.timedelta(minutes=float(setting("STAFF_IDLE_MINUTES")))
    absolute = dt.timedelta(hours=float(setting("STAFF_SESSION_HOURS")))
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
        key = crypto.private_key_from_bytes(
            crypto.decrypt(crypto.session_box_key(secret), row.private_key_enc)
        )
    except crypto.DecryptionError:
        return None
    if now - as_utc(row.last_seen_at) > dt.timedelta(seconds=30):
        row.last_seen_at = now
        session.commit()
    return CurrentStaff(user=user, private_key=key, session_id=row.id)


def end(session: Session, current: CurrentStaff) -> None:
    session.execute(delete(StaffSession).where(StaffSession.id == current.session_id))
    session.commit()


def end_all(session: Session, user: StaffUser, keep: str | None = None) -> None:
    """End every session of the member (but ``keep``); the caller commits."""
    statement = delete(StaffSession).where(StaffSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(StaffSession.id != keep)
    session.execute(statement)


def end_everyone(session: Session, user: StaffUser | None) -> int:
    """End one member's sessions (or every member's), audited; commits; returns how many."""
    statement = delete(StaffSession)
    if user is not None:
        statement = statement.where(StaffSession.user_id == user.id)
    result = session.execute(statement)
    ended = int(getattr(result, "rowcount", 0) or 0)
    audit.record(
        session, None, "sessions-ended", detail=f"{ended} of {user.email if user else 'everyone'}"
    )
    session.commit()
    return ended


def end_expired(session: Session, now: dt.datetime | None = None) -> int:
    """Delete every idle- or absolute-expired session row; the caller commits."""
    now = as_utc(now)
    idle = dt.timedelta(minutes=float(setting("STAFF_IDLE_MINUTES")))
    absolute = dt.timedelta(hours=float(setting("STAFF_SESSION_HOURS")))
    result = session.execute(
        delete(StaffSession).where(
            or_(StaffSession.last_seen_at < now - idle, StaffSession.created_at < now - absolute)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
