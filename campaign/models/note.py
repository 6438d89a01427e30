"""Internal notes on a request: staff-only, sealed to the team's public key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary
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
