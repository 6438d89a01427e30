"""What admins do: users, teams and their members, the audit log. No web here.

Each action is one function that does the work, writes its audit entry and commits, in one
transaction; the admin pages parse a form, call one of these and render the answer. Teams
and routing rules themselves are in :mod:`campaign.cases.teams` (shared with the commands).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.cases import access, accounts, audit, crypto, teams
from campaign.cases.sessions import CurrentStaff
from campaign.models import AuditEvent, Role, StaffUser, Team, TeamMembership

AUDIT_PAGE = 100


class AdminError(ValueError):
    """An admin asked for something that cannot be done; the message says why."""


def team_choices(session: Session) -> list[tuple[int, str]]:
    return [(t.id, t.name) for t in session.scalars(select(Team).order_by(Team.name))]


def users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.name)))


def active_users(session: Session) -> list[StaffUser]:
    return list(
        session.scalars(
            select(StaffUser).where(StaffUser.is_active.is_(True)).order_by(StaffUser.name)
        )
    )


def create_team(session: Session, admin: CurrentStaff, name: str) -> tuple[Team, str]:
    """A new team whose key the creating admin holds at once; returns its recovery key."""
    try:
        team, recovery_key = teams.add_team(session, name, actor=admin.user)
    except teams.TeamError as exc:
        session.rollback()
        raise AdminError(str(exc)) from exc
    key = crypto.parse_recovery_key(recovery_key)
    accounts.add_team_key(session, team, admin.user, key, admin.user)
    session.commit()
    return team, recovery_key


def held_team_ids(session: Session, user: StaffUser) -> set[int]:
    """The teams whose key this member holds."""
    return set(
        session.scalars(
            select(TeamMembership.team_id).where(
                TeamMembership.user_id == user.id, TeamMembership.sealed_team_key.is_not(None)
            )
        )
    )


def all_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def members(session: Session, team: Team) -> list[tuple[TeamMembership, StaffUser]]:
    rows = session.execute(
        select(TeamMembership, StaffUser)
        .join(StaffUser, StaffUser.id == TeamMembership.user_id)
        .where(TeamMembership.team_id == team.id)
        .order_by(StaffUser.name)
    )
    return [(membership, user) for membership, user in rows]


def add_member(session: Session, admin: CurrentStaff, team: Team, member_id: int) -> StaffUser:
    """Give an active member the team's key, which the admin must hold."""
    key = access.team_key(session, admin, team.id)
    if key is None:
        raise AdminError("Only someone who holds this team's key can add members.")
    member = session.get(StaffUser, member_id)
    if member is None or not member.is_active:
        raise AdminError("No such active member.")
    if member.role == Role.EDITOR.value:
        raise AdminError("Editors work on publishing only and join no team.")
    accounts.grant_team_key(session, team, member, key, admin.user)
    return member


def remove_member(session: Session, admin: StaffUser, team_id: int, user_id: int) -> None:
    membership = session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team_id, TeamMembership.user_id == user_id
        )
    )
    if membership is None:
        raise AdminError("No such member of this team.")
    member = session.get(StaffUser, user_id)
    session.delete(membership)
    audit.record(
        session,
        admin,
        "member-removed",
        team_id=team_id,
        detail=member.email if member else f"user={user_id}",
    )
    session.commit()


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    request_id: int | None = None


def audit_events(session: Session, f: AuditFilter) -> list[AuditEvent]:
    """The newest entries first, filtered."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.actor:
        query = query.where(AuditEvent.actor_label == f.actor)
    if f.request_id is not None:
        query = query.where(AuditEvent.request_id == f.request_id)
    return list(session.scalars(query.limit(AUDIT_PAGE)))


def repeated_failures(session: Session, at_least: int = 3) -> list[StaffUser]:
    """Members with this many failed logins or more since their last login, most first."""
    return list(
        session.scalars(
            select(StaffUser)
            .where(StaffUser.failed_logins >= at_least)
            .order_by(StaffUser.failed_logins.desc(), StaffUser.email)
        )
    )


def audit_actions(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(AuditEvent.action).distinct())))
