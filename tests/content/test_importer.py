"""Files <-> database (``campaign.content.importer``) and what ``content status`` reports
(``campaign.content.status``), on a database that holds the shipped content as ``flask init``
imports it (``db_app``)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import frontmatter
import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.content import importer, publishing, status
from campaign.content.common import CONTENT_DIR, ContentError
from campaign.content.publishing import DRAFT, MISSING, OUTDATED, PUBLISHED, Text
from campaign.core.db import db_session
from campaign.models import (
    AuditEvent,
    ContentItem,
    ContentLanguage,
    ContentRevision,
    Helpline,
    HelplineStatus,
)

LANGUAGES = ("be", "ru", "en")
STATEMENT = "2020-08-suspension"
EN_STATEMENT = Path("statements") / f"{STATEMENT}.en.md"


@pytest.fixture
def session(db_app: Flask) -> Iterator[Session]:
    with db_app.app_context():
        yield db_session()


def snapshot(session: Session) -> dict[str, int]:
    """Row counts of the content tables and the audit log, and the content version."""
    session.expire_all()
    counts = {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (ContentItem, ContentLanguage, ContentRevision, Helpline, AuditEvent)
    }
    return {**counts, "version": publishing.current_version(session)}


def shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped content folder to change."""
    folder = tmp_path / "files"
    shutil.copytree(CONTENT_DIR, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def statement(session: Session) -> ContentItem:
    session.expire_all()
    item = publishing.find_item(session, "statements", STATEMENT)
    assert item is not None
    return item


def state(item: ContentItem, lang: str) -> publishing.LanguageState:
    return publishing.state_of(item, lang)


# -- seed (flask init) -------------------------------------------------------------------


def test_the_shipped_files_are_all_in_the_database_published(session: Session) -> None:
    shipped = importer.read_pages(CONTENT_DIR, LANGUAGES)
    assert len(shipped) == snapshot(session)["content_language"]
    for found in publishing.item_states(session, LANGUAGES):
        assert [s.state for s in found.languages] == [PUBLISHED] * 3, found.item.slug
    # Nobody at the organisation has reviewed the shipped pages: no "last reviewed" date
    # until an editor presses "Reviewed today".
    row = publishing.language(statement(session), "be")
    assert row is not None and row.last_reviewed is None
    item = statement(session)
    assert (item.date, item.date_is_month, item.source_lang, item.position) == (
        dt.date(2020, 8, 1),
        True,
        "en",
        1,
    )


def test_seed_twice_changes_nothing(session: Session, db_app: Flask) -> None:
    before = snapshot(session)
    root, helplines_file = importer.first_import_sources(db_app)
    report = importer.seed(session, root, helplines_file, LANGUAGES)
    assert not report.changed
    assert (report.created, report.revised, report.lines_added) == ([], [], [])
    assert report.unchanged == before["content_language"]
    assert snapshot(session) == before


def test_seed_adds_only_what_is_missing_and_keeps_edits(session: Session, db_app: Flask) -> None:
    item = statement(session)
    publishing.save_draft(session, None, item, "en", Text("Edited", "", "Edited text."))
    hotline = session.scalar(select(Helpline).where(Helpline.key == "hotline"))
    assert hotline is not None
    hotline.status = HelplineStatus.UNAVAILABLE.value
    session.delete(session.scalar(select(Helpline).where(Helpline.key == "emergency")))
    session.commit()
    root, helplines_file = importer.first_import_sources(db_app)
    report = importer.seed(session, root, helplines_file, LANGUAGES)
    assert report.lines_added == ["emergency"] and not report.created and not report.revised
    row = publishing.language(statement(session), "en")
    assert row is not None and row.draft is not None and row.draft.title == "Edited"
    session.refresh(hotline)
    assert hotline.status == HelplineStatus.UNAVAILABLE.value


# -- export and the round trip ---------------------------------------------------------


def test_export_then_import_changes_nothing(session: Session, tmp_path: Path) -> None:
    before = snapshot(session)
    written = importer.export_dir(session, tmp_path / "out")
    assert written == before["content_language"]
    report = importer.import_dir(session, None, tmp_path / "out", LANGUAGES)
    assert (len(report.created), len(report.revised), report.lines_added) == (0, 0, [])
    assert report.unchanged == written and not report.changed
    assert snapshot(session) == before
    with_publish = importer.import_dir(session, None, tmp_path / "out", LANGUAGES, publish=True)
    assert not with_publish.changed
    assert snapshot(session) == before


def test_exported_files_read_back_as_the_shipped_ones(session: Session, tmp_path: Path) -> None:
    importer.export_dir(session, tmp_path / "out")
    exported = importer.read_pages(tmp_path / "out", LANGUAGES)
    assert exported == importer.read_pages(CONTENT_DIR, LANGUAGES)
    be = tmp_path / "out" / "statements" / f"{STATEMENT}.be.md"
    meta = frontmatter.load(str(be)).metadata
    assert meta["date"] == "2020-08"
    assert "last_reviewed" not in meta  # nobody reviewed the shipped pages
    publishing.mark_reviewed(session, None, statement(session), "be", dt.date(2026, 11, 25))
    importer.export_dir(session, tmp_path / "reviewed")
    reviewed = frontmatter.load(str(tmp_path / "reviewed" / "statements" / f"{STATEMENT}.be.md"))
    assert reviewed.metadata["last_reviewed"] == "2026-11-25"  # a string, not a YAML date
    assert (meta["translation_of"], meta["order"]) == ("en", 1)
    assert "translation_of" not in frontmatter.load(str(tmp_path / "out" / EN_STATEMENT))
    lines = importer.load_helplines_file(tmp_path / "out" / importer.HELPLINES_FILE)
    shipped = importer.load_helplines_file(CONTENT_DIR / importer.HELPLINES_FILE)
    drop = {"position"}
    assert [{k: v for k, v in line.items() if k not in drop} for line in lines] == [
        {k: v for k, v in line.items() if k not in drop} for line in shipped
    ]


def test_export_writes_the_published_text_not_drafts(session: Session, tmp_path: Path) -> None:
    publishing.save_draft(
        session, None, statement(session), "en", Text("Draft title", "", "Draft text.")
    )
    before = snapshot(session)
    importer.export_dir(session, tmp_path / "out")
    assert "Draft" not in (tmp_path / "out" / EN_STATEMENT).read_text(encoding="utf-8")
    report = importer.import_dir(session, None, tmp_path / "out", LANGUAGES)
    assert not report.changed, report  # the public text is not a new draft
    assert snapshot(session) == before
    row = publishing.language(statement(session), "en")
    assert row is not None and row.draft is not None and row.draft.title == "Draft title"


def test_export_leaves_other_files_and_overwrites_its_own(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "statements").mkdir(parents=True)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / EN_STATEMENT).write_text("old", encoding="utf-8")
    importer.export_dir(session, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / EN_STATEMENT).read_text(encoding="utf-8").startswith("---\ntitle:")


