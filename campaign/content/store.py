"""The content store: what readers see, rendered once per process and content version.

Pages and statements live in the database with their revisions (``content/publishing.py``
writes them). Readers never wait for that: each process keeps a :class:`Snapshot` of every
published page rendered to safe HTML (``content/render.py``) and the help lines as they
stand today. Before a request, at most every ``CONTENT_CHECK_SECONDS`` (0.25 s), the process
reads the one-row content version; when it, or the day, changed, it builds a new snapshot
and forgets its cached pages (``core/pagecache.py`` keys pages by ``g.page_generation``).
So a publish is served by every worker, on every host on the same database, within about a
quarter of a second, at the cost of one indexed one-row read per worker per 0.25 s.

Help line mentions in page text, ``[[line:KEY]]``, are written from the line's data in the
page's language: its name and number as a ``tel:`` link while it is offered, and what is
known (unavailable, not confirmed since a month) when it is not. No page prose can so keep
telling the reader to call a line that stopped answering. The line's name, number and
handle are data, not Markdown (``render.escape_markdown``): a name like ``[Call](tel:999)``
is shown as those characters, never as a link that outlives the line's status.

A page whose text cannot be rendered (``render.RenderError``: too slow, or too deep for
Python-Markdown) is shown as plain text and logged; it never takes the other pages, or the
snapshot, down with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from dataclasses import dataclass

from flask import Flask, abort, current_app, g
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload

from campaign.content import helplines as helpline_data
from campaign.content.common import CONTENT_DIR
from campaign.content.helpline_edits import DIAL_PATTERN
from campaign.content.helplines import Helpline
from campaign.content.importer import HELPLINES_FILE, load_helplines_file
from campaign.content.publishing import current_version
from campaign.content.render import RenderError, escape_markdown, plain_html, render_markdown
from campaign.core.db import engine
from campaign.core.i18n import format_month_in_sentence
from campaign.models import ContentItem, ContentLanguage
from campaign.models import Helpline as HelplineRow
from campaign.models.content import SECTIONS

__all__ = ["SECTIONS", "ContentStore", "Page", "Snapshot", "store"]

STATEMENTS = "statements"
logger = logging.getLogger(__name__)
LINE_MENTION = re.compile(r"\[\[line:([a-z0-9-]+)\]\]")


@dataclass(frozen=True)
class Page:
    """One published content page in one language, rendered."""

    section: str
    slug: str
    lang: str
    title: str
    summary: str
    html: str
    date: dt.date | None
    date_is_month: bool
    last_reviewed: dt.date | None
    translation_of: str | None
    order: int


def mention(line: Helpline | None, key: str, lang: str, *, markdown: bool = True) -> str:
    """The Markdown for ``[[line:KEY]]`` in ``lang``, following the line's status (with
    ``markdown=False``: the same words as plain text, for a page shown as plain text)."""
    if line is None or line.hidden:
        return str(gettext("a help line that is no longer listed"))
    data = escape_markdown if markdown else str
    name = data(line.text("name", lang))
    if line.offered and line.dial and DIAL_PATTERN.fullmatch(line.dial):
        number = data(line.number or line.dial)
        return f"{name}, [{number}]({line.tel})" if markdown else f"{name}, {number}"
    if line.offered:
        return f"{name} ({data(line.handle or line.number)})"
    if line.unavailable:
        return str(gettext("%(name)s (not working at the moment)", name=name))
    if line.last_confirmed:
        month = format_month_in_sentence(line.last_confirmed, lang)
        text = gettext("%(name)s (last confirmed as working: %(month)s)", name=name, month=month)
        return str(text)
    return str(gettext("%(name)s (not confirmed as working)", name=name))


def with_line_mentions(
    body: str, lines: dict[str, Helpline], lang: str, *, markdown: bool = True
) -> str:
    if "[[line:" not in body:
        return body
    with force_locale(lang):
        return LINE_MENTION.sub(
            lambda m: mention(lines.get(m.group(1)), m.group(1), lang, markdown=markdown), body
        )


def page_html(body: str, lines: dict[str, Helpline], lang: str, where: str) -> str:
    """The body as readers see it; as plain text when it cannot be rendered (logged)."""
    try:
        return render_markdown(with_line_mentions(body, lines, lang))
    except RenderError:
        logger.error("%s cannot be rendered in time; it is shown as plain text", where)
    return plain_html(with_line_mentions(body, lines, lang, markdown=False))


class ContentStore:
    """All published pages, rendered; lookups by (section, lang, slug) and ordered lists."""

    def __init__(self, pages: list[Page]) -> None:
        self._pages = {(page.section, page.lang, page.slug): page for page in pages}
        self._lists: dict[tuple[str, str], list[Page]] = {}
        for page in pages:
            self._lists.setdefault((page.section, page.lang), []).append(page)
        for (section, _lang), listed in self._lists.items():
            listed.sort(key=lambda p: sort_key(p, section))

    def get(self, section: str, lang: str, slug: str) -> Page | None:
        return self._pages.get((section, lang, slug))

    def list(self, section: str, lang: str) -> list[Page]:
        return list(self._lists.get((section, lang), []))

    def slugs(self, section: str) -> set[str]:
        return {slug for (sec, _lang, slug) in self._pages if sec == section}


def sort_key(page: Page, section: str) -> tuple[int, int, str]:
    """Statements newest first (a new one goes to the top); other sections by position."""
    newest_first = -(page.date or dt.date.min).toordinal()
    if section == STATEMENTS:
        return (newest_first, page.order, page.slug)
    return (page.order, newest_first, page.slug)


@dataclass(frozen=True)
class Snapshot:
    key: str
    store: ContentStore
    lines: list[Helpline]
    available: bool = True

    @property
    def header_lines(self) -> list[Helpline]:
        return helpline_data.header_lines(self.lines)


def build_snapshot(session: Session, key: str, today: dt.date, stale_days: int) -> Snapshot:
    lines = helpline_data.load(session, today, stale_days)
    by_key = {line.key: line for line in lines}
    rows = session.scalars(
        select(ContentLanguage)
        .where(ContentLanguage.published_revision_id.is_not(None))
        .options(joinedload(ContentLanguage.item), joinedload(ContentLanguage.published))
    )
    pages: list[Page] = []
    for row in rows:
        item: ContentItem = row.item
        revision = row.published
        if revision is None or item.section not in SECTIONS:
            continue
        where = f"{item.section}/{item.slug} [{row.lang}] revision {revision.id}"
        pages.append(
            Page(
                section=item.section,
                slug=item.slug,
                lang=row.lang,
                title=revision.title,
                summary=revision.summary,
                html=page_html(revision.body, by_key, row.lang, where),
                date=item.date,
                date_is_month=item.date_is_month,
                last_reviewed=row.last_reviewed,
                translation_of=(
                    item.source_lang if item.source_lang and item.source_lang != row.lang else None
                ),
                order=item.position,
            )
        )
    return Snapshot(key, ContentStore(pages), lines)


def unavailable_snapshot() -> Snapshot:
    """While the database cannot be read and nothing was read before: no pages (reading
    pages answer 503), and of the help lines only the state's emergency numbers, from the
    shipped file, so that an error page still offers 112."""
    lines = [
        helpline_data.view(HelplineRow(**values), dt.date.today(), 0)
        for values in load_helplines_file(CONTENT_DIR / HELPLINES_FILE)
        if values["kind"] == helpline_data.EMERGENCY
    ]
    return Snapshot("unavailable", ContentStore([]), lines, available=False)


class ContentState:
    """One app's current snapshot in this process, and when the version was last read."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.checked_at = float("-inf")
        self.lock = threading.Lock()

    def current(self, app: Flask) -> Snapshot:
        interval = float(app.config["CONTENT_CHECK_SECONDS"])
        snapshot = self.snapshot
        if snapshot is not None and time.monotonic() - self.checked_at < interval:
            return snapshot
        with self.lock, Session(engine()) as session:  # its own short read, never the request's
            today = dt.date.today()
            try:
                key = f"{current_version(session)}:{today.isoformat()}"
                if self.snapshot is None or self.snapshot.key != key:
                    stale_days = int(app.config["HELPLINE_STALE_DAYS"])
                    self.snapshot = build_snapshot(session, key, today, stale_days)
                    app.extensions["page_cache"].clear()
            except SQLAlchemyError:
                logger.warning("content version check failed; serving the last snapshot")
                if self.snapshot is None:  # nothing read yet: try again on the next request
                    return unavailable_snapshot()
                # The database is away: keep serving what was published, try again soon.
            self.checked_at = time.monotonic()
            return self.snapshot


