"""Who may see what. Team scoping is applied in every query, never after the fact.

A caseworker sees only requests of teams they belong to; any other id is ``NotVisibleError``
(a 404 page). An admin
sees the metadata of every request, and content only for teams whose key they hold.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campaign.cases import crypto
from campaign.cases.crypto import PrivateKey
from campaign.cases.sessions import CurrentStaff
from campaign.models import HelpRequest, StaffUser, TeamMembership


class NotVisibleError(LookupError):
    """No such request for this member (another team's, or none): the web layer answers 404."""


class NoTeamKeyError(PermissionError):
    """The member does not hold the key of the request's team: the web layer answers 403."""


def member_team_ids(session: Session, user: StaffUser) -> list[int]:
    return list(
        session.scalars(select(TeamMembership.team_id).where(TeamMembership.user_id == user.id))
    )


def scope(query: Select[HelpRequest], session: Session, user: StaffUser) -> Select[HelpRequest]:
    """Limit a query on HelpRequest to what the user may see."""
    if user.is_admin:
        return query
    return query.where(HelpRequest.team_id.in_(member_team_ids(session, user)))


def visible_request(session: Session, user: StaffUser, request_id: int) -> HelpRequest:
    found = session.scalar(
        scope(select(HelpRequest), session, user).where(HelpRequest.id == request_id)
    )
    if found is None:
        raise NotVisibleError(request_id)
    return found


def team_key(session: Session, current: CurrentStaff, team_id: int) -> PrivateKey | None:
    """The team's private key, if this member holds it."""
    sealed = session.scalar(
        select(TeamMembership.sealed_team_key).where(
            TeamMembership.team_id == team_id, TeamMembership.user_id == current.user.id
        )
    )
    if sealed is None:
        return None
    return crypto.open_team_key(sealed, current.private_key)


def require_team_key(session: Session, current: CurrentStaff, team_id: int) -> PrivateKey:
    key = team_key(session, current, team_id)
    if key is None:
        raise NoTeamKeyError(team_id)
    return key
