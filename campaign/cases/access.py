"""Who may see what. Team scoping is applied in every query, never after the fact.

A caseworker sees only requests of teams they belong to; any other id is a 404. An admin
sees the metadata of every request, and content only for teams whose key they hold.
"""

from __future__ import annotations

from flask import abort
from nacl.public import PrivateKey
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campaign.cases import crypto
from campaign.cases.sessions import CurrentStaff
from campaign.models import HelpRequest, StaffUser, TeamMembership


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
        abort(404)
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
        abort(403)
    return key
