"""Content commands: ``flask --app wsgi content import | export | status``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from campaign.content import importer
from campaign.content.common import ContentError
from campaign.content.publishing import PublishingError
from campaign.content.status import NOTHING_TO_REPORT, status_lines
from campaign.core.db import db_session

content_cli = AppGroup("content", help="Pages, statements and help lines: files in and out.")


@contextmanager
def content_errors() -> Iterator[None]:
    """A malformed file or a folder that cannot be read or written ends the command with
    one line (exit 1); the import has changed nothing."""
    try:
        yield
    except (ContentError, PublishingError) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise click.ClickException(f"{where}{exc.strerror or exc}") from exc


def _echo_names(heading: str, names: list[str]) -> None:
    if names:
        click.echo(f"{heading}:")
        for name in names:
            click.echo(f"  {name}")


@content_cli.command("import")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--publish", is_flag=True, help="Publish what is new or changed at once.")
def import_command(folder: Path, publish: bool) -> None:
    """Bring FOLDER's files in as new revisions (drafts unless --publish).

    FOLDER holds <section>/<slug>.<lang>.md and helplines.yaml, as export writes them. A
    file whose text differs from both the published text and the draft of its language
    becomes a new revision: a draft, or published with --publish (which also publishes a
    draft that equals the file). Files in other languages than LANGUAGES are skipped. Help
    lines the database has are left as editors keep them; new ones are added (and shown at
    once). A malformed file stops the import: nothing is changed.
    """
    with content_errors():
        report = importer.import_dir(
            db_session(), None, folder, current_app.config["LANGUAGES"], publish=publish
        )
    how = "published" if publish else "drafts"
    _echo_names(f"New ({how})", report.created)
    _echo_names(f"Revised ({how})", report.revised)
    _echo_names("Help lines added", report.lines_added)
    click.echo(f"Imported from {folder}: {report.summary()}.")


@content_cli.command("export")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def export_command(folder: Path) -> None:
    """Write the published pages and the help lines to FOLDER.

    The files are in the layout that import reads (a backup, or a review in git). FOLDER
    is created if needed. Files of the same name are overwritten; other files in it
    are left as they are (remove them yourself for an exact copy). Drafts are not written.
    """
    with content_errors():
        written = importer.export_dir(db_session(), folder)
    click.echo(f"Wrote {written} published pages and {importer.HELPLINES_FILE} to {folder}.")


@content_cli.command("status")
def status_command() -> None:
    """What is missing, unpublished or outdated, and stale help lines.

    Per page and language: missing, draft, outdated (its source language was published
    after it), or published with a newer draft; then help lines not confirmed within
    HELPLINE_STALE_DAYS, and those marked unavailable. Exit code 0 either way.
    """
    lines = status_lines(
        db_session(),
        current_app.config["LANGUAGES"],
        dt.date.today(),
        int(current_app.config["HELPLINE_STALE_DAYS"]),
    )
    for line in lines or [NOTHING_TO_REPORT]:
        click.echo(line)
