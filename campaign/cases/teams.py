"""Teams and routing rules: create a team (returning its recovery key once), manage rules.

Each change is one transaction with its audit entry, whether a staff page or a ``flask``
command asked for it (``actor`` is then None and the entry says "operator").
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaign.cases import audit, crypto
from campaign.cases.vocabulary import CATEGORY_VALUES, LANGUAGE_VALUES, REGION_VALUES
from campaign.models import RoutingRule, StaffUser, Team


class TeamError(ValueError):
    """An operator asked for something that cannot be done (shown as a CLI error)."""


def create_team(
    session: Session, name: str, *, default: bool = False, actor: StaffUser | None = None
) -> tuple[Team, str]:
    """Create a team with a new key pair; returns the team and its recovery key.

    The recovery key is the team's private key: it is not stored anywhere and must be
    written down by the operator when it is shown.
    """
    team, recovery_key = add_team(session, name, default=default, actor=actor)
    session.commit()
    return team, recovery_key


def add_team(
    session: Session, name: str, *, default: bool = False, actor: StaffUser | None = None
) -> tuple[Team, str]:
    """As :func:`create_team`, without the commit (for a larger transaction)."""
    name = name.strip()
    if not name:
        raise TeamError("a team needs a name")
    if session.scalar(select(Team).where(Team.name == name)) is not None:
        raise TeamError(f"a team named {name!r} exists already")
    keys = crypto.new_team_keys()
    first = session.scalar(select(func.count()).select_from(Team)) == 0
    if default or first:
        session.execute(update(Team).values(is_default=False))
    team = Team(name=name, public_key=keys.public_key, is_default=default or first)
    session.add(team)
    session.flush()
    audit.record(
        session,
        actor,
        "team-created",
        team_id=team.id,
        detail=f"{name}{' (default)' if team.is_default else ''}",
    )
    return team, keys.recovery_key


def get_team(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise TeamError(f"no team named {name!r}")
    return team


def set_default(session: Session, name: str, actor: StaffUser | None = None) -> Team:
    team = get_team(session, name)
    session.execute(update(Team).values(is_default=False))
    team.is_default = True
    audit.record(session, actor, "default-team-set", team_id=team.id, detail=team.name)
    session.commit()
    return team


def list_rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)))


def add_rule(
    session: Session,
    team_name: str,
    *,
    category: str | None = None,
    region: str | None = None,
    language: str | None = None,
    position: int | None = None,
    actor: StaffUser | None = None,
) -> RoutingRule:
    for value, allowed, what in (
        (category, CATEGORY_VALUES, "category"),
        (region, REGION_VALUES, "region"),
        (language, LANGUAGE_VALUES, "language"),
    ):
        if value is not None and value not in allowed:
            raise TeamError(f"unknown {what} {value!r}; one of: {', '.join(allowed)}")
    team = get_team(session, team_name)
    if position is None:
        last = session.scalar(select(func.max(RoutingRule.position)))
        position = (last or 0) + 10
    rule = RoutingRule(
        team_id=team.id, category=category, region=region, language=language, position=position
    )
    session.add(rule)
    session.flush()
    audit.record(
        session, actor, "routing-changed", team_id=team.id, detail=f"added {describe(rule)}"
    )
    session.commit()
    return rule


def describe(rule: RoutingRule) -> str:
    """A rule in words for the audit log and the command line (no request data)."""
    return (
        f"rule #{rule.id} position {rule.position}: category={rule.category or '*'} "
        f"region={rule.region or '*'} language={rule.language or '*'} -> {rule.team.name}"
    )


def _rule(session: Session, rule_id: int) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise TeamError(f"no routing rule {rule_id}")
    return rule


def remove_rule(session: Session, rule_id: int, actor: StaffUser | None = None) -> None:
    rule = _rule(session, rule_id)
    audit.record(
        session, actor, "routing-changed", team_id=rule.team_id, detail=f"removed {describe(rule)}"
    )
    session.delete(rule)
    session.commit()


def move_rule(
    session: Session, rule_id: int, position: int, actor: StaffUser | None = None
) -> RoutingRule:
    rule = _rule(session, rule_id)
    old = rule.position
    rule.position = position
    audit.record(
        session,
        actor,
        "routing-changed",
        team_id=rule.team_id,
        detail=f"moved from {old}: {describe(rule)}",
    )
    session.commit()
    return rule
