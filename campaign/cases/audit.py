"""The audit log: one content-free entry per view of content and per action on a request.

The entry names the staff member who acted; ``actor=None`` is an operator's ``flask``
command (or ``label`` says which scheduled job, e.g. "system" for the purge).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from campaign.models import AuditEvent, StaffUser

OPERATOR = "operator"
SYSTEM = "system"


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
    """Add an entry to the session (the caller commits with the action it records)."""
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
