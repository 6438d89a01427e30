"""Teams and routing rules: create a team (returning its recovery key once), manage rules,
and find the rules that can never match (an earlier rule catches everything they would).

Each change is one transaction with its audit entry, whether a staff page or a ``flask``
command asked for it (``actor`` is then None and the entry says "operator").
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaign.cases import audit, crypto
from campaign.cases.audit import say as _
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
        raise TeamError(_("a team needs a name"))
    if session.scalar(select(Team).where(Team.name == name)) is not None:
        raise TeamError(_("a team named %(name)s exists already", name=repr(name)))
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
        raise TeamError(_("no team named %(name)s", name=repr(name)))
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
            raise TeamError(
                _(
                    "unknown %(what)s %(value)s; one of: %(allowed)s",
                    what=what,
                    value=repr(value),
                    allowed=", ".join(allowed),
                )
            )
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


def rule_in_words(rule: RoutingRule) -> str:
    """The rule's criteria as a reader says them, in the reader's language."""
    return str(
        _(
            "category: %(category)s; region: %(region)s; language: %(language)s",
            category=audit.label("category", rule.category),
            region=audit.label("region", rule.region),
            language=audit.label("language", rule.language),
        )
    )


def shadowed_rules(rules: Sequence[RoutingRule]) -> dict[int, list[RoutingRule]]:
    """Each rule that can never match, with the earlier rules that catch its requests.

    Exact, not a guess: every (category, region, language) a rule matches is tried against
    the rules before it in routing order (position, then id, as routing does); a rule is
    shadowed when each of them is caught earlier, by one rule or by several together.
    """
    ordered = sorted(rules, key=lambda r: (r.position, r.id))
    found: dict[int, list[RoutingRule]] = {}
    for index, rule in enumerate(ordered):
        earlier = ordered[:index]
        catchers: set[int] = set()
        for values in product(CATEGORY_VALUES, REGION_VALUES, LANGUAGE_VALUES):
            if not rule.matches(*values):
                continue
            first = next((e for e in earlier if e.matches(*values)), None)
            if first is None:
                break
            catchers.add(first.id)
        else:
            found[rule.id] = [e for e in earlier if e.id in catchers]
    return found


def _rule(session: Session, rule_id: int) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise TeamError(_("no routing rule %(id)s", id=rule_id))
    return rule


def rule_or_none(session: Session, rule_id: int) -> RoutingRule | None:
    return session.get(RoutingRule, rule_id)


def remove_rule(session: Session, rule_id: int, actor: StaffUser | None = None) -> None:
    """Remove a rule (audited)."""
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