# -- import ----------------------------------------------------------------------------


def test_a_changed_statement_becomes_a_draft(session: Session, tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    edit(folder / EN_STATEMENT, "unanimous decision", "unanimous and final decision")
    before = snapshot(session)
    report = importer.import_dir(session, None, folder, LANGUAGES)
    assert report.revised == [f"statements/{STATEMENT} [en]"] and not report.created
    assert report.unchanged == before["content_language"] - 1
    item = statement(session)
    row = publishing.language(item, "en")
    assert row is not None and row.published is not None and row.draft is not None
    assert "unanimous decision" in row.published.body  # readers still see the old text
    assert "unanimous and final decision" in row.draft.body and row.draft.origin == "import"
    assert state(item, "en").has_draft and state(item, "be").state == PUBLISHED
    after = snapshot(session)
    assert after["content_revision"] == before["content_revision"] + 1
    assert after["audit_event"] == before["audit_event"] + 1
    event = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event is not None and event.action == "content imported"
    assert event.actor_label == "operator"


def test_a_changed_statement_with_publish_is_published(session: Session, tmp_path: Path) -> None:
    folder = shipped_copy(tmp_path)
    edit(folder / EN_STATEMENT, "unanimous decision", "unanimous and final decision")
    before = snapshot(session)
    report = importer.import_dir(session, None, folder, LANGUAGES, publish=True)
    assert report.revised == [f"statements/{STATEMENT} [en]"]
    item = statement(session)
    row = publishing.language(item, "en")
    assert row is not None and row.published is not None and row.draft is None
    assert "unanimous and final decision" in row.published.body
    assert state(item, "be").state == state(item, "ru").state == OUTDATED
    assert snapshot(session)["version"] == before["version"] + 1
    event = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event is not None and event.action == "content imported and published"


def test_publish_of_a_file_equal_to_the_draft_publishes_that_draft(
    session: Session, tmp_path: Path
) -> None:
    folder = shipped_copy(tmp_path)
    edit(folder / EN_STATEMENT, "unanimous decision", "unanimous and final decision")
    importer.import_dir(session, None, folder, LANGUAGES)
    revisions = snapshot(session)["content_revision"]
    again = importer.import_dir(session, None, folder, LANGUAGES)
    assert not again.changed
    report = importer.import_dir(session, None, folder, LANGUAGES, publish=True)
    assert report.revised == [f"statements/{STATEMENT} [en]"]
    assert snapshot(session)["content_revision"] == revisions  # no copy of the draft
    row = publishing.language(statement(session), "en")
    assert row is not None and row.draft is None and row.published is not None
    assert "unanimous and final decision" in row.published.body


def test_a_new_file_creates_the_page(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    (folder / "statements").mkdir(parents=True)
    (folder / "statements" / "2026-12-new.en.md").write_text(
        "---\ntitle: A new statement\nsummary: In short.\ndate: '2026-12-01'\n"
        "last_reviewed: '2026-12-02'\norder: 0\n---\nThe text.\n",
        encoding="utf-8",
    )
    (folder / "statements" / "2026-12-new.ru.md").write_text(
        "---\ntitle: Новое заявление\ntranslation_of: en\n---\nТекст.\n", encoding="utf-8"
    )
    report = importer.import_dir(session, None, folder, LANGUAGES)
    assert report.created == ["statements/2026-12-new [en]", "statements/2026-12-new [ru]"]
    item = publishing.find_item(session, "statements", "2026-12-new")
    assert item is not None
    assert (item.date, item.date_is_month, item.position, item.source_lang) == (
        dt.date(2026, 12, 1),
        False,
        0,
        "en",
    )
    assert [state(item, lang).state for lang in LANGUAGES] == [MISSING, DRAFT, DRAFT]
    published = importer.import_dir(session, None, folder, LANGUAGES, publish=True)
    assert len(published.revised) == 2
    item = publishing.find_item(session, "statements", "2026-12-new")
    assert item is not None
    assert [state(item, lang).state for lang in LANGUAGES] == [MISSING, PUBLISHED, PUBLISHED]


def test_a_new_file_with_publish_keeps_its_review_date(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "contacts.en.md").write_text(
        "---\ntitle: Contacts\nlast_reviewed: '2026-12-02'\n---\nWrite to us.\n",
        encoding="utf-8",
    )
    importer.import_dir(session, None, folder, LANGUAGES, publish=True)
    item = publishing.find_item(session, "pages", "contacts")
    assert item is not None
    row = publishing.language(item, "en")
    assert row is not None and row.published is not None
    assert row.last_reviewed == dt.date(2026, 12, 2)
    assert row.published.body == "Write to us.\n"


def test_a_language_not_in_languages_is_ignored(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    (folder / "statements").mkdir(parents=True)
    (folder / "statements" / f"{STATEMENT}.de.md").write_text(
        "---\ntitle: Erklärung\n---\nText.\n", encoding="utf-8"
    )
    (folder / "pages").mkdir()
    (folder / "pages" / "broken.pl.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    before = snapshot(session)
    report = importer.import_dir(session, None, folder, LANGUAGES)
    assert not report.changed and report.unchanged == 0
    assert snapshot(session) == before


def test_help_lines_in_the_database_are_kept_and_new_ones_added(
    session: Session, tmp_path: Path
) -> None:
    hotline = session.scalar(select(Helpline).where(Helpline.key == "hotline"))
    assert hotline is not None
    hotline.status, hotline.note = HelplineStatus.UNAVAILABLE.value, "Called: no answer."
    session.commit()
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / importer.HELPLINES_FILE).write_text(
        "lines:\n"
        "  - id: hotline\n    number: '1'\n    dial: '1'\n    status: available\n"
        "  - id: shelter\n    number: '+375 17 000 00 00'\n    dial: '+375170000000'\n"
        "    status: available\n    last_confirmed: '2026-12-01'\n"
        "    name:\n      en: A shelter\n      ru: Убежище\n",
        encoding="utf-8",
    )
    report = importer.import_dir(session, None, folder, LANGUAGES)
    assert report.lines_added == ["shelter"] and report.changed
    session.expire_all()
    hotline = session.scalar(select(Helpline).where(Helpline.key == "hotline"))
    assert hotline is not None
    assert (hotline.status, hotline.note, hotline.dial) == (
        "unavailable",
        "Called: no answer.",
        "88011008801",
    )
    shelter = session.scalar(select(Helpline).where(Helpline.key == "shelter"))
    assert shelter is not None
    assert shelter.last_confirmed == dt.date(2026, 12, 1) and not shelter.last_confirmed_is_month
    assert shelter.texts == {"en": {"name": "A shelter"}, "ru": {"name": "Убежище"}}


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("nolang.md", "---\ntitle: T\n---\nText\n", "name must be"),
        ("Big-Slug.en.md", "---\ntitle: T\n---\nText\n", "slug may hold only"),
        ("a.en.md", "---\nsummary: S\n---\nText\n", "needs a title"),
        ("a.en.md", "---\ntitle: '  '\n---\nText\n", "needs a title"),
        ("a.en.md", "---\ntitle: T\n---\n   \n", "the text is empty"),
        ("a.en.md", "---\ntitle: T\ndate: August\n---\nText\n", "date must be"),
        ("a.en.md", "---\ntitle: T\nlast_reviewed: 2026-13-01x\n---\nText\n", "last_reviewed"),
        ("a.en.md", "---\ntitle: T\norder: first\n---\nText\n", "order must be"),
        ("a.en.md", "---\ntitle: [T\n---\nText\n", "not valid YAML"),
    ],
)
def test_a_malformed_file_changes_nothing(
    session: Session, tmp_path: Path, name: str, text: str, says: str
) -> None:
    folder = shipped_copy(tmp_path)
    edit(folder / EN_STATEMENT, "unanimous decision", "unanimous and final decision")
    (folder / "pages" / name).write_text(text, encoding="utf-8")
    before = snapshot(session)
    with pytest.raises(ContentError, match=says) as raised:
        importer.import_dir(session, None, folder, LANGUAGES, publish=True)
    assert name in str(raised.value) and "\n" not in str(raised.value)
    assert snapshot(session) == before


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("lines: [\n", "not valid YAML"),
        ("- id: x\n", "list of lines"),
        ("lines:\n  - just text\n", "must be a mapping"),
        ("lines:\n  - kind: hotline\n", "needs an id"),
        ("lines:\n  - id: a\n  - id: a\n", "used twice"),
        ("lines:\n  - id: a\n    kind: fax\n", "unknown kind"),
        ("lines:\n  - id: a\n    dial: call-me\n", "must be digits"),
        ("lines:\n  - id: a\n    status: maybe\n", "status of"),
        ("lines:\n  - id: a\n    position: top\n", "position of"),
        ("lines:\n  - id: a\n    name: A line\n", "must map languages"),
    ],
)
def test_a_malformed_helplines_file_changes_nothing(
    session: Session, tmp_path: Path, text: str, says: str
) -> None:
    folder = shipped_copy(tmp_path)
    edit(folder / EN_STATEMENT, "unanimous decision", "unanimous and final decision")
    (folder / importer.HELPLINES_FILE).write_text(text, encoding="utf-8")
    before = snapshot(session)
    with pytest.raises(ContentError, match=says):
        importer.import_dir(session, None, folder, LANGUAGES)
    assert snapshot(session) == before


