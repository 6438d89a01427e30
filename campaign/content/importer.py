"""Files <-> database: the shipped Markdown and help lines as the first revision, and the
``flask content import/export`` round trip.

Layout of a content folder (the shipped one is ``content/data``)::

    <section>/<slug>.<lang>.md     sections: statements, home-without-abuse, pages
    helplines.yaml                 help lines (see the comment at its top)

Front matter: ``title`` (required), ``summary``, ``date`` (YYYY-MM or YYYY-MM-DD),
``last_reviewed`` (YYYY-MM-DD), ``translation_of`` (the language it was translated from),
``order`` (list position, ascending).

- ``seed``: what ``flask init`` runs. Adds, published, every page and help line that the
  database does not have yet; changes nothing that is there (a second run changes nothing).
- ``import_dir``: every file as a new revision of its language (a draft, or published with
  ``publish=True``) when its text differs from both the newest and the published text; new
  pages are created. A file equal to a language's draft publishes that draft with
  ``publish=True``. The date, order and ``translation_of`` of a page the database has are
  kept (editors change them in the staff area); they are read for new pages only. Files in
  a language not in ``LANGUAGES`` are skipped. Help lines already in the database are left
  as editors keep them; new ones are added. Every file is read and checked before anything
  is written, and the import is one transaction: a malformed file changes nothing.
- ``export_dir``: the published state as files in the same layout (a backup, or a review in
  git); ``import_dir`` of an export changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.content import publishing
from campaign.content.common import CONTENT_DIR, ContentError, date_text, parse_date
from campaign.content.publishing import Text
from campaign.models import (
    ContentItem,
    ContentLanguage,
    ContentRevision,
    Helpline,
    HelplineStatus,
    StaffUser,
)
from campaign.models.audit import record
from campaign.models.base import utcnow
from campaign.models.content import HELPLINE_KINDS, HELPLINE_TEXTS, SECTIONS

HELPLINES_FILE = "helplines.yaml"


@dataclass(frozen=True)
class PageFile:
    section: str
    slug: str
    lang: str
    text: Text
    date: dt.date | None
    date_is_month: bool
    last_reviewed: dt.date | None
    translation_of: str | None
    order: int


@dataclass
class Report:
    """What an import did, for the command's output and the audit entry."""

    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    unchanged: int = 0
    lines_added: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.revised or self.lines_added)

    def summary(self) -> str:
        return (
            f"{len(self.created)} new, {len(self.revised)} revised, {self.unchanged} unchanged;"
            f" {len(self.lines_added)} help lines added"
        )


