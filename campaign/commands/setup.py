"""Set-up commands: ``flask --app wsgi init``, ``db upgrade | downgrade | current``, ``check``."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from campaign.cases.teams import create_team
from campaign.commands.teams import print_recovery_key
from campaign.core import checks, migrate
from campaign.core.config import DEFAULTS
from campaign.core.db import db_session, engine
from campaign.models import Team

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


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
        print_recovery_key(team, recovery_key)
    else:
        click.echo("Teams exist already; no key printed.")


def _ensure_secret_key() -> None:
    """Write a random SECRET_KEY to instance/config.py if none is configured yet."""
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


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Run the start-up checks that gunicorn runs; exit 1 if the site would not start."""
    found = checks.problems(current_app.config)
    for paragraph in found:
        click.echo(paragraph + "\n", err=True)
    if found:
        raise SystemExit(1)
    click.echo("Configuration and database are ready to serve.")
