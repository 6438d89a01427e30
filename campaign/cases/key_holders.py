"""Who holds a team's key, and so who can give it to a member who lacks it.

A member without the key sees a request's metadata but not its content; the request page
tells them whom to ask. Only an admin who holds the team's key can grant it (from the
team's admin page; ``accounts.grant_team_key`` needs the key itself); other holders can
read the team's requests but grant nothing; an admin without it needs the team's recovery
key. One query, names only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from campaign.models import StaffUser, TeamMembership
from campaign.models.staff import Role


@dataclass
class KeyHolders:
    granting_admins: list[str] = field(default_factory=list)  # admins holding the key
    members: list[str] = field(default_factory=list)  # other members holding it
    other_admins: list[str] = field(default_factory=list)  # admins without it
    ids: set[int] = field(default_factory=set)  # everyone holding it

    @property
    def anyone_can_grant(self) -> bool:
        return bool(self.granting_admins)


def key_holders(session: Session, team_id: int) -> KeyHolders:
    """The active members holding the key of ``team_id``, and the admins (one query)."""
    rows = session.execute(
        select(StaffUser.id, StaffUser.name, StaffUser.role, TeamMembership.sealed_team_key)
        .outerjoin(
            TeamMembership,
            and_(TeamMembership.user_id == StaffUser.id, TeamMembership.team_id == team_id),
        )
        .where(
            StaffUser.is_active.is_(True),
            or_(
                StaffUser.role == Role.ADMIN.value,
                TeamMembership.sealed_team_key.is_not(None),
            ),
        )
        .order_by(StaffUser.name, StaffUser.id)
    )
    holders = KeyHolders()
    for user_id, name, role, sealed in rows:
        admin = role == Role.ADMIN.value
        if sealed is not None:
            holders.ids.add(user_id)
            (holders.granting_admins if admin else holders.members).append(name)
        elif admin:
            holders.other_admins.append(name)
    return holders
