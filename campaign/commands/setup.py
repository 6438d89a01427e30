"""Set-up commands: ``flask --app wsgi init``, ``db upgrade | downgrade | current``, ``check``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from campaign.cases import receipts
from campaign.cases.teams import create_team
from campaign.commands.teams import print_recovery_key
from campaign.content import importer
from campaign.core import checks, files, migrate
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
    _ensure_receipt_pepper()
    _first_content_import()


def _first_content_import() -> None:
    """The shipped pages, statements and help lines, for those the database lacks."""
    root, helplines_file = importer.first_import_sources(current_app)
    report = importer.seed(db_session(), root, helplines_file, current_app.config["LANGUAGES"])
    if report.changed:
        click.echo(f"Content imported from {root}: {report.summary()}.")


def _ensure_receipt_pepper() -> None:
    """Make the receipt pepper if there is none, and put old receipts under it."""
    try:
        report = receipts.prepare(db_session())
    except receipts.ReceiptPepperError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from exc
    if report.created is not None:
        click.echo(
            f"Made a new receipt pepper in {report.created} (mode 0600). Back it up now, "
            "together with the teams' recovery keys and apart from the database backups: "
            "without it no receipt made from now on can be opened (docs/deploy.md)."
        )
    if report.protected:
        click.echo(f"Put {report.protected} receipts from before the pepper under it.")


def _ensure_secret_key() -> None:
    """Give instance/config.py a random SECRET_KEY if none is configured yet.

    A missing file is created 0600; an existing one keeps everything in it and gets the
    key added at the end (and is made 0600: it now holds a secret). The instance folder
    is made 0700. A development key set in the environment is left to the operator.
    """
    instance = Path(current_app.instance_path)
    files.private_dir(instance)
    if files.tighten(instance, files.PRIVATE_DIR):
        click.echo(f"Made {instance} private to its owner (0700).")
    if current_app.config["SECRET_KEY"] != DEFAULTS["SECRET_KEY"]:
        return
    if os.environ.get("CAMPAIGN_SECRET_KEY") == DEFAULTS["SECRET_KEY"]:
        click.echo(
            "CAMPAIGN_SECRET_KEY is set to the development key in the environment, which "
            "wins over instance/config.py: set a real key there instead.",
            err=True,
        )
        return
    path = instance / "config.py"
    line = f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        separator = "" if not text or text.endswith("\n") else "\n"
        files.append_private_text(
            path, f"{separator}# Added by 'flask --app wsgi init'. Keep it secret.\n{line}"
        )
        click.echo(f"Added a new SECRET_KEY to {path}.")
        return
    files.write_private_text(
        path, f"# Written by 'flask --app wsgi init'. Keep it secret; do not commit it.\n{line}"
    )
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
