"""Staff operator commands: ``flask --app wsgi staff create-admin | grant | end-sessions``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from campaign.cases import accounts, crypto, sessions
from campaign.cases.teams import TeamError, get_team
from campaign.core.db import db_session
from campaign.models import Role, StaffUser

staff_cli = AppGroup("staff", help="Staff accounts and team keys.")


@staff_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    prompt_required=True,
    expose_value=True,
    help="Never give it as an argument: you are asked for it (or it is read from stdin).",
)
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin (password asked at a prompt); prints a one-time link to enrol TOTP."""
    dbs = db_session()
    try:
        user = accounts.create_user(dbs, email, name or email, password, Role.ADMIN.value, None)
        dbs.commit()
        token = accounts.create_invitation(
            dbs,
            by=None,
            email=user.email,
            name=user.name,
            role=user.role,
            purpose="enrol-2fa",
            user=user,
        )
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    base = str(current_app.config.get("STAFF_BASE_URL") or "http://127.0.0.1:5000/staff/")
    with_path = base.rstrip("/") + "/invite/" + token
    click.echo(f"Admin {user.email} created.")
    click.echo("Open this one-time link (on this site's address) to set up two-factor login:")
    click.echo(f"\n    {with_path}\n")


@staff_cli.command("grant")
@click.argument("team_name")
@click.argument("email")
def grant(team_name: str, email: str) -> None:
    """Give EMAIL the key of TEAM_NAME, using the team's recovery key (asked at a prompt)."""
    dbs = db_session()
    try:
        team = get_team(dbs, team_name)
    except TeamError as exc:
        raise click.ClickException(str(exc)) from exc
    member = dbs.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if member is None:
        raise click.ClickException(f"no staff member {email!r}")
    recovery = click.prompt("Recovery key of the team", hide_input=True)
    try:
        key = crypto.parse_recovery_key(recovery)
        accounts.grant_team_key(dbs, team, member, key, None)
    except (ValueError, accounts.AccountError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{member.email} now holds the key of team {team.name}.")


@staff_cli.command("end-sessions")
@click.argument("email", required=False)
def end_sessions(email: str | None) -> None:
    """End EMAIL's sessions, or everyone's (for a lost laptop, or after a breach)."""
    dbs = db_session()
    user = None
    if email:
        user = dbs.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no staff member {email!r}")
    ended = sessions.end_everyone(dbs, user)
    noun = "session" if ended == 1 else "sessions"
    click.echo(f"Ended {ended} {noun} of {user.email if user else 'everyone'}.")