def _problem(exc: Exception) -> str:
    """A YAML or decoding error in one line, with where it is when known."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return f"{exc.problem}{where}"
    return " ".join(str(exc).split())


def _name_parts(path: Path) -> tuple[str, str]:
    """``<slug>.<lang>.md``: the slug and the language."""
    parts = path.name.removesuffix(".md").rsplit(".", 1)
    if len(parts) != 2 or not all(parts):
        raise ContentError(f"{path}: name must be <slug>.<lang>.md")
    slug, lang = parts
    if not all(c.isascii() and (c.isdigit() or c.islower() or c == "-") for c in slug):
        raise ContentError(f"{path}: the slug may hold only a-z, digits and hyphens")
    return slug, lang


def _normal_text(title: str, summary: str, body: str) -> Text:
    """The text as ``publishing.add_revision`` keeps it, so that comparing a file with a
    saved revision finds an unchanged file unchanged."""
    return Text(title.strip(), summary.strip(), body.replace("\r\n", "\n").strip() + "\n")


def parse_page(path: Path, section: str) -> PageFile:
    slug, lang = _name_parts(path)
    try:
        post = frontmatter.load(str(path))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: front matter is not valid YAML: {_problem(exc)}") from exc
    meta = post.metadata
    if not meta.get("title") or not str(meta["title"]).strip():
        raise ContentError(f"{path}: front matter needs a title")
    if not post.content.strip():
        raise ContentError(f"{path}: the text is empty")
    date, is_month = parse_date(meta.get("date"), path, "date")
    reviewed, _ = parse_date(meta.get("last_reviewed"), path, "last_reviewed")
    try:
        order = int(str(meta.get("order", 100)))
    except ValueError as exc:
        raise ContentError(f"{path}: order must be a whole number") from exc
    return PageFile(
        section=section,
        slug=slug,
        lang=lang,
        text=_normal_text(str(meta["title"]), str(meta.get("summary") or ""), post.content),
        date=date,
        date_is_month=is_month,
        last_reviewed=reviewed,
        translation_of=str(meta["translation_of"]) if meta.get("translation_of") else None,
        order=order,
    )


def read_pages(root: Path, languages: Iterable[str]) -> list[PageFile]:
    """Every page file under ``root`` in one of ``languages``; sources before translations."""
    wanted = set(languages)
    pages = [
        parse_page(path, section)
        for section in SECTIONS
        for path in sorted((root / section).glob("*.md"))
        if _name_parts(path)[1] in wanted
    ]
    return sorted(pages, key=lambda p: (p.section, p.slug, p.translation_of is not None, p.lang))


def _source_lang(pages: list[PageFile], section: str, slug: str) -> str | None:
    return next(
        (
            p.translation_of
            for p in pages
            if (p.section, p.slug) == (section, slug) and p.translation_of
        ),
        None,
    )


def _create_item(session: Session, page: PageFile, source: str | None) -> ContentItem:
    item = ContentItem(
        section=page.section,
        slug=page.slug,
        position=page.order,
        date=page.date,
        date_is_month=page.date_is_month,
        source_lang=source,
    )
    session.add(item)
    session.flush()
    return item


def _bring_in(
    session: Session,
    actor: StaffUser | None,
    pages: list[PageFile],
    *,
    only_new: bool,
    publish: bool,
    report: Report,
) -> None:
    found = {(item.section, item.slug): item for item in session.scalars(select(ContentItem))}
    for page in pages:
        name = f"{page.section}/{page.slug} [{page.lang}]"
        item = found.get((page.section, page.slug))
        if item is None:
            item = _create_item(session, page, _source_lang(pages, page.section, page.slug))
            found[(page.section, page.slug)] = item
        row = publishing.language(item, page.lang)
        if row is not None and only_new:
            report.unchanged += 1
            continue
        latest = publishing.latest_revision(row)
        if page.text.same_as(row.published if row else None) or (
            page.text.same_as(latest) and not publish
        ):
            # the public text already (an export read back), or the draft it would make
            report.unchanged += 1
            continue
        if latest is not None and page.text.same_as(latest):
            revision = latest  # the draft with this text, published as it is
        else:
            try:
                revision = publishing.add_revision(
                    session, actor, item, page.lang, page.text, "import"
                )
            except publishing.PublishingError as exc:  # a text that cannot be rendered
                raise ContentError(f"{name}: {exc}") from exc
        created = row is None
        if row is None:
            row = ContentLanguage(item=item, lang=page.lang)
            session.add(row)
            report.created.append(name)
        else:
            report.revised.append(name)
        row.updated_at = utcnow()
        if publish:
            row.published_revision_id, row.draft_revision_id = revision.id, None
            if created:  # a new language keeps the file's review date
                row.last_reviewed = page.last_reviewed
        else:
            row.draft_revision_id = revision.id
        session.flush()
        session.refresh(item)


def load_helplines_file(path: Path) -> list[dict[str, Any]]:
    """The file's lines, checked, as column values of ``models.Helpline``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: not valid YAML: {_problem(exc)}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("lines", []), list):
        raise ContentError(f"{path}: must hold a list of lines under 'lines:'")
    lines: list[dict[str, Any]] = []
    keys: set[str] = set()
    for position, raw in enumerate(data.get("lines", []), start=1):
        if not isinstance(raw, dict):
            raise ContentError(f"{path}: line {position} must be a mapping of fields")
        key = str(raw.get("id") or "")
        if not key:
            raise ContentError(f"{path}: every line needs an id")
        if key in keys:
            raise ContentError(f"{path}: the id {key!r} is used twice")
        keys.add(key)
        kind = str(raw.get("kind", "hotline"))
        if kind not in HELPLINE_KINDS:
            raise ContentError(f"{path}: unknown kind {kind!r} for {key!r}")
        dial = str(raw.get("dial") or "")
        if dial and not dial.lstrip("+").isdigit():
            raise ContentError(f"{path}: dial for {key!r} must be digits")
        status = str(raw.get("status") or "")
        if not status:  # the older form: available: true/false
            status = "available" if raw.get("available", True) else "unavailable"
        if status not in {s.value for s in HelplineStatus}:
            raise ContentError(f"{path}: status of {key!r} must be available/unavailable/unknown")
        confirmed, is_month = parse_date(raw.get("last_confirmed"), path, "last_confirmed")
        try:
            line_position = int(raw.get("position", position))
        except (TypeError, ValueError) as exc:
            raise ContentError(f"{path}: position of {key!r} must be a whole number") from exc
        texts: dict[str, dict[str, str]] = {}
        for name in HELPLINE_TEXTS:
            values = raw.get(name) or {}
            if not isinstance(values, dict):
                raise ContentError(f"{path}: {name} of {key!r} must map languages to text")
            for lang, value in values.items():
                texts.setdefault(str(lang), {})[name] = " ".join(str(value).split())
        lines.append(
            {
                "key": key,
                "kind": kind,
                "number": str(raw.get("number") or ""),
                "dial": dial,
                "handle": str(raw.get("handle") or ""),
                "status": status,
                "hide_when_unavailable": bool(raw.get("hide_when_unavailable", False)),
                "in_header": bool(raw.get("in_header", False)),
                "position": line_position,
                "last_confirmed": confirmed,
                "last_confirmed_is_month": is_month,
                "note": str(raw.get("note") or "").strip(),
                "texts": texts,
            }
        )
    return lines


