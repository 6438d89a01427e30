"""Staff accounts: create, invite, enrol TOTP, log in (with lockout), change password, disable.

Plain functions on a SQLAlchemy session; routes and CLI commands call them. Passwords are
Argon2id hashes (argon2-cffi, rehashed when parameters change); TOTP is mandatory (pyotp,
one step of drift, a used step cannot be used again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from campaign.cases import audit, crypto, sessions
from campaign.cases.crypto import PrivateKey
from campaign.core import settings
from campaign.core.texts import N_, RefusalError
from campaign.models import Invitation, Role, StaffUser, Team, TeamMembership
from campaign.models.base import as_utc, utcnow

PASSWORD_MIN = 12
# The one answer to every failed login (see campaign/cases/login.py).
LOGIN_FAILED = N_(
    "The email, password or code is not right, or there were too many tries from here: "
    "wait a minute and try again with a new code."
)
TOTP_STEP = 30


class AccountError(RefusalError):
    """Something the person can fix; the message is shown to them (in their language)."""


def password_hasher() -> PasswordHasher:
    config = settings.config()
    return PasswordHasher(
        time_cost=int(config["STAFF_PASSWORD_TIME_COST"]),
        memory_cost=int(config["STAFF_PASSWORD_MEMORY_KIB"]),
        parallelism=1,
    )


def key_params() -> crypto.Argon2Params:
    return crypto.Argon2Params.from_settings("STAFF_KEY_TIME_COST", "STAFF_KEY_MEMORY_KIB")


def _totp_box_key() -> bytes:
    """The key new TOTP seeds are encrypted under: from SECRET_KEY, the newest key."""
    return crypto.server_keys(crypto.TOTP_SEED)[0]


def encrypt_totp_secret(secret: str) -> bytes:
    return crypto.encrypt(_totp_box_key(), secret.encode())


def decrypt_totp_secret(blob: bytes) -> str:
    """The seed, opened with SECRET_KEY or any key of SECRET_KEY_FALLBACKS.

    A seed no key opens (an old key dropped before ``flask rotate-secret`` ran) gives a
    stand-in seed nobody's app has: a login then fails like any wrong code (the one
    generic message, counted, nothing that tells a right password from a wrong one), and
    an invitation page offers the stand-in as a new seed, which accepting stores.
    """
    try:
        plaintext, _newest = crypto.open_server_secret(crypto.TOTP_SEED, blob)
    except crypto.DecryptionError:
        return crypto.stand_in_seed(crypto.TOTP_SEED, blob)
    return plaintext.decode()


def check_password_policy(
    password: str, repeat: str | None = None, *, user_inputs: Sequence[str] = ()
) -> None:
    """Long enough and hard to guess (zxcvbn): a member's key is only as strong as this.

    With a database dump, every offline guess at a password is a guess at the member's
    private key and every team key they hold, so "aaaaaaaaaaaa" is refused however long.
    """
    if repeat is not None and password != repeat:
        raise AccountError(N_("The two passwords are not the same."))
    if len(password) < PASSWORD_MIN:
        raise AccountError(
            N_("Use at least %(min)d characters: a few unrelated words make a good one."),
            min=PASSWORD_MIN,
        )
    inputs = [part for value in user_inputs for part in value.replace("@", " ").split()]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < int(
        settings.setting("STAFF_PASSWORD_MIN_SCORE")
    ):
        raise AccountError(
            N_(
                "This password is too easy to guess. Use four or more unrelated words, "
                "not a name, a date, a keyboard pattern or a repeated character."
            )
        )


def totp_step_matching(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code matches (now, or one step either side), else None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    moment = now if now is not None else dt.datetime.now(dt.UTC).timestamp()
    current = int(moment // TOTP_STEP)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * TOTP_STEP), code):
            return step
    return None


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Home without abuse staff")


def _normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 200:
        raise AccountError(N_("Enter an email address."))
    return email


def create_user(
    session: Session, email: str, name: str, password: str, role: str, totp_secret: str | None
) -> StaffUser:
    email = _normalise_email(email)
    check_password_policy(password, user_inputs=(email, name))
    if session.scalar(select(StaffUser).where(StaffUser.email == email)) is not None:
        raise AccountError(N_("An account with this email exists already."))
    keys = crypto.new_member_keys(password, key_params())
    user = StaffUser(
        email=email,
        name=name.strip() or email,
        role=role,
        password_hash=password_hasher().hash(password),
        public_key=keys.public_key,
        private_key_wrapped=keys.private_key_wrapped,
        key_salt=keys.salt,
        totp_secret_enc=encrypt_totp_secret(totp_secret) if totp_secret else None,
    )
    session.add(user)
    session.flush()
    return user


# --- invitations (also used to enrol or reset TOTP) ------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(
    session: Session,
    *,
    by: StaffUser | None,
    email: str,
    name: str = "",
    role: str = Role.CASEWORKER.value,
    team_ids: list[int] | None = None,
    purpose: str = "invite",
    user: StaffUser | None = None,
) -> str:
    """Store an invitation and return its one-time token (shown once, never stored)."""
    if role not in {r.value for r in Role}:
        raise AccountError("Unknown role.")
    if role == Role.EDITOR.value:
        team_ids = []  # editors publish only: no team, no team key, no request mail
    email = _normalise_email(email)
    if purpose == "invite" and session.scalar(select(StaffUser).where(StaffUser.email == email)):
        raise AccountError(N_("An account with this email exists already."))
    token = secrets.token_urlsafe(32)
    hours = float(
        settings.setting("STAFF_RESET_HOURS" if purpose in RESETS else "STAFF_INVITE_HOURS")
    )
    revoke_open_invitations(session, email)
    session.add(
        Invitation(
            token_hash=_token_hash(token),
            email=email,
            name=name.strip(),
            role=role,
            purpose=purpose,
            user_id=user.id if user else None,
            team_ids=",".join(str(t) for t in team_ids or []),
            created_by_id=by.id if by else None,
            expires_at=utcnow() + dt.timedelta(hours=hours),
        )
    )
    audit.record(session, by, f"{purpose}-created", detail=email)
    session.commit()
    return token


def revoke_open_invitations(session: Session, email: str) -> int:
    """End every open link for this address: only the newest link may ever work."""
    result = session.execute(
        update(Invitation)
        .where(
            Invitation.email == email,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def open_invitation(session: Session, token: str) -> Invitation | None:
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == _token_hash(token))
    )
    if invitation is None or invitation.used_at is not None or invitation.revoked_at is not None:
        return None
    if as_utc(invitation.expires_at) < utcnow():
        return None
    return invitation


def enrolment_secret(session: Session, invitation: Invitation) -> str:
    """The TOTP secret offered on this invitation's page (made once, kept encrypted)."""
    if invitation.totp_secret_enc is None:
        invitation.totp_secret_enc = encrypt_totp_secret(new_totp_secret())
        session.commit()
    return decrypt_totp_secret(invitation.totp_secret_enc)


