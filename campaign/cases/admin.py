"""What admins do: users and invitations, teams and their members, the audit log, and what
the admin pages warn about (teams short of key holders, requests due for deletion). No web.

Each action is one function that does the work, writes its audit entry and commits, in one
transaction; the admin pages parse a form, call one of these and render the answer. Teams
and routing rules themselves are in :mod:`campaign.cases.teams` (shared with the commands).

Guards: an admin cannot disable or demote themselves, and no change may leave the site
without an active admin. Two admins disabling or demoting each other at the same moment
are serialised (:func:`_lock_admins`): each change begins its transaction with a write on
every active admin's row, then counts and writes with its audit entry, so the second waits
for the first, counts again and is refused, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaign.cases import access, accounts, audit, crypto, retention, teams
from campaign.cases.audit import say as _
from campaign.cases.sessions import CurrentStaff
from campaign.models import (
    AuditEvent,
    HelpRequest,
    Invitation,
    RequestStatus,
    Role,
    StaffUser,
    Team,
    TeamMembership,
)
from campaign.models.base import as_utc, utcnow

AUDIT_PAGE = 100


STAFF_LANGUAGES = ("be", "ru", "en")
UNATTENDED_DAYS = 2  # an open, unassigned request deleted this soon gets a warning


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


def confirm_recovery_key(session: Session, admin: StaffUser, team: Team) -> None:
    """The admin says the new team's recovery key is written down; audited."""
    audit.record(session, admin, "team-key-saved", team_id=team.id, detail=team.name)
    session.commit()


def recovery_key_unconfirmed(session: Session, team: Team) -> bool:
    """The team was made on the admin pages and nobody has yet said its recovery key is saved
    (a team made with ``flask team create`` printed its key to the operator: not asked)."""
    made_on_the_page = session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "team-created",
            AuditEvent.team_id == team.id,
            AuditEvent.actor_id.is_not(None),
        )
    )
    if made_on_the_page is None:
        return False
    saved = session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "team-key-saved", AuditEvent.team_id == team.id
        )
    )
    return saved is None


@dataclass(frozen=True)
class TeamSummary:
    """A team with its members and key holders counted, and what is wrong with it."""

    team: Team
    members: int
    key_holders: int
    admin_only_holder: StaffUser | None  # the one key holder, when it is an admin

    @property
    def short_of_holders(self) -> bool:
        return self.key_holders < 2


def team_summaries(session: Session) -> list[TeamSummary]:
    """Every team by name, with member and key-holder counts (two queries)."""
    rows = session.execute(
        select(TeamMembership.team_id, TeamMembership.sealed_team_key.is_not(None), StaffUser)
        .join(StaffUser, StaffUser.id == TeamMembership.user_id)
        .where(StaffUser.is_active.is_(True))
    ).all()
    summaries = []
    for team in all_teams(session):
        mine = [(holds, user) for team_id, holds, user in rows if team_id == team.id]
        holders = [user for holds, user in mine if holds]
        only = holders[0] if len(holders) == 1 and holders[0].is_admin else None
        summaries.append(TeamSummary(team, len(mine), len(holders), only))
    return summaries


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
        raise AdminError(_("Only someone who holds this team's key can add members."))
    member = session.get(StaffUser, member_id)
    if member is None or not member.is_active:
        raise AdminError(_("No such active member."))
    if member.role == Role.EDITOR.value:
        raise AdminError(_("Editors work on publishing only and join no team."))
    accounts.grant_team_key(session, team, member, key, admin.user)
    return member


def remove_member(session: Session, admin: StaffUser, team_id: int, user_id: int) -> None:
    membership = session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team_id, TeamMembership.user_id == user_id
        )
    )
    if membership is None:
        raise AdminError(_("No such member of this team."))
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


# --- members and invitations ----------------------------------------------------------------


def invite(
    session: Session,
    admin: StaffUser,
    *,
    email: str,
    name: str,
    role: str,
    team_ids: list[int],
    language: str | None,
) -> tuple[str, Invitation]:
    """An invitation (its one-time token, and the row for its expiry) in the new member's
    staff language, copied to their account when they accept it."""
    if language is not None and language not in STAFF_LANGUAGES:
        raise accounts.AccountError(_("Choose a language from the list."))
    token = accounts.create_invitation(
        session, by=admin, email=email, name=name, role=role, team_ids=team_ids
    )
    invitation = accounts.open_invitation(session, token)
    if invitation is None:  # pragma: no cover - made a moment ago
        raise accounts.AccountError(_("The invitation could not be made. Please try again."))
    invitation.language = language
    session.commit()
    return token, invitation


def pending_invitations(session: Session, now: dt.datetime | None = None) -> list[Invitation]:
    """Links not used, revoked or expired (invitations and resets), soonest expiry first."""
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > (now or utcnow()),
            )
            .order_by(Invitation.expires_at, Invitation.id)
        )
    )


