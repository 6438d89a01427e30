"""Publishing: the editors' actions on pages and statements, and what each language's state is.

Every action is one transaction: the change, its audit entry (never any text, only which
page, language and revision) and, when readers see a difference, a raised content version
(``bump_version``) so every worker renders again within a second (campaign/content/store.py).

A language's text is only ever added as a new ``ContentRevision``; ``ContentLanguage`` points
at the published one and at a newer draft. States, as the publishing list shows them:

- ``missing``: no revision in this language;
- ``draft``: saved but never published, or unpublished;
- ``published``: the published text is the newest;
- ``outdated``: a translation whose source language was published after this translation
  was last saved (revision ids only grow, so "after" is a comparison of ids).

A language with a draft newer than its published text is published *and* has a draft
(``LanguageState.has_draft``).

Restoring an old revision copies it into a new one: published at once when the language is
published (the editor wants the old page back), a draft otherwise.

A text is saved only when it renders (``render.render_markdown`` within its time budget):
every worker renders every published page while readers wait, so a text that Markdown
cannot render in time is refused here, before any reader's snapshot meets it.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaign.content.render import UNRENDERABLE, RenderError, render_markdown
from campaign.core.texts import N_, RefusalError
from campaign.models import (
    ContentItem,
    ContentLanguage,
    ContentRevision,
    ContentVersion,
    StaffUser,
)
from campaign.models.audit import record
from campaign.models.base import utcnow
from campaign.models.content import SECTIONS

STATEMENTS = "statements"
MISSING, DRAFT, PUBLISHED, OUTDATED = "missing", "draft", "published", "outdated"


class PublishingError(RefusalError):
    """An action that cannot be done as asked (the message says why, for the editor, in
    English marked for the catalogues; the staff pages show it in the editor's language)."""


@dataclass(frozen=True)
class Text:
    """What an editor writes for one language."""

    title: str
    summary: str
    body: str

    def same_as(self, revision: ContentRevision | None) -> bool:
        return revision is not None and (self.title, self.summary, self.body) == (
            revision.title,
            revision.summary,
            revision.body,
        )


@dataclass(frozen=True)
class LanguageState:
    lang: str
    state: str
    has_draft: bool
    last_reviewed: dt.date | None
    title: str


@dataclass(frozen=True)
class ItemState:
    item: ContentItem
    languages: tuple[LanguageState, ...]

    def title(self, lang: str) -> str:
        by_lang = {state.lang: state.title for state in self.languages if state.title}
        return by_lang.get(lang) or next(iter(by_lang.values()), self.item.slug)


# -- reading ---------------------------------------------------------------------------


def bump_version(session: Session) -> None:
    """Raise the content version in the caller's transaction (readers render again)."""
    result = session.execute(
        update(ContentVersion)
        .where(ContentVersion.id == 1)
        .values(version=ContentVersion.version + 1)
    )
    if getattr(result, "rowcount", 1) == 0:
        session.add(ContentVersion(id=1, version=1))


def current_version(session: Session) -> int:
    return session.scalar(select(ContentVersion.version).where(ContentVersion.id == 1)) or 0


def items(session: Session, section: str | None = None) -> list[ContentItem]:
    query = select(ContentItem).order_by(
        ContentItem.section, ContentItem.position, ContentItem.slug
    )
    if section:
        query = query.where(ContentItem.section == section)
    return list(session.scalars(query))


def find_item(session: Session, section: str, slug: str) -> ContentItem | None:
    return session.scalar(
        select(ContentItem).where(ContentItem.section == section, ContentItem.slug == slug)
    )


def language(item: ContentItem, lang: str) -> ContentLanguage | None:
    return next((row for row in item.languages if row.lang == lang), None)


def latest_revision(row: ContentLanguage | None) -> ContentRevision | None:
    """The newest saved text of a language: its draft if any, else what is published."""
    if row is None:
        return None
    return row.draft or row.published


def state_of(item: ContentItem, lang: str) -> LanguageState:
    row = language(item, lang)
    latest = latest_revision(row)
    if row is None or latest is None:
        return LanguageState(lang, MISSING, False, None, "")
    has_draft = row.draft is not None and row.published is not None
    if row.published is None:
        state = DRAFT
    else:
        state = PUBLISHED
        source = language(item, item.source_lang) if item.source_lang else None
        if (
            source is not None
            and lang != item.source_lang
            and source.published_revision_id is not None
            and source.published_revision_id > latest.id
        ):
            state = OUTDATED
    return LanguageState(lang, state, has_draft, row.last_reviewed, latest.title)


def item_states(session: Session, languages: tuple[str, ...]) -> list[ItemState]:
    found = items(session)
    order = {section: index for index, section in enumerate(SECTIONS)}
    found.sort(
        key=lambda item: (
            order.get(item.section, 99),
            -(item.date or dt.date.min).toordinal() if item.section == STATEMENTS else 0,
            item.position,
            item.slug,
        )
    )
    return [ItemState(item, tuple(state_of(item, lang) for lang in languages)) for item in found]


def revisions(session: Session, item: ContentItem, lang: str) -> list[ContentRevision]:
    return list(
        session.scalars(
            select(ContentRevision)
            .where(ContentRevision.item_id == item.id, ContentRevision.lang == lang)
            .order_by(ContentRevision.id.desc())
        )
    )


def revision(session: Session, item: ContentItem, lang: str, revision_id: int) -> ContentRevision:
    found = session.get(ContentRevision, revision_id)
    if found is None or found.item_id != item.id or found.lang != lang:
        raise PublishingError(N_("There is no such revision of this page."))
    return found


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def line_diff(old: str, new: str) -> list[DiffLine]:
    """What changed from ``old`` to ``new``, line by line (unchanged lines kept for context)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", text) for text in old_lines[a1:a2])
            continue
        lines.extend(DiffLine("removed", text) for text in old_lines[a1:a2])
        lines.extend(DiffLine("added", text) for text in new_lines[b1:b2])
    return lines


# -- actions ---------------------------------------------------------------------------


def _detail(item: ContentItem, lang: str, revision_id: int | None = None) -> str:
    detail = f"{item.section}/{item.slug} [{lang}]"
    return f"{detail} revision {revision_id}" if revision_id else detail


def _row(session: Session, item: ContentItem, lang: str) -> ContentLanguage:
    row = language(item, lang)
    if row is None:
        row = ContentLanguage(item=item, lang=lang)
        session.add(row)
    return row


def _stored_body(body: str) -> str:
    return body.replace("\r\n", "\n").strip() + "\n"


def _check_text(text: Text) -> None:
    if not text.title.strip():
        raise PublishingError(N_("A title is needed."))
    if not text.body.strip():
        raise PublishingError(N_("The text is empty."))
    try:
        render_markdown(_stored_body(text.body))  # as readers' snapshots will (and cached)
    except RenderError as exc:
        raise PublishingError(UNRENDERABLE) from exc


def add_revision(
    session: Session,
    actor: StaffUser | None,
    item: ContentItem,
    lang: str,
    text: Text,
    origin: str = "edit",
) -> ContentRevision:
    """A new revision (not committed, not pointed at by anything yet)."""
    _check_text(text)
    created = ContentRevision(
        item_id=item.id,
        lang=lang,
        title=text.title.strip(),
        summary=text.summary.strip(),
        body=_stored_body(text.body),
        author_id=actor.id if actor else None,
        author_label=actor.email if actor else "operator",
        origin=origin,
    )
    session.add(created)
    session.flush()
    return created


def save_draft(
    session: Session, actor: StaffUser | None, item: ContentItem, lang: str, text: Text
) -> ContentRevision | None:
    """Keep the text as this language's draft; None when it equals the newest text."""
    row = _row(session, item, lang)
    if text.same_as(latest_revision(row)):
        return None
    created = add_revision(session, actor, item, lang, text)
    row.draft_revision_id = created.id
    row.updated_at = utcnow()
    record(session, actor, "content draft saved", detail=_detail(item, lang, created.id))
    session.commit()
    return created


def publish(
    session: Session, actor: StaffUser | None, item: ContentItem, lang: str, text: Text | None
) -> ContentRevision:
    """Publish ``text`` (saved as a new revision if it differs from the newest) or, with
    None, the newest saved text."""
    row = _row(session, item, lang)
    latest = latest_revision(row)
    if text is not None and not text.same_as(latest):
        latest = add_revision(session, actor, item, lang, text)
    if latest is None:
        raise PublishingError(N_("There is nothing to publish in this language yet."))
    row.published_revision_id = latest.id
    row.draft_revision_id = None
    row.updated_at = utcnow()
    bump_version(session)
    record(session, actor, "content published", detail=_detail(item, lang, latest.id))
    session.commit()
    session.refresh(row)
    return latest


def unpublish(session: Session, actor: StaffUser | None, item: ContentItem, lang: str) -> None:
    row = language(item, lang)
    if row is None or row.published_revision_id is None:
        raise PublishingError(N_("This language is not published."))
    if row.draft_revision_id is None:
        row.draft_revision_id = row.published_revision_id
    row.published_revision_id = None
    row.updated_at = utcnow()
    bump_version(session)
    record(session, actor, "content unpublished", detail=_detail(item, lang))
    session.commit()
    session.refresh(row)


def restore(
    session: Session, actor: StaffUser | None, item: ContentItem, lang: str, revision_id: int
) -> ContentRevision:
    """Copy an old revision into a new one; published at once if the language is."""
    old = revision(session, item, lang, revision_id)
    row = _row(session, item, lang)
    text = Text(old.title, old.summary, old.body)
    created = add_revision(session, actor, item, lang, text, origin=f"restore of #{old.id}")
    if row.published_revision_id is not None:
        row.published_revision_id = created.id
        row.draft_revision_id = None
        bump_version(session)
    else:
        row.draft_revision_id = created.id
    row.updated_at = utcnow()
    record(
        session,
        actor,
        "content restored",
        detail=f"{_detail(item, lang, created.id)} from {old.id}",
    )
    session.commit()
    session.refresh(row)
    return created


def mark_reviewed(
    session: Session, actor: StaffUser | None, item: ContentItem, lang: str, today: dt.date
) -> None:
    """Someone read this language's published page today and found it true: set the date
    readers see, without changing the text."""
    row = language(item, lang)
    if row is None or row.published_revision_id is None:
        raise PublishingError(N_("Only a published page can be marked as reviewed."))
    row.last_reviewed = today
    bump_version(session)
    record(session, actor, "content reviewed", detail=_detail(item, lang))
    session.commit()


def new_item(
    session: Session,
    actor: StaffUser | None,
    *,
    section: str,
    slug: str,
    lang: str,
    text: Text,
    date: dt.date | None = None,
    date_is_month: bool = False,
    position: int = 100,
    publish_now: bool = False,
) -> ContentItem:
    """A new page or statement, written in ``lang`` (the language others translate from)."""
    if section not in SECTIONS:
        raise PublishingError(N_("There is no such section."))
    if not slug or not all(c.isascii() and (c.isalnum() or c == "-") for c in slug):
        raise PublishingError(N_("The address may hold only Latin letters, digits and hyphens."))
    if find_item(session, section, slug) is not None:
        raise PublishingError(N_("A page with this address exists already."))
    _check_text(text)
    item = ContentItem(
        section=section,
        slug=slug.lower(),
        position=position,
        date=date,
        date_is_month=date_is_month,
        source_lang=lang,
    )
    session.add(item)
    session.flush()
    created = add_revision(session, actor, item, lang, text)
    row = ContentLanguage(item=item, lang=lang)
    session.add(row)
    if publish_now:
        row.published_revision_id = created.id
        bump_version(session)
    else:
        row.draft_revision_id = created.id
    record(
        session,
        actor,
        "content created" + (" and published" if publish_now else ""),
        detail=_detail(item, lang, created.id),
    )
    session.commit()
    return item


def set_details(
    session: Session,
    actor: StaffUser | None,
    item: ContentItem,
    *,
    date: dt.date | None,
    date_is_month: bool,
    position: int,
) -> None:
    """What all languages share: the date shown and the list position."""
    item.date, item.date_is_month, item.position = date, date_is_month, position
    bump_version(session)
    record(session, actor, "content details changed", detail=f"{item.section}/{item.slug}")
    session.commit()