def test_an_error_while_writing_rolls_the_import_back(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = shipped_copy(tmp_path)
    edit(folder / EN_STATEMENT, "unanimous decision", "unanimous and final decision")
    before = snapshot(session)

    def fail(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_add_new_lines", fail)  # after the pages were flushed
    with pytest.raises(RuntimeError):
        importer.import_dir(session, None, folder, LANGUAGES)
    assert snapshot(session) == before
    assert not state(statement(session), "en").has_draft


def test_a_missing_folder_is_an_error(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="not a folder"):
        importer.import_dir(session, None, tmp_path / "nowhere", LANGUAGES)


# -- status ----------------------------------------------------------------------------


def confirm_all_lines(session: Session, today: dt.date) -> None:
    for row in session.scalars(select(Helpline)):
        row.last_confirmed, row.last_confirmed_is_month = today, False
    session.commit()


def test_status_of_the_shipped_content(session: Session) -> None:
    today = dt.date(2026, 12, 1)
    lines = status.status_lines(session, LANGUAGES, today, 90)
    assert lines == [
        "help line hotline (National Domestic Violence Hotline): stale,"
        " not confirmed within 90 days, last confirmed 2020-08",
        "help line telegram-bot (Hotline Telegram bot): stale,"
        " not confirmed within 90 days, last confirmed 2020-08",
    ]
    confirm_all_lines(session, today)
    assert status.status_lines(session, LANGUAGES, today, 90) == []
    assert status.status_lines(session, LANGUAGES, today + dt.timedelta(days=91), 90)


def test_status_names_each_page_and_language_to_look_at(session: Session) -> None:
    today = dt.date(2026, 12, 1)
    confirm_all_lines(session, today)
    item = statement(session)
    publishing.publish(session, None, item, "en", Text("New title", "", "New text."))
    publishing.unpublish(session, None, item, "be")
    publishing.new_item(
        session, None, section="pages", slug="contacts", lang="en", text=Text("C", "", "Text.")
    )
    publishing.save_draft(
        session,
        None,
        publishing.find_item(session, "pages", "home") or item,
        "ru",
        Text("Home", "", "Draft."),
    )
    hotline = session.scalar(select(Helpline).where(Helpline.key == "hotline"))
    assert hotline is not None
    hotline.status, hotline.hide_when_unavailable = HelplineStatus.UNAVAILABLE.value, True
    bot = session.scalar(select(Helpline).where(Helpline.key == "telegram-bot"))
    assert bot is not None
    bot.last_confirmed, bot.last_confirmed_is_month = dt.date(2026, 8, 1), False
    session.commit()
    lines = status.status_lines(session, LANGUAGES, today, 90)
    assert lines == [
        f"statements/{STATEMENT} [be]: draft, not published",
        f"statements/{STATEMENT} [ru]: outdated: the en text was published after this translation",
        "pages/home [ru]: published, with a newer draft",
        "pages/contacts [be]: missing",
        "pages/contacts [ru]: missing",
        "pages/contacts [en]: draft, not published",
        "help line telegram-bot (Hotline Telegram bot): stale,"
        " not confirmed within 90 days, last confirmed 2026-08-01",
        "help line hotline (National Domestic Violence Hotline): marked unavailable,"
        " hidden from visitors",
    ]
