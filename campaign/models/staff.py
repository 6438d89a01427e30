"""Staff accounts, their server-side sessions, invitations and team memberships.

Secrets here are never usable from the database alone:

- ``password_hash``: Argon2id (argon2-cffi), rehashed when parameters change;
- ``private_key_wrapped``: the member's X25519 private key, encrypted under a key derived
  from their password (Argon2id with ``key_salt``);
- ``totp_secret_enc``: the TOTP secret, encrypted under a key derived from SECRET_KEY;
- ``StaffSession.private_key_enc``: the unwrapped private key for a logged-in session,
  encrypted under a random secret that lives only in the session cookie;
- ``TeamMembership.sealed_team_key``: the team's private key sealed to the member's
  public key (None until someone who holds the team key grants it).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.models.base import Base, utcnow
from campaign.models.team import Team


class Role(enum.StrEnum):
    ADMIN = "admin"
    CASEWORKER = "caseworker"
    EDITOR = "editor"  # publishing only: pages, statements, help lines; never requests


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), default=Role.CASEWORKER.value)
    password_hash: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    private_key_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    key_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_by_email: Mapped[bool] = mapped_column(Boolean, default=False)
    # The staff area's language for this member (be, ru, en); None: the browser's choice.
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def may_publish(self) -> bool:
        return self.role in (Role.ADMIN.value, Role.EDITOR.value)

    @property
    def may_handle_requests(self) -> bool:
        return self.role in (Role.ADMIN.value, Role.CASEWORKER.value)


class TeamMembership(Base):
    __tablename__ = "team_membership"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_team_membership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    sealed_team_key: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship()
    user: Mapped[StaffUser] = relationship(back_populates="memberships")


class StaffSession(Base):
    """A logged-in session; the cookie holds its id and the secret that opens the key."""

    __tablename__ = "staff_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie id
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    private_key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[StaffUser] = relationship()


class Invitation(Base):
    """A one-time link to set a password and enrol TOTP (also used to reset 2FA)."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16), default="invite")  # invite|enrol-2fa|reset-*
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), default=None
    )
    team_ids: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    language: Mapped[str | None] = mapped_column(String(8), default=None)  # the new member's
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Set when a newer link for the same member was issued or one was accepted.
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
