"""Staff login: password and a fresh TOTP code, throttled per (address tried, client network).

What an attacker can and cannot do here:

- **Guessing** is slowed per (address, network): every try is counted *before* anything is
  checked, in one atomic statement, so twenty tries sent at once are counted twenty times;
  after ``STAFF_LOCKOUT_ATTEMPTS`` failures in a row, tries from that network wait a
  back-off (``STAFF_BACKOFF_SECONDS``, doubling, at most ``STAFF_LOCKOUT_MINUTES``) and are
  refused unchecked. A success clears the count.
- **Locking a member out** is not possible from elsewhere: the back-off holds only the
  network the failures came from. A member behind the same network as an attacker waits
  the back-off like the attacker (the trade-off: the alternative, checking during the
  back-off, would let the attacker keep guessing at full speed).
- **Learning whether an address exists, is throttled, has no TOTP yet, or whether a
  password was right** is not possible from the answer: every failure gives the same
  message after the same work (one Argon2id check, against a dummy hash when there is no
  account or the try is held back), and each failure is counted.
- **Replaying a code** fails even when the same code is sent several times at once: the
  step is recorded with a conditional update, and only the request that changed the row
  gets in. The others are told "this code was already used" (``CODE_USED``), but only
  when the password was right and the code was a real one for this moment: whoever sees
  that answer already holds the password and a current code, so it tells them nothing
  new, while a member who pressed twice, or logged in on another device a moment ago,
  learns to wait for the next code instead of doubting their password.

Admins see failures in the audit log (``login-failed`` per try on an existing account, and
the count of failures since the last login on the users page); the address typed is never
stored for unknown accounts (people sometimes type a password into the email field).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaign.cases import accounts, audit, crypto
from campaign.cases.crypto import PrivateKey
from campaign.core.settings import setting
from campaign.models import LoginThrottle, StaffUser
from campaign.models.base import utcnow

LOGIN_FAILED = accounts.LOGIN_FAILED
CODE_USED = _l("This code was already used: wait for the next one.")


class LoginError(ValueError):
    """Every failed login: one message for all reasons (but a reused code, below)."""


class CodeUsedError(LoginError):
    """The right password and a real code, but its time step was used already."""


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser
    private_key: PrivateKey


def throttle_key(email: str, client: str) -> str:
    """An opaque key for (address tried, client network key): neither can be read back."""
    secret = crypto.server_key(str(setting("SECRET_KEY")), b"login-throttle")
    return hmac.new(secret, f"{email}\n{client}".encode(), hashlib.sha256).hexdigest()


def backoff(failures: int) -> dt.timedelta:
    """How long tries wait after ``failures`` failures in a row (zero below the limit)."""
    free = int(setting("STAFF_LOCKOUT_ATTEMPTS"))
    if failures < free:
        return dt.timedelta(0)
    seconds = float(setting("STAFF_BACKOFF_SECONDS")) * 2 ** min(failures - free, 30)
    longest = dt.timedelta(minutes=float(setting("STAFF_LOCKOUT_MINUTES")))
    return min(dt.timedelta(seconds=seconds), longest)


def reserve_try(session: Session, key: str, now: dt.datetime | None = None) -> bool:
    """Count this try before it is checked; False if the key is in its back-off.

    Committed at once, so a concurrent try sees it: on PostgreSQL the row lock makes the
    second UPDATE wait and re-read the row; on SQLite writers are serialised.
    """
    now = now or utcnow()
    free_now = or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now)
    for _attempt in range(3):
        failures = session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key, free_now)
            .values(failures=LoginThrottle.failures + 1, updated_at=now)
            .returning(LoginThrottle.failures)
        ).scalar_one_or_none()
        if failures is None:
            if session.get(LoginThrottle, key, populate_existing=True) is not None:
                session.commit()
                return False  # in its back-off
            session.add(LoginThrottle(key=key, failures=1, updated_at=now))
            try:
                session.commit()
            except IntegrityError:  # another try made the row first: count on it
                session.rollback()
                continue
            failures = 1
        wait = backoff(failures)
        if wait:
            session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.key == key)
                .values(blocked_until=now + wait)
            )
        session.commit()
        return True
    return False


def clear_tries(session: Session, key: str) -> None:
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(failures=0, blocked_until=None, updated_at=utcnow())
    )


def forget_old_tries(session: Session, now: dt.datetime | None = None) -> int:
    """Delete counters untouched for a day and out of their back-off; the caller commits."""
    now = now or utcnow()
    result = session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.updated_at < now - dt.timedelta(days=1),
            or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _count_failure(session: Session, user: StaffUser | None) -> None:
    if user is not None:
        session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id)
            .values(failed_logins=StaffUser.failed_logins + 1)
        )
        audit.record(session, user, "login-failed")
    session.commit()


def _claim_step(session: Session, user: StaffUser, step: int) -> bool:
    """Record the code's time step; True only for the one try that moved it forward."""
    result = session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id, StaffUser.totp_last_step < step)
        .values(totp_last_step=step)
    )
    return getattr(result, "rowcount", 0) == 1


def login(session: Session, email: str, password: str, code: str, client: str) -> LoginResult:
    """Check password and TOTP and open the member's private key; LoginError otherwise.

    ``client`` is the client network's opaque key (from the rate limiter), never an address.
    """
    email = email.strip().lower()[:200]
    key = throttle_key(email, client)
    user = session.scalar(select(StaffUser).where(StaffUser.email == email))
    if not reserve_try(session, key):
        accounts.dummy_verify(password)
        _count_failure(session, user)
        raise LoginError(LOGIN_FAILED)
    if user is None:
        accounts.dummy_verify(password)
        _count_failure(session, None)
        raise LoginError(LOGIN_FAILED)
    password_right = accounts.password_ok(user, password)
    step = None
    if password_right and user.is_active and user.totp_secret_enc is not None:
        # A seed no key opens gives a stand-in seed (accounts.decrypt_totp_secret): a failure.
        secret = accounts.decrypt_totp_secret(user.totp_secret_enc)
        step = accounts.totp_step_matching(secret, code)
    if step is None or not _claim_step(session, user, step):
        session.rollback()
        _count_failure(session, user)
        raise CodeUsedError(str(CODE_USED)) if step is not None else LoginError(LOGIN_FAILED)
    private = crypto.unwrap_private_key(
        user.private_key_wrapped, user.key_salt, password, accounts.key_params()
    )
    hasher = accounts.password_hasher()
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.failed_logins = 0
    user.last_login_at = utcnow()
    clear_tries(session, key)
    audit.record(session, user, "login")
    session.commit()
    return LoginResult(user, private)
