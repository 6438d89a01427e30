"""Operator commands: ``flask --app wsgi init | db ... | team ... | routing ...``."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from campaign import migrate
from campaign.db import db_session, engine
from campaign.models import Team
from campaign.teams import TeamError, add_rule, create_team, list_rules, move_rule, remove_rule
from campaign.teams import set_default as set_default_team

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
team_cli = AppGroup("team", help="Teams and their keys.")
routing_cli = AppGroup("routing", help="Rules that route requests to teams.")

RECOVERY_WARNING = (
    "Write this recovery key down now and keep it offline. It is the team's private key: "
    "it is shown only once, it is not stored anywhere, and without it (or a member who "
    "holds the team key) the team's requests cannot be read."
)


def _print_recovery_key(team: Team, recovery_key: str) -> None:
    click.echo(f"Team {team.name!r} created{' (default team)' if team.is_default else ''}.")
    click.echo(RECOVERY_WARNING)
    click.echo(f"\n    Recovery key: {recovery_key}\n")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema."""
    migrate.upgrade(engine(), revision)
    click.echo(f"Database at revision {migrate.current_revision(engine())}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION ('base' removes everything)."""
    migrate.downgrade(engine(), revision)
    click.echo(f"Database at revision {migrate.current_revision(engine())}.")


@db_cli.command("current")
def db_current() -> None:
    """Show the schema revision and whether it is the newest."""
    current = migrate.current_revision(engine())
    state = "up to date" if migrate.is_current(engine()) else f"head is {migrate.head_revision()}"
    click.echo(f"{current or 'empty'} ({state})")


@click.command("init")
@with_appcontext
@click.option("--team", "team_name", default="Hotline", show_default=True)
def init_command(team_name: str) -> None:
    """Create or upgrade the database and, if there is no team yet, a default team."""
    _ensure_secret_key()
    migrate.upgrade(engine())
    click.echo(f"Database at revision {migrate.current_revision(engine())}.")
    session = db_session()
    if session.scalar(select(Team).limit(1)) is None:
        team, recovery_key = create_team(session, team_name, default=True)
        _print_recovery_key(team, recovery_key)
    else:
        click.echo("Teams exist already; no key printed.")


def _ensure_secret_key() -> None:
    """Write a random SECRET_KEY to instance/config.py if none is configured yet."""
    from flask import current_app

    from campaign.config import DEFAULTS

    if current_app.config["SECRET_KEY"] != DEFAULTS["SECRET_KEY"]:
        return
    path = Path(current_app.instance_path) / "config.py"
    if path.exists():
        return
    path.write_text(
        "# Written by 'flask --app wsgi init'. Keep it secret; do not commit it.\n"
        f"SECRET_KEY = {secrets.token_hex(32)!r}\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    click.echo(f"Wrote a new SECRET_KEY to {path}.")


@team_cli.command("create")
@click.argument("name")
@click.option("--default", is_flag=True, help="Make it the team for unrouted requests.")
def team_create(name: str, default: bool) -> None:
    """Create a team and print its recovery key once."""
    try:
        team, recovery_key = create_team(db_session(), name, default=default)
    except TeamError as exc:
        raise click.ClickException(str(exc)) from exc
    _print_recovery_key(team, recovery_key)


@team_cli.command("list")
def team_list() -> None:
    """List teams."""
    for team in db_session().scalars(select(Team).order_by(Team.id)):
        click.echo(f"{team.id:4d}  {team.name}{'  (default)' if team.is_default else ''}")


@team_cli.command("set-default")
@click.argument("name")
def team_set_default(name: str) -> None:
    """Make NAME the team for requests no rule matches."""
    try:
        set_default_team(db_session(), name)
    except TeamError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name} is now the default team.")


@routing_cli.command("list")
def routing_list() -> None:
    """List rules in the order they are tried."""
    rules = list_rules(db_session())
    if not rules:
        click.echo("No rules: every request goes to the default team.")
    for rule in rules:
        click.echo(
            f"#{rule.id:<4d} position {rule.position:<5d} category={rule.category or '*'} "
            f"region={rule.region or '*'} language={rule.language or '*'} -> {rule.team.name}"
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
    try:
        rule = add_rule(
            db_session(),
            team_name,
            category=category,
            region=region,
            language=language,
            position=position,
        )
    except TeamError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Rule #{rule.id} added at position {rule.position}.")


@routing_cli.command("remove")
@click.argument("rule_id", type=int)
def routing_remove(rule_id: int) -> None:
    """Remove a rule."""
    try:
        remove_rule(db_session(), rule_id)
    except TeamError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Rule #{rule_id} removed.")


@routing_cli.command("move")
@click.argument("rule_id", type=int)
@click.argument("position", type=int)
def routing_move(rule_id: int, position: int) -> None:
    """Give a rule a new position."""
    try:
        move_rule(db_session(), rule_id, position)
    except TeamError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Rule #{rule_id} moved to position {position}.")


def init_app(app: Flask) -> None:
    from campaign.maintenance_cli import outbox_cli, purge_command
    from campaign.staff.cli import staff_cli

    commands = (db_cli, team_cli, routing_cli, init_command, staff_cli, outbox_cli, purge_command)
    for command in commands:
        app.cli.add_command(command)
