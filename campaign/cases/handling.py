"""Actions on a request by staff: assign, status, notes, replies, re-routing. Each is audited.

Content is decrypted only here and in campaign.cases.intake, with the team key the member holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from campaign.cases import audit, crypto, intake, vocabulary
from campaign.cases.crypto import PrivateKey
from campaign.models import (
    HelpRequest,
    InternalNote,
    RequestStatus,
    StaffUser,
    Team,
    TeamMembership,
)
from campaign.models.base import utcnow

STATUSES = [s.value for s in RequestStatus]
CLOSED = RequestStatus.CLOSED.value
STATUS_LABELS = vocabulary.STATUS_LABELS


class CaseError(ValueError):
    """An action that cannot be done; the message is shown to staff."""


@dataclass(frozen=True)
class NoteView:
    author: str
    text: str
    created_at: Any


def _touch(request: HelpRequest) -> None:
    request.last_activity_at = utcnow()


def team_members(session: Session, team_id: int) -> list[StaffUser]:
    return list(
        session.scalars(
            select(StaffUser)
            .join(TeamMembership, TeamMembership.user_id == StaffUser.id)
            .where(TeamMembership.team_id == team_id, StaffUser.is_active.is_(True))
            .order_by(StaffUser.name)
        )
    )


def record_view(session: Session, actor: StaffUser, request: HelpRequest) -> None:
    audit.record(session, actor, "viewed-content", request_id=request.id, team_id=request.team_id)
    session.commit()


@dataclass(frozen=True)
class Handled:
    """What one "Save" of assignee and status changed (each change has its own audit entry)."""

    assigned: bool = False
    status_changed: bool = False

    @property
    def anything(self) -> bool:
        return self.assigned or self.status_changed


def _assign(
    session: Session, actor: StaffUser, request: HelpRequest, assignee_id: int | None
) -> None:
    """Set the assignee and audit it, without committing (a new request becomes open)."""
    if assignee_id is not None and assignee_id not in {
        u.id for u in team_members(session, request.team_id)
    }:
        raise CaseError("That person is not a member of this request's team.")
    request.assignee_id = assignee_id
    if request.status == RequestStatus.NEW.value and assignee_id is not None:
        request.status = RequestStatus.OPEN.value
    _touch(request)
    audit.record(
        session,
        actor,
        "assigned",
        request_id=request.id,
        team_id=request.team_id,
        detail=f"assignee={assignee_id or 'none'}",
    )


def take(session: Session, actor: StaffUser, request: HelpRequest) -> StaffUser | None:
    """ "Assign to me": the request becomes the actor's only if nobody has it yet.

    One conditional write (``UPDATE ... WHERE assignee_id IS NULL``), so two members pressing
    at once, or one pressing on a stale page, cannot both win: the second changes nothing and
    gets the member who has it (returned; None means it is now the actor's). Reassigning a
    request someone holds is the request page's "Save" form (:func:`handle`), on purpose.
    """
    if actor.id not in {u.id for u in team_members(session, request.team_id)}:
        raise CaseError("That person is not a member of this request's team.")
    result = session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == request.id, HelpRequest.assignee_id.is_(None))
        .values(
            assignee_id=actor.id,
            status=case(
                (HelpRequest.status == RequestStatus.NEW.value, RequestStatus.OPEN.value),
                else_=HelpRequest.status,
            ),
            last_activity_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        session.rollback()
        session.refresh(request)
        holder = session.get(StaffUser, request.assignee_id) if request.assignee_id else None
        if holder is None:  # pragma: no cover - unassigned again between the two reads
            raise CaseError("The request changed meanwhile. Please try again.")
        return holder
    audit.record(
        session,
        actor,
        "assigned",
        request_id=request.id,
        team_id=request.team_id,
        detail=f"assignee={actor.id}",
    )
    session.commit()
    session.refresh(request)
    return None


def _set_status(session: Session, actor: StaffUser, request: HelpRequest, status: str) -> None:
    """Set the status and audit it, without committing."""
    if status not in STATUSES:
        raise CaseError("Unknown status.")
    request.status = status
    request.closed_at = utcnow() if status == RequestStatus.CLOSED.value else None
    _touch(request)
    audit.record(
        session,
        actor,
        "status-changed",
        request_id=request.id,
        team_id=request.team_id,
        detail=f"status={status}",
    )


def assign(
    session: Session, actor: StaffUser, request: HelpRequest, assignee_id: int | None
) -> None:
    _assign(session, actor, request, assignee_id)
    session.commit()


def set_status(session: Session, actor: StaffUser, request: HelpRequest, status: str) -> None:
    _set_status(session, actor, request, status)
    session.commit()


def closing_unanswered(request: HelpRequest, assignee_id: int | None, status: str) -> bool:
    """Closing a request nobody is assigned to, whose person wrote last: it would leave her
    message unanswered with nobody to notice, so the member confirms it first."""
    return (
        status == RequestStatus.CLOSED.value
        and request.status != RequestStatus.CLOSED.value
        and assignee_id is None
        and bool(request.messages)
        and request.messages[-1].author == intake.PERSON
    )


def handle(
    session: Session,
    actor: StaffUser,
    request: HelpRequest,
    assignee_id: int | None,
    status: str,
) -> Handled:
    """The request page's one "Save": the assignee and the status together, each change
    audited on its own, in one transaction. A status left as it was shown is not changed
    (assigning a new request still opens it)."""
    if status not in STATUSES:  # checked before anything changes: all or nothing
        raise CaseError("Unknown status.")
    shown_status = request.status
    assigned = assignee_id != request.assignee_id
    if assigned:
        _assign(session, actor, request, assignee_id)
    status_changed = status != shown_status and status != request.status
    if status_changed:
        _set_status(session, actor, request, status)
    session.commit()
    return Handled(assigned=assigned, status_changed=status_changed)


def add_note(session: Session, actor: StaffUser, request: HelpRequest, text: str) -> None:
    team = session.get(Team, request.team_id)
    assert team is not None  # noqa: S101 - foreign key
    session.add(
        InternalNote(
            request_id=request.id,
            author_id=actor.id,
            body_sealed=crypto.seal_text(team.public_key, text),
        )
    )
    _touch(request)
    audit.record(session, actor, "note-added", request_id=request.id, team_id=request.team_id)
    session.commit()


def notes(session: Session, request: HelpRequest, team_private: PrivateKey) -> list[NoteView]:
    rows = session.execute(
        select(InternalNote, StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == InternalNote.author_id)
        .where(InternalNote.request_id == request.id)
        .order_by(InternalNote.id)
    )
    return [
        NoteView(
            name or "former member",
            crypto.unseal_text(team_private, note.body_sealed),
            note.created_at,
        )
        for note, name in rows
    ]


def reply(
    session: Session, actor: StaffUser, request: HelpRequest, team_private: PrivateKey, text: str
) -> None:
    audit.record(session, actor, "replied", request_id=request.id, team_id=request.team_id)
    intake.add_staff_reply(session, request, team_private, text)


def reroute(
    session: Session,
    actor: StaffUser,
    request: HelpRequest,
    team_private: PrivateKey,
    new_team_id: int,
) -> None:
    """Move a request to another team, re-sealing its keys, contact and notes to that team."""
    new_team = session.get(Team, new_team_id)
    if new_team is None:
        raise CaseError("No such team.")
    if new_team.id == request.team_id:
        raise CaseError("The request is already with this team.")
    new_key = new_team.public_key
    request.thread_key_for_team = crypto.reseal(team_private, new_key, request.thread_key_for_team)
    request.contact_sealed = crypto.reseal(team_private, new_key, request.contact_sealed)
    for note in session.scalars(select(InternalNote).where(InternalNote.request_id == request.id)):
        note.body_sealed = crypto.reseal(team_private, new_key, note.body_sealed)
    old_team_id = request.team_id
    request.team_id = new_team.id
    request.assignee_id = None
    _touch(request)
    audit.record(
        session,
        actor,
        "rerouted",
        request_id=request.id,
        team_id=old_team_id,
        detail=f"to team {new_team.id}",
    )
    session.commit()
