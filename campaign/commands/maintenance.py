"""Operator commands for scheduled jobs: ``outbox send | status`` and ``purge [--dry-run]``.

Both are meant for cron or a systemd timer (for example ``outbox send`` every minute and
``purge`` daily); they print counts only, never an address or any request data.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from campaign.cases import login, notifications, retention, sessions
from campaign.core.db import db_session

outbox_cli = AppGroup("outbox", help="Staff notification mails waiting to be sent.")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send the mails that are due; failures are retried later with back-off."""
    report = notifications.send_pending(db_session())
    click.echo(
        f"Sent {report.sent}, failed {report.failed} "
        f"(retry later {report.retried}, given up {report.given_up})."
    )
    if report.cancelled:
        click.echo(f"Not sent {report.cancelled}: the member turned notices off or left.")


@outbox_cli.command("status")
def outbox_status() -> None:
    """Count mails due now, scheduled for a retry, sent and given up."""
    counts = notifications.status(db_session())
    click.echo(
        f"Due now {counts.due}, scheduled later {counts.scheduled}, "
        f"sent {counts.sent}, given up {counts.given_up}."
    )


@click.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge_command(dry_run: bool) -> None:
    """Delete requests past the retention periods (audit entries are kept)."""
    rules = retention.Rules.from_config()
    session = db_session()
    if not dry_run:  # first, so that the scrub below also clears what these delete
        ended = sessions.end_expired(session)
        tries = login.forget_old_tries(session)
        session.commit()
    report = retention.count_due(session) if dry_run else retention.purge(session)
    verb = "Would purge" if dry_run else "Purged"
    click.echo(
        f"{verb} {report.total} requests: {report.closed} {rules.closed_reason}, "
        f"{report.expired} {rules.age_reason}."
    )
    if not dry_run:
        click.echo(
            f"Deleted {ended} expired staff sessions, {tries} old login counters "
            f"and {report.views} expired one-time pages."
        )
    if not report.scrubbed:
        click.echo(
            "The deleted rows may still be readable in the database files: the database was "
            "busy (a long transaction or lock). Run 'flask --app wsgi purge' again later.",
            err=True,
        )
        raise SystemExit(1)