def snapshot() -> Snapshot:
    """This request's snapshot (one for the whole request, even if a publish lands)."""
    found: Snapshot | None = g.get("content_snapshot")
    if found is None:
        state: ContentState = current_app.extensions["campaign_content"]
        found = g.content_snapshot = state.current(current_app._get_current_object())  # type: ignore[attr-defined]
        g.page_generation = found.key
    return found


def page_or_none(section: str, slug: str) -> Page | None:
    """A published page in this request's language, or None (also while the database cannot
    be read): for pages that show content beside something that must always work, such as
    the help form."""
    current = snapshot()
    return current.store.get(section, str(g.lang), slug) if current.available else None


def store() -> ContentStore:
    """The pages of this request's snapshot; 503 while the database cannot be read."""
    current = snapshot()
    if not current.available:
        abort(503)
    return current.store


def init_app(app: Flask) -> None:
    app.extensions["campaign_content"] = ContentState()

    @app.before_request
    def take_snapshot() -> None:
        """Pages in a language read content: fix this request's snapshot before the page
        cache looks up its key."""
        if g.get("lang") is not None:
            snapshot()

    @app.context_processor
    def helpline_context() -> dict[str, object]:
        if g.get("lang") is None:  # staff pages and errors before a language: no lines
            return {}
        current = snapshot()
        return {"helplines": current.lines, "header_lines": current.header_lines}
