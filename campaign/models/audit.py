"""The audit log: who did what, when, to which request, team or page; never any content."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from campaign.models.base import Base, utcnow

if TYPE_CHECKING:
    from campaign.models.staff import StaffUser

OPERATOR = "operator"
SYSTEM = "system"


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


def record(
    session: Session,
    actor: StaffUser | None,
    action: str,
    *,
    request_id: int | None = None,
    team_id: int | None = None,
    detail: str = "",
    label: str = OPERATOR,
) -> AuditEvent:
    """Add an entry to the session (the caller commits with the action it records).

    ``actor=None`` is an operator's ``flask`` command, or ``label`` names the job."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else label,
        action=action,
        request_id=request_id,
        team_id=team_id,
        detail=detail[:200],
    )
    session.add(event)
    return event