def _read_lines(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.exists():
        return []
    return load_helplines_file(path)


def _add_new_lines(session: Session, lines: list[dict[str, Any]], report: Report) -> None:
    have = set(session.scalars(select(Helpline.key)))
    for values in lines:
        if values["key"] not in have:
            session.add(Helpline(**values))
            report.lines_added.append(values["key"])


def _finish(session: Session, actor: StaffUser | None, report: Report, action: str) -> Report:
    if report.changed:
        publishing.bump_version(session)
        record(session, actor, action, detail=report.summary())
    session.commit()
    return report


def first_import_sources(app: Flask) -> tuple[Path, Path]:
    """Where ``flask init`` takes pages and help lines from: ``CONTENT_DIR`` (default the
    shipped ``data/``), and ``HELPLINES_FILE``, else ``instance/helplines.yaml`` when
    present, else the shipped one."""
    root = Path(app.config.get("CONTENT_DIR") or CONTENT_DIR)
    configured = app.config.get("HELPLINES_FILE")
    if configured:
        return root, Path(configured)
    local = Path(app.instance_path) / HELPLINES_FILE
    return root, local if local.exists() else CONTENT_DIR / HELPLINES_FILE


def seed(
    session: Session, root: Path, helplines_file: Path | None, languages: Iterable[str]
) -> Report:
    """Add what the database lacks, published (``flask init``); idempotent."""
    pages, lines = read_pages(root, languages), _read_lines(helplines_file)
    report = Report()
    try:
        _bring_in(session, None, pages, only_new=True, publish=True, report=report)
        _add_new_lines(session, lines, report)
        return _finish(session, None, report, "content first import")
    except BaseException:
        session.rollback()
        raise


def import_dir(
    session: Session,
    actor: StaffUser | None,
    root: Path,
    languages: Iterable[str],
    *,
    publish: bool = False,
) -> Report:
    """Each file as a new revision where its text differs (drafts unless ``publish``)."""
    if not root.is_dir():
        raise ContentError(f"{root}: not a folder")
    pages, lines = read_pages(root, languages), _read_lines(root / HELPLINES_FILE)
    report = Report()
    try:
        _bring_in(session, actor, pages, only_new=False, publish=publish, report=report)
        _add_new_lines(session, lines, report)
        return _finish(
            session, actor, report, "content imported" + (" and published" if publish else "")
        )
    except BaseException:
        session.rollback()
        raise


def _front_matter(
    item: ContentItem, row: ContentLanguage, revision: ContentRevision
) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": revision.title}
    if revision.summary:
        meta["summary"] = revision.summary
    if item.date:
        meta["date"] = date_text(item.date, item.date_is_month)
    if row.last_reviewed:
        meta["last_reviewed"] = row.last_reviewed.isoformat()
    if item.source_lang and item.source_lang != row.lang:
        meta["translation_of"] = item.source_lang
    meta["order"] = item.position
    return meta


def export_dir(session: Session, root: Path) -> int:
    """Write the published pages and the help lines under ``root``; the number of pages."""
    written = 0
    for item in publishing.items(session):
        for row in item.languages:
            if row.published is None:
                continue
            folder = root / item.section
            folder.mkdir(parents=True, exist_ok=True)
            post = frontmatter.Post(
                row.published.body.rstrip("\n") + "\n", **_front_matter(item, row, row.published)
            )
            (folder / f"{item.slug}.{row.lang}.md").write_text(
                frontmatter.dumps(post, sort_keys=False, allow_unicode=True) + "\n",
                encoding="utf-8",
            )
            written += 1
    lines = [
        _line_data(row) for row in session.scalars(select(Helpline).order_by(Helpline.position))
    ]
    root.mkdir(parents=True, exist_ok=True)
    (root / HELPLINES_FILE).write_text(
        yaml.safe_dump({"lines": lines}, allow_unicode=True, sort_keys=False, width=88),
        encoding="utf-8",
    )
    return written


def _line_data(row: Helpline) -> dict[str, Any]:
    data: dict[str, Any] = {"id": row.key, "kind": row.kind}
    for name in ("number", "dial", "handle"):
        if getattr(row, name):
            data[name] = getattr(row, name)
    data["status"] = row.status
    if row.hide_when_unavailable:
        data["hide_when_unavailable"] = True
    if row.in_header:
        data["in_header"] = True
    if row.last_confirmed:
        data["last_confirmed"] = date_text(row.last_confirmed, row.last_confirmed_is_month)
    if row.note:
        data["note"] = row.note
    for name in HELPLINE_TEXTS:
        values = {lang: texts[name] for lang, texts in (row.texts or {}).items() if texts.get(name)}
        if values:
            data[name] = values
    return data
