"""Team and routing commands: ``flask --app wsgi team ...`` and ``routing ...``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup
from sqlalchemy import select

from campaign.cases.teams import (
    TeamError,
    add_rule,
    create_team,
    describe,
    list_rules,
    move_rule,
    remove_rule,
    shadowed_rules,
)
from campaign.cases.teams import set_default as set_default_team
from campaign.core.db import db_session
from campaign.models import Team


@contextmanager
def team_errors() -> Iterator[None]:
    """A refused team or routing change ends the command with its reason (exit 1)."""
    try:
        yield
    except TeamError as exc:
        raise click.ClickException(str(exc)) from exc


team_cli = AppGroup("team", help="Teams and their keys.")
routing_cli = AppGroup("routing", help="Rules that route requests to teams.")

RECOVERY_WARNING = (
    "Write this recovery key down now and keep it offline. It is the team's private key: "
    "it is shown only once, it is not stored anywhere, and without it (or a member who "
    "holds the team key) the team's requests cannot be read."
)


def print_recovery_key(team: Team, recovery_key: str) -> None:
    click.echo(f"Team {team.name!r} created{' (default team)' if team.is_default else ''}.")
    click.echo(RECOVERY_WARNING)
    click.echo(f"\n    Recovery key: {recovery_key}\n")


@team_cli.command("create")
@click.argument("name")
@click.option("--default", is_flag=True, help="Make it the team for unrouted requests.")
def team_create(name: str, default: bool) -> None:
    """Create a team and print its recovery key once."""
    with team_errors():
        team, recovery_key = create_team(db_session(), name, default=default)
    print_recovery_key(team, recovery_key)


@team_cli.command("list")
def team_list() -> None:
    """List teams."""
    for team in db_session().scalars(select(Team).order_by(Team.id)):
        click.echo(f"{team.id:4d}  {team.name}{'  (default)' if team.is_default else ''}")


@team_cli.command("set-default")
@click.argument("name")
def team_set_default(name: str) -> None:
    """Make NAME the team for requests no rule matches."""
    with team_errors():
        set_default_team(db_session(), name)
    click.echo(f"{name} is now the default team.")


@routing_cli.command("list")
def routing_list() -> None:
    """List rules in the order they are tried."""
    rules = list_rules(db_session())
    if not rules:
        click.echo("No rules: every request goes to the default team.")
    shadowed = shadowed_rules(rules)
    for rule in rules:
        click.echo(
            describe(rule) + ("  (never matches: an earlier rule)" if rule.id in shadowed else "")
        )


@routing_cli.command("add")
@click.option("--team", "team_name", required=True)
@click.option("--category")
@click.option("--region")
@click.option("--language")
@click.option("--position", type=int, help="Lower is tried first (default: after the last).")
def routing_add(
    team_name: str,
    category: str | None,
    region: str | None,
    language: str | None,
    position: int | None,
) -> None:
    """Add a rule; unset criteria match anything."""
    with team_errors():
        rule = add_rule(
            db_session(),
            team_name,
            category=category,
            region=region,
            language=language,
            position=position,
        )
    click.echo(f"Rule #{rule.id} added at position {rule.position}.")
    if rule.id in shadowed_rules(list_rules(db_session())):
        click.echo(
            "Warning: this rule can never match: an earlier rule catches every request it would."
        )


@routing_cli.command("remove")
@click.argument("rule_id", type=int)
def routing_remove(rule_id: int) -> None:
    """Remove a rule."""
    with team_errors():
        remove_rule(db_session(), rule_id)
    click.echo(f"Rule #{rule_id} removed.")


@routing_cli.command("move")
@click.argument("rule_id", type=int)
@click.argument("position", type=int)
def routing_move(rule_id: int, position: int) -> None:
    """Give a rule a new position."""
    with team_errors():
        move_rule(db_session(), rule_id, position)
    click.echo(f"Rule #{rule_id} moved to position {position}.")
