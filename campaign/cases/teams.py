"""Teams and routing rules: create a team (returning its recovery key once), manage rules."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaign.cases import crypto
from campaign.models import RoutingRule, Team


class TeamError(ValueError):
    """An operator asked for something that cannot be done (shown as a CLI error)."""


def create_team(session: Session, name: str, *, default: bool = False) -> tuple[Team, str]:
    """Create a team with a new key pair; returns the team and its recovery key.

    The recovery key is the team's private key: it is not stored anywhere and must be
    written down by the operator when it is shown.
    """
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
    session.commit()
    return team, keys.recovery_key


def get_team(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise TeamError(f"no team named {name!r}")
    return team


def set_default(session: Session, name: str) -> Team:
    team = get_team(session, name)
    session.execute(update(Team).values(is_default=False))
    team.is_default = True
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
) -> RoutingRule:
    from campaign.cases.vocabulary import CATEGORY_VALUES, LANGUAGE_VALUES, REGION_VALUES

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
    session.commit()
    return rule


def remove_rule(session: Session, rule_id: int) -> None:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise TeamError(f"no routing rule {rule_id}")
    session.delete(rule)
    session.commit()


def move_rule(session: Session, rule_id: int, position: int) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise TeamError(f"no routing rule {rule_id}")
    rule.position = position
    session.commit()
    return rule