def revoke_invitation(session: Session, admin: StaffUser, invitation_id: int) -> Invitation:
    """End one open link at once; audited."""
    invitation = session.get(Invitation, invitation_id)
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.revoked_at is not None
        or as_utc(invitation.expires_at) <= utcnow()
    ):
        raise AdminError(_("This link is no longer open."))
    invitation.revoked_at = utcnow()
    audit.record(
        session, admin, "invite-revoked", detail=f"{invitation.purpose} {invitation.email}"
    )
    session.commit()
    return invitation


def _other_active_admins(session: Session, user: StaffUser) -> int:
    return int(
        session.scalar(
            select(func.count(StaffUser.id)).where(
                StaffUser.role == Role.ADMIN.value,
                StaffUser.is_active.is_(True),
                StaffUser.id != user.id,
            )
        )
        or 0
    )


def _lock_admins(session: Session, *members: StaffUser) -> None:
    """Begin the action's transaction holding every active admin's row, then read the
    members again.

    The request's reads are ended first (a commit of nothing), so the next statement begins
    a new transaction, and that statement is a write touching every active admin row
    (``SET is_active = is_active``). On PostgreSQL it takes the rows' locks: a second admin
    change waits for the first to commit, then counts what it left. On SQLite it takes the
    database's write lock before anything is read (a transaction that had read first could
    not upgrade after another committed), so the count below is never stale either. The
    guard, the change and its audit entry then commit together.
    """
    session.commit()
    session.execute(
        update(StaffUser)
        .where(StaffUser.role == Role.ADMIN.value, StaffUser.is_active.is_(True))
        .values(is_active=StaffUser.is_active)
        .execution_options(synchronize_session=False)
    )
    for member in members:
        session.refresh(member)


def _keep_an_admin(session: Session, admin: StaffUser, user: StaffUser, losing: bool) -> None:
    """Refuse a change that would lock the admin out or leave no active admin (the caller
    holds the admins' rows: :func:`_lock_admins`)."""
    if not losing:
        return
    if user.id == admin.id:
        raise AdminError(_("You cannot disable your own account or change your own role."))
    if user.is_admin and user.is_active and _other_active_admins(session, user) == 0:
        raise AdminError(
            _("%(name)s is the last active admin: make someone else admin first.", name=user.name)
        )
    if not session.scalar(
        select(StaffUser.is_active).where(
            StaffUser.id == admin.id, StaffUser.role == Role.ADMIN.value
        )
    ):
        raise AdminError(_("Your account is no longer an active admin."))


def set_active(session: Session, admin: StaffUser, user: StaffUser, active: bool) -> None:
    """Enable or disable a member (never oneself, never the last active admin)."""
    if not active:
        _lock_admins(session, admin, user)
    _keep_an_admin(session, admin, user, losing=not active)
    accounts.set_active(session, admin, user, active)


def set_role(session: Session, admin: StaffUser, user: StaffUser, role: str) -> None:
    """A new role (never one's own; the last active admin stays admin)."""
    _lock_admins(session, admin, user)
    _keep_an_admin(session, admin, user, losing=role != user.role)
    accounts.set_role(session, admin, user, role)


# --- retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRequest:
    """A request the retention rules will delete, with what the admin should know."""

    item: retention.DueItem
    team: str
    overdue: bool  # its deletion date has passed: the purge has not run since
    unattended: bool  # open, nobody assigned, and deleted within UNATTENDED_DAYS
    after_closing: bool  # deleted by the closed-requests rule (else by age)


def due_for_deletion(
    session: Session, within_days: float = 7, now: dt.datetime | None = None
) -> list[DueRequest]:
    """retention.due_soon (its cut-offs), with overdue and unattended requests flagged."""
    now = as_utc(now)
    closed_reason = retention.Rules.from_config().closed_reason
    items = retention.due_soon(session, within_days, now)
    ids = [item.id for item in items] or [0]
    state = {
        row.id: row
        for row in session.execute(
            select(HelpRequest.id, HelpRequest.status, HelpRequest.assignee_id).where(
                HelpRequest.id.in_(ids)
            )
        )
    }
    names = {row.id: row.name for row in session.execute(select(Team.id, Team.name))}
    soon = now + dt.timedelta(days=UNATTENDED_DAYS)
    found = []
    for item in items:
        row = state.get(item.id)
        overdue = item.due <= now
        unattended = (
            row is not None
            and not overdue
            and item.due <= soon
            and row.status != RequestStatus.CLOSED.value
            and row.assignee_id is None
        )
        found.append(
            DueRequest(
                item,
                names.get(item.team_id, ""),
                overdue,
                unattended,
                after_closing=item.reason == closed_reason,
            )
        )
    return found


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    request_id: int | None = None


def audit_lines(session: Session, f: AuditFilter) -> list[audit.AuditLine]:
    """The newest entries first, filtered, with names and words (see audit.in_words)."""
    return audit.in_words(session, audit_events(session, f))


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
