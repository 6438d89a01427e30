"""What staff add to a request (encrypted internal notes), the audit log and the mail outbox.

Audit events and outbox mails hold no request content: the audit log names who did what to
which request id; a notification says only that something is waiting.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campaign.models.base import Base, utcnow


class InternalNote(Base):
    """A staff note, sealed to the team's public key: only team members can read it."""

    __tablename__ = "internal_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None
    )
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who did what, when, to which request; never any content. Survives purges."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None, index=True
    )
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    request_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    team_id: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[str] = mapped_column(String(200), default="")


class OutboxMail(Base):
    """A mail waiting to be sent by ``flask --app wsgi outbox send`` (retried with back-off)."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    failed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(String(200), default="")
