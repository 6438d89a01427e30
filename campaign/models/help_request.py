"""Help requests and their message threads.

Plain columns hold only routing metadata: category, region, answer language, status and
times. Everything a person wrote is ciphertext:

- ``thread_key_for_team``: the request's random thread key, sealed to the team's public key;
- ``thread_key_for_receipt``: the same key, encrypted under a key derived from the receipt;
- ``contact_sealed``: the contact preferences, sealed to the team's public key;
- each :class:`RequestMessage` body: encrypted under the thread key.

``receipt_hash`` is the lookup half of the receipt's Argon2id hash, keyed with the receipt
pepper (``receipt_scheme`` says how; see campaign/cases/receipts.py).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, LargeBinary, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.models.base import Base, utcnow
from campaign.models.team import Team


class RequestStatus(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"  # staff replied; waiting for the person's answer
    CLOSED = "closed"


class ReceiptScheme(enum.IntEnum):
    """How a request's ``receipt_hash`` and ``thread_key_for_receipt`` were made."""

    UNPEPPERED = 0  # before migration 0004: the Argon2id output as it is
    PEPPERED = 1  # both halves keyed with the receipt pepper
    WRAPPED = 2  # an UNPEPPERED row protected without its receipt (see cases/receipts.py)
    LOST = 3  # made under a pepper that was lost: no receipt opens it any more


class HelpRequest(Base):
    __tablename__ = "help_request"
    __table_args__ = (
        Index("ix_help_request_team_status", "team_id", "status"),
        Index("ix_help_request_team_created", "team_id", "created_at"),
        Index("ix_help_request_last_activity", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.NEW.value)
    receipt_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    receipt_scheme: Mapped[int] = mapped_column(
        SmallInteger, default=ReceiptScheme.UNPEPPERED.value, server_default=text("0")
    )
    thread_key_for_team: Mapped[bytes] = mapped_column(LargeBinary)
    thread_key_for_receipt: Mapped[bytes] = mapped_column(LargeBinary)
    contact_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    last_activity_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None, index=True
    )

    team: Mapped[Team] = relationship()
    messages: Mapped[list[RequestMessage]] = relationship(
        back_populates="request",
        order_by="RequestMessage.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class RequestMessage(Base):
    """One entry of a request's thread: the person's message or a staff reply."""

    __tablename__ = "request_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(16))  # "person" or "staff"
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    request: Mapped[HelpRequest] = relationship(back_populates="messages")