def accept_invitation(
    session: Session, invitation: Invitation, password: str, repeat: str, code: str
) -> StaffUser:
    """New account (purpose invite) or new TOTP for an existing one (enrol/reset)."""
    secret = enrolment_secret(session, invitation)
    if invitation.purpose in ("invite", "reset-account"):  # a new password: say so first
        check_password_policy(password, repeat, user_inputs=(invitation.email, invitation.name))
    step = totp_step_matching(secret, code)
    if step is None:
        raise AccountError(
            N_("The code from your authenticator app is not right. Try the newest one.")
        )
    if invitation.purpose == "invite":
        user = create_user(
            session, invitation.email, invitation.name, password, invitation.role, secret
        )
        user.language = invitation.language  # the staff area's language, chosen when invited
        if invitation.role != Role.EDITOR.value:  # an editor joins no team (older links)
            for team_id in filter(None, invitation.team_ids.split(",")):
                session.add(TeamMembership(team_id=int(team_id), user_id=user.id))
    elif invitation.purpose == "reset-account":
        found = session.get(StaffUser, invitation.user_id) if invitation.user_id else None
        if found is None:
            raise AccountError(N_("This account no longer exists."))
        user = found
        _replace_keys(session, user, password)
        user.totp_secret_enc = encrypt_totp_secret(secret)
    else:
        existing = session.get(StaffUser, invitation.user_id) if invitation.user_id else None
        if existing is None or not password_ok(existing, password):
            raise AccountError(N_("Your current password is not right."))
        user = existing
        user.totp_secret_enc = encrypt_totp_secret(secret)
        user.failed_logins = 0
    user.totp_last_step = step
    # One use only, even when two tabs send the form at once: the conditional update
    # succeeds for one of them.
    claimed = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if getattr(claimed, "rowcount", 0) != 1:
        session.rollback()
        raise AccountError(N_("This link has been used or replaced by a newer one."))
    revoke_open_invitations(session, invitation.email)
    sessions.end_all(session, user)
    audit.record(session, user, f"{invitation.purpose}-accepted", detail=user.email)
    session.commit()
    return user


# --- login ----------------------------------------------------------------------------------


