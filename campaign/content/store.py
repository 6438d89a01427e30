"""Content pages: Markdown with front matter per language, and the help lines.

Everything under ``campaign/content/data`` is read and rendered to HTML once per process
into an immutable :class:`ContentStore` kept in ``app.extensions``; a second app in the
same process (tests) reuses it while the files are unchanged (the cache key is every
file's path, size and modification time). Requests never touch the files. Layout::

    data/<section>/<slug>.<lang>.md     sections: statements, home-without-abuse, pages
    data/helplines.yaml                 default help lines (see helplines.py)

Front matter keys: ``title`` (required), ``summary``, ``date`` (YYYY-MM or YYYY-MM-DD),
``last_reviewed`` (YYYY-MM-DD), ``translation_of`` (language code of the original, for
translations), ``order`` (list position, ascending).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import markdown
from flask import Flask, current_app

from campaign.content.common import CONTENT_DIR, ContentError, files_key, parse_date

SECTIONS = ("statements", "home-without-abuse", "pages")


@dataclass(frozen=True)
class Page:
    """One rendered content page in one language."""

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


def render_markdown(text: str) -> str:
    return markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")


def load_page(path: Path, section: str) -> Page:
    try:
        slug, lang = path.name.removesuffix(".md").rsplit(".", 1)
    except ValueError as exc:
        raise ContentError(f"{path}: name must be <slug>.<lang>.md") from exc
    post = frontmatter.load(str(path))
    meta = post.metadata
    if not meta.get("title"):
        raise ContentError(f"{path}: front matter needs a title")
    date, is_month = parse_date(meta.get("date"), path, "date")
    reviewed, _ = parse_date(meta.get("last_reviewed"), path, "last_reviewed")
    return Page(
        section=section,
        slug=slug,
        lang=lang,
        title=str(meta["title"]),
        summary=str(meta.get("summary") or ""),
        html=render_markdown(post.content),
        date=date,
        date_is_month=is_month,
        last_reviewed=reviewed,
        translation_of=str(meta["translation_of"]) if meta.get("translation_of") else None,
        order=int(str(meta.get("order", 100))),
    )


class ContentStore:
    """All pages, rendered; lookups by (section, lang, slug) and ordered lists."""

    def __init__(self, root: Path, languages: tuple[str, ...]) -> None:
        self._pages: dict[tuple[str, str, str], Page] = {}
        for section in SECTIONS:
            for path in sorted((root / section).glob("*.md")):
                page = load_page(path, section)
                if page.lang in languages:
                    self._pages[(section, page.lang, page.slug)] = page
        self._lists: dict[tuple[str, str], list[Page]] = {}
        for (section, lang, _slug), page in self._pages.items():
            self._lists.setdefault((section, lang), []).append(page)
        for pages in self._lists.values():
            pages.sort(key=lambda p: (p.order, -(p.date or dt.date.min).toordinal(), p.slug))

    def get(self, section: str, lang: str, slug: str) -> Page | None:
        return self._pages.get((section, lang, slug))

    def list(self, section: str, lang: str) -> list[Page]:
        return list(self._lists.get((section, lang), []))

    def slugs(self, section: str) -> set[str]:
        return {slug for (sec, _lang, slug) in self._pages if sec == section}


def store() -> ContentStore:
    content: ContentStore = current_app.extensions["campaign_content"]
    return content


_STORES: dict[tuple[object, ...], ContentStore] = {}


def load_store(root: Path, languages: tuple[str, ...]) -> ContentStore:
    """The rendered store for these files, built once per process while they are unchanged."""
    files = files_key(p for section in SECTIONS for p in (root / section).glob("*.md"))
    key = (str(root), tuple(languages), files)
    found = _STORES.get(key)
    if found is None:
        found = _STORES[key] = ContentStore(root, tuple(languages))
    return found


def init_app(app: Flask) -> None:
    root = Path(app.config.get("CONTENT_DIR") or CONTENT_DIR)
    app.extensions["campaign_content"] = load_store(root, app.config["LANGUAGES"])
