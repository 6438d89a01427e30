"""Rotating SECRET_KEY: re-encrypt every server-held secret under the newest key.

The key ring itself (which key encrypts, which still decrypt) is in ``crypto``:
SECRET_KEY encrypts, SECRET_KEY_FALLBACKS (older keys) still decrypt. This module owns the
one stored thing a server key protects, TOTP seeds (``staff_user.totp_secret_enc`` and
``invitation.totp_secret_enc``), and the action that moves them to the newest key so the
old key can leave the configuration. Everything else SECRET_KEY is used for is signatures
or hashes that live for minutes or hours (docs/deploy.md, "Rotating SECRET_KEY").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaign.cases import audit, crypto
from campaign.models import Invitation, StaffUser


@dataclass
class Rotation:
    """What a rotation did: re-encrypted, already under the newest key, unreadable."""

    reencrypted: int = 0
    current: int = 0
    unreadable_members: list[str] = field(default_factory=list)
    unreadable_invitations: int = 0


def rotate_server_secrets(session: Session, actor: StaffUser | None = None) -> Rotation:
    """Re-encrypt every TOTP seed under SECRET_KEY; audit and commit.

    Each row is updated only if it still holds the ciphertext that was read, so a member
    who enrols a new seed meanwhile keeps it. A seed no key opens is left as it is and
    reported: that member needs a two-factor reset (an open invitation keeps working: it
    offers a new seed).
    """
    result = Rotation()
    members = session.execute(
        select(StaffUser.id, StaffUser.email, StaffUser.totp_secret_enc).where(
            StaffUser.totp_secret_enc.is_not(None)
        )
    ).all()
    for user_id, email, blob in members:
        if blob is not None and not _move(session, StaffUser, user_id, blob, result):
            result.unreadable_members.append(email)
    invitations = session.execute(
        select(Invitation.id, Invitation.totp_secret_enc, Invitation.used_at).where(
            Invitation.totp_secret_enc.is_not(None)
        )
    ).all()
    for invitation_id, blob, used_at in invitations:
        if blob is None or _move(session, Invitation, invitation_id, blob, result):
            continue
        if used_at is None:
            result.unreadable_invitations += 1
    audit.record(
        session,
        actor,
        "server-secrets-rotated",
        detail=(
            f"{result.reencrypted} re-encrypted, {result.current} current, "
            f"{len(result.unreadable_members) + result.unreadable_invitations} unreadable"
        ),
    )
    session.commit()
    return result


def _move(
    session: Session,
    model: type[StaffUser] | type[Invitation],
    row_id: int,
    blob: bytes,
    result: Rotation,
) -> bool:
    """Re-encrypt one seed if an older key opened it; False if no key opens it."""
    try:
        plaintext, newest = crypto.open_server_secret(crypto.TOTP_SEED, blob)
    except crypto.DecryptionError:
        return False
    if newest:
        result.current += 1
        return True
    fresh = crypto.encrypt(crypto.server_keys(crypto.TOTP_SEED)[0], plaintext)
    session.execute(
        update(model)
        .where(model.id == row_id, model.totp_secret_enc == blob)
        .values(totp_secret_enc=fresh)
    )
    result.reencrypted += 1
    return True