def password_ok(user: StaffUser, password: str) -> bool:
    return _verify(user.password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return password_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASHES: dict[tuple[int, int], str] = {}


def dummy_verify(password: str) -> None:
    """The work of one real password check, for a try that must fail without one."""
    hasher = password_hasher()
    key = (hasher.time_cost, hasher.memory_cost)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash(secrets.token_urlsafe(16))
    _verify(_DUMMY_HASHES[key], password)


def change_password(
    session: Session,
    user: StaffUser,
    current: str,
    new: str,
    repeat: str,
    keep_session_id: str | None = None,
) -> None:
    """New password; the private key is re-wrapped under it; every other session ends."""
    if not password_ok(user, current):
        raise AccountError(N_("Your current password is not right."))
    check_password_policy(new, repeat, user_inputs=(user.email, user.name))
    private = crypto.unwrap_private_key(
        user.private_key_wrapped, user.key_salt, current, key_params()
    )
    keys = crypto.wrap_private_key(private, new, key_params())
    user.private_key_wrapped = keys.private_key_wrapped
    user.key_salt = keys.salt
    user.password_hash = password_hasher().hash(new)
    sessions.end_all(session, user, keep=keep_session_id)
    audit.record(session, user, "password-changed")
    session.commit()


def set_language(session: Session, user: StaffUser, language: str | None) -> None:
    """The member's staff-area language (one of ``LANGUAGES``; None: follow the browser)."""
    if language is not None and language not in tuple(settings.setting("LANGUAGES")):
        raise AccountError(N_("Choose one of the languages offered."))
    if user.language == language:
        return
    user.language = language
    audit.record(session, user, "language-changed", detail=language or "browser")
    session.commit()


def set_active(session: Session, admin: StaffUser, user: StaffUser, active: bool) -> None:
    if user.id == admin.id and not active:
        raise AccountError("You cannot disable your own account.")
    user.is_active = active
    sessions.end_all(session, user)
    audit.record(
        session, admin, "account-enabled" if active else "account-disabled", detail=user.email
    )
    session.commit()


def set_role(session: Session, admin: StaffUser, user: StaffUser, role: str) -> None:
    """A new role; the member logs in again (their sessions end)."""
    if role not in {r.value for r in Role}:
        raise AccountError("Unknown role.")
    if user.id == admin.id:
        raise AccountError("You cannot change your own role.")
    old, user.role = user.role, role
    sessions.end_all(session, user)
    left = ""
    if role == Role.EDITOR.value:  # editors hold no team key: their memberships end
        teams = list(user.memberships)
        for membership in teams:
            session.delete(membership)
        left = f"; left {len(teams)} teams" if teams else ""
    audit.record(session, admin, "role-changed", detail=f"{user.email}: {old} -> {role}{left}")
    session.commit()


def _replace_keys(session: Session, user: StaffUser, password: str) -> None:
    """New password and a new key pair: the old key is lost, so team keys must be granted again."""
    keys = crypto.new_member_keys(password, key_params())
    user.password_hash = password_hasher().hash(password)
    user.public_key = keys.public_key
    user.private_key_wrapped = keys.private_key_wrapped
    user.key_salt = keys.salt
    user.failed_logins = 0
    for membership in session.scalars(
        select(TeamMembership).where(TeamMembership.user_id == user.id)
    ):
        membership.sealed_team_key = None
    sessions.end_all(session, user)


RESETS = ("reset-2fa", "reset-account")


def reset(session: Session, admin: StaffUser, user: StaffUser, purpose: str) -> str:
    """Stop the member's TOTP (and sessions) and return a one-time link token.

    ``reset-2fa``: the link enrols a new TOTP. ``reset-account`` (a forgotten password):
    the link sets a new password and TOTP and makes a new key pair (the old one cannot be
    opened without the old password), so someone who holds each team's key must grant it
    again. Until the link is used, the old TOTP stops working.
    """
    if purpose not in RESETS:
        raise AccountError(f"unknown reset {purpose!r}")
    user.totp_secret_enc = None
    user.totp_last_step = 0
    sessions.end_all(session, user)
    session.flush()
    return create_invitation(
        session,
        by=admin,
        email=user.email,
        name=user.name,
        role=user.role,
        purpose=purpose,
        user=user,
    )


# --- team keys ------------------------------------------------------------------------------


def grant_team_key(
    session: Session, team: Team, member: StaffUser, team_private: PrivateKey, by: StaffUser | None
) -> TeamMembership:
    """Make (or complete) a membership holding the team key sealed to the member; commits."""
    membership = add_team_key(session, team, member, team_private, by)
    session.commit()
    return membership


def add_team_key(
    session: Session, team: Team, member: StaffUser, team_private: PrivateKey, by: StaffUser | None
) -> TeamMembership:
    """As :func:`grant_team_key`, without the commit (for a larger transaction)."""
    if not crypto.public_key_matches(team_private, team.public_key):
        raise AccountError("That key does not belong to this team.")
    membership = session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.user_id == member.id
        )
    )
    if membership is None:
        membership = TeamMembership(team_id=team.id, user_id=member.id)
        session.add(membership)
    membership.sealed_team_key = crypto.seal_team_key(team_private, member.public_key)
    audit.record(session, by, "team-key-granted", team_id=team.id, detail=member.email)
    return membership
