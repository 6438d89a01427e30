"""``flask --app wsgi content import | export | status``, and ``flask init``'s first import
of the shipped content run twice."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from campaign import create_app
from campaign.content import importer, publishing
from campaign.content.common import CONTENT_DIR
from campaign.core.db import db_session
from campaign.models import (
    AuditEvent,
    ContentItem,
    ContentLanguage,
    ContentRevision,
    Helpline,
)
from tests.conftest import TEST_CONFIG

LANGUAGES = ("be", "ru", "en")
STATEMENT = "2020-08-suspension"
EN_STATEMENT = Path("statements") / f"{STATEMENT}.en.md"
SHIPPED_PAGES = len(importer.read_pages(CONTENT_DIR, LANGUAGES))


def invoke(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def snapshot(app: Flask) -> dict[str, int]:
    """Row counts of the content tables and the audit log, and the content version."""
    with app.app_context():
        session = db_session()
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (ContentItem, ContentLanguage, ContentRevision, Helpline, AuditEvent)
        }
        return {**counts, "version": publishing.current_version(session)}


def shipped_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    shutil.copytree(CONTENT_DIR, folder)
    return folder


def change_statement(folder: Path) -> None:
    path = folder / EN_STATEMENT
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("unanimous decision", "unanimous and final decision"), "utf-8")


def en_statement_texts(app: Flask) -> tuple[str, str | None]:
    """The English statement's published body and its draft's, if any."""
    with app.app_context():
        item = publishing.find_item(db_session(), "statements", STATEMENT)
        assert item is not None
        row = publishing.language(item, "en")
        assert row is not None and row.published is not None
        return row.published.body, row.draft.body if row.draft else None


def confirm_all_lines(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        for row in session.scalars(select(Helpline)):
            row.last_confirmed, row.last_confirmed_is_month = dt.date.today(), False
        session.commit()


# -- status ----------------------------------------------------------------------------


def test_status_of_the_shipped_content_lists_the_stale_help_lines(db_app: Flask) -> None:
    result = invoke(db_app, "content", "status")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "help line hotline (National Domestic Violence Hotline): stale,"
        " not confirmed within 90 days, last confirmed 2020-08",
        "help line telegram-bot (Hotline Telegram bot): stale,"
        " not confirmed within 90 days, last confirmed 2020-08",
    ]


def test_status_when_everything_is_current(db_app: Flask) -> None:
    confirm_all_lines(db_app)
    result = invoke(db_app, "content", "status")
    assert result.exit_code == 0
    assert result.output == "Everything is published and current.\n"


def test_status_reports_drafts_outdated_and_unavailable(db_app: Flask, tmp_path: Path) -> None:
    confirm_all_lines(db_app)
    folder = shipped_copy(tmp_path)
    change_statement(folder)
    assert invoke(db_app, "content", "import", str(folder)).exit_code == 0
    assert "[en]: published, with a newer draft" in invoke(db_app, "content", "status").output
    assert invoke(db_app, "content", "import", str(folder), "--publish").exit_code == 0
    with db_app.app_context():
        session = db_session()
        hotline = session.scalar(select(Helpline).where(Helpline.key == "hotline"))
        assert hotline is not None
        hotline.status = "unavailable"
        session.commit()
    result = invoke(db_app, "content", "status")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"statements/{STATEMENT} [be]: outdated: the en text was published after this translation",
        f"statements/{STATEMENT} [ru]: outdated: the en text was published after this translation",
        "help line hotline (National Domestic Violence Hotline): marked unavailable",
    ]


# -- export ----------------------------------------------------------------------------


def test_export_writes_the_published_pages(db_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = snapshot(db_app)
    result = invoke(db_app, "content", "export", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Wrote {SHIPPED_PAGES} published pages and helplines.yaml to {out}.\n"
    )
    assert len(list(out.glob("*/*.md"))) == SHIPPED_PAGES
    assert (out / importer.HELPLINES_FILE).is_file()
    assert snapshot(db_app) == before


def test_export_that_cannot_write_is_a_one_line_error(db_app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    result = invoke(db_app, "content", "export", str(target))
    assert result.exit_code == 2 and "is a file" in result.output
    out = tmp_path / "out"
    out.mkdir()
    (out / "statements").write_text("not a folder", encoding="utf-8")
    result = invoke(db_app, "content", "export", str(out))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {out / 'statements'}: ")
    assert len(result.output.splitlines()) == 1


def test_export_help_says_what_it_overwrites(db_app: Flask) -> None:
    result = invoke(db_app, "content", "export", "--help")
    assert "Files of the same name are overwritten" in " ".join(result.output.split())


# -- import ----------------------------------------------------------------------------


def test_import_of_an_export_changes_nothing(db_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke(db_app, "content", "export", str(out)).exit_code == 0
    before = snapshot(db_app)
    result = invoke(db_app, "content", "import", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Imported from {out}: 0 new, 0 revised, {SHIPPED_PAGES} unchanged; 0 help lines added.\n"
    )
    assert snapshot(db_app) == before


def test_import_makes_drafts_and_lists_them(db_app: Flask, tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    change_statement(folder)
    (folder / "pages" / "contacts.en.md").write_text(
        "---\ntitle: Contacts\n---\nWrite to us.\n", encoding="utf-8"
    )
    with (folder / importer.HELPLINES_FILE).open("a", encoding="utf-8") as lines:
        lines.write("  - id: shelter\n    number: '102'\n    dial: '102'\n")
    result = invoke(db_app, "content", "import", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "New (drafts):",
        "  pages/contacts [en]",
        "Revised (drafts):",
        f"  statements/{STATEMENT} [en]",
        "Help lines added:",
        "  shelter",
        f"Imported from {folder}: 1 new, 1 revised, {SHIPPED_PAGES - 1} unchanged;"
        " 1 help lines added.",
    ]
    published, draft = en_statement_texts(db_app)
    assert "unanimous decision" in published
    assert draft is not None and "unanimous and final decision" in draft


def test_import_with_publish_publishes(db_app: Flask, tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    change_statement(folder)
    before = snapshot(db_app)
    result = invoke(db_app, "content", "import", str(folder), "--publish")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "Revised (published):",
        f"  statements/{STATEMENT} [en]",
    ]
    published, draft = en_statement_texts(db_app)
    assert "unanimous and final decision" in published and draft is None
    assert snapshot(db_app)["version"] == before["version"] + 1


def test_import_of_a_missing_folder_is_a_one_line_error(db_app: Flask, tmp_path: Path) -> None:
    result = invoke(db_app, "content", "import", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nowhere'}: not a folder\n"


def test_import_of_a_malformed_file_is_a_one_line_error_and_changes_nothing(
    db_app: Flask, tmp_path: Path
) -> None:
    folder = shipped_copy(tmp_path)
    change_statement(folder)  # read before the bad file, never written
    bad = folder / "statements" / "zz-bad.en.md"
    bad.write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    before = snapshot(db_app)
    result = invoke(db_app, "content", "import", str(folder), "--publish")
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith(f"Error: {bad}: front matter is not valid YAML")
    assert snapshot(db_app) == before
    assert en_statement_texts(db_app)[1] is None


# -- flask init ------------------------------------------------------------------------


def test_init_twice_imports_the_content_once(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'init.db'}"})
    first = invoke(app, "init")
    assert first.exit_code == 0, first.output
    assert f"{SHIPPED_PAGES} new, 0 revised" in first.output
    after_first = snapshot(app)
    assert after_first["content_language"] == SHIPPED_PAGES and after_first["version"] == 1
    second = invoke(app, "init")
    assert second.exit_code == 0, second.output
    assert "Content imported" not in second.output
    assert snapshot(app) == after_first
