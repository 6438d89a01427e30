"""Publishing pages: the list of pages and statements with each language's state, the
editor of one language (preview, save draft, publish, unpublish, reviewed today), its
history with diffs and restore, a new statement, and a page's date and list position.

Thin: parse the form, call ``content.publishing`` (each action writes its audit entry and
commits), flash, redirect (POST/redirect/GET). Only admins and editors reach these pages
(``require_publisher``); anyone else gets the 404 of a wrong address. A refused action
shows the same page again with status 400 (409 when another editor's first text of the
same language was saved at the same moment) and everything typed kept; nothing here loses
an editor's text. The preview is the only HTML from the editor's text that a page shows,
and it comes from ``render_markdown`` (sanitised), exactly as readers will get it; a text
it cannot render in time is refused there as it would be on saving.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from campaign.content import publishing, store
from campaign.content.common import date_text
from campaign.content.publishing import DiffLine, PublishingError, Text
from campaign.content.render import RenderError, render_markdown
from campaign.core.db import db_session
from campaign.core.i18n import error_text, format_day, select_locale
from campaign.core.inputs import MAX_ID
from campaign.models import ContentItem, ContentRevision
from campaign.models.content import SECTIONS
from campaign.staff.blueprint import bp, require_publisher
from campaign.staff.forms import ActionForm
from campaign.staff.forms_publishing import (
    LANGUAGE_NAMES,
    DetailsForm,
    EditForm,
    NewStatementForm,
    parse_date,
)

SECTION_NAMES = {
    "statements": _l("Statements"),
    "home-without-abuse": _l("Home without abuse (campaign materials)"),
    "pages": _l("Pages"),
}
# A language's state (publishing.MISSING...) as the pages say it.
STATE_WORDS = {
    publishing.MISSING: _l("missing"),
    publishing.DRAFT: _l("draft"),
    publishing.PUBLISHED: _l("published"),
    publishing.OUTDATED: _l("outdated"),
}
# Where readers find an item (the "pages" section: only the pages with a route of their own).
ITEM_ENDPOINTS = {"statements": "public.statement", "home-without-abuse": "public.material"}
PAGE_ENDPOINTS = {
    "home": "public.home",
    "safety": "public.safety",
    "privacy": "public.privacy",
    "get-help": "help.index",  # the help page's prose above the form
}
# Pages that every visit needs (home, safety, privacy, help prose): edited, never unpublished.
FIXED_SECTION = "pages"
EDIT_ACTIONS = ("preview", "draft", "publish")
EXPIRED = _l(
    "The page expired (it was open for a long time, or you logged in again). "
    "Your text is kept below: press the button once more."
)
AT_THE_SAME_TIME = _l(
    "Someone else saved this language at the same moment, so nothing was saved. "
    "Your text is kept below: press the button once more."
)
CHECK_THE_FORM = _l("Check the form below (your text is kept).")
CHOOSE_AN_ACTION = _l("Choose Preview, Save draft or Publish (your text is kept).")
PAGE_EXPIRED = _l("The page expired. Please try again.")


def _languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def _item(section: str, slug: str, lang: str | None = None) -> ContentItem:
    """The item of the URL, or 404 (unknown section, address or language)."""
    if lang is not None and lang not in _languages():
        abort(404)
    item = publishing.find_item(db_session(), section, slug) if section in SECTIONS else None
    if item is None:
        abort(404)
    return item


def _title(item: ContentItem) -> str:
    """The item's title for the staff pages: in the member's language if written, else
    English, else any."""
    languages = _languages()
    states = tuple(publishing.state_of(item, lang) for lang in languages)
    return publishing.ItemState(item, states).title(select_locale())


def _edit_url(item: ContentItem, lang: str) -> str:
    return url_for("staff.publishing_edit", section=item.section, slug=item.slug, language=lang)


def public_url(item: ContentItem, lang: str) -> str | None:
    """The reader's address of an item in ``lang`` (None: no page of its own)."""
    endpoint = ITEM_ENDPOINTS.get(item.section)
    try:
        if endpoint:
            return url_for(endpoint, lang=lang, slug=item.slug)
        if item.section == FIXED_SECTION and item.slug in PAGE_ENDPOINTS:
            return url_for(PAGE_ENDPOINTS[item.slug], lang=lang)
    except BuildError:
        return None
    return None


def preview_html(body: str, lang: str) -> str:
    """The body as readers will see it: help line mentions written out, then sanitised."""
    lines = {line.key: line for line in store.snapshot().lines}
    body = body.replace("\r\n", "\n")
    return render_markdown(store.with_line_mentions(body, lines, lang))


def _text_of(form: EditForm | NewStatementForm) -> Text:
    return Text(form.title.data or "", form.summary.data or "", form.body.data or "")


def _action() -> str:
    action = request.form.get("action", "")
    return action if action in EDIT_ACTIONS else ""


# -- the list ------------------------------------------------------------------------------


@bp.get("/publishing/")
def publishing_list() -> str:
    require_publisher()
    languages = _languages()
    states = publishing.item_states(db_session(), languages)
    groups = [
        (
            section,
            SECTION_NAMES.get(section, section),
            [s for s in states if s.item.section == section],
        )
        for section in SECTIONS
    ]
    return render_template(
        "staff/publishing/list.html",
        groups=groups,
        languages=languages,
        names=LANGUAGE_NAMES,
        state_words=STATE_WORDS,
        format_date=date_text,
        title_lang=select_locale(),
    )


# -- the editor of one language ------------------------------------------------------------


def _source(item: ContentItem, lang: str) -> ContentRevision | None:
    """What translators work from: the source language's published text (else its newest)."""
    if not item.source_lang or item.source_lang == lang:
        return None
    row = publishing.language(item, item.source_lang)
    if row is None:
        return None
    return row.published or publishing.latest_revision(row)


def _render_editor(
    item: ContentItem,
    lang: str,
    form: EditForm,
    *,
    preview: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    state = publishing.state_of(item, lang)
    source = _source(item, lang)
    others = [publishing.state_of(item, other) for other in _languages()]
    page = render_template(
        "staff/publishing/edit.html",
        item=item,
        lang=lang,
        form=form,
        state=state,
        row=publishing.language(item, lang),
        heading=state.title or (source.title if source else "") or item.slug,
        source=source,
        others=others,
        preview=preview,
        error=error,
        public=public_url(item, lang),
        fixed=item.section == FIXED_SECTION,
        unpublish_form=ActionForm(prefix="unpublish"),
        reviewed_form=ActionForm(prefix="reviewed"),
        names=LANGUAGE_NAMES,
        state_words=STATE_WORDS,
        section_name=SECTION_NAMES.get(item.section, item.section),
        format_date=date_text,
        format_day=lambda day: format_day(day, select_locale()),
    )
    return page, status


def _stored_form(item: ContentItem, lang: str) -> EditForm:
    """The editor's form filled with the draft, else the published text, else empty."""
    latest = publishing.latest_revision(publishing.language(item, lang))
    data = {"title": latest.title, "summary": latest.summary, "body": latest.body} if latest else {}
    return EditForm(formdata=None, data=data)


@bp.route("/publishing/<section>/<slug>/<language>", methods=["GET", "POST"])
def publishing_edit(section: str, slug: str, language: str) -> Response | tuple[str, int]:
    staff = require_publisher()
    item = _item(section, slug, language)
    if request.method == "GET":
        return _render_editor(item, language, _stored_form(item, language))
    form = EditForm()
    action = _action()
    if not form.validate_on_submit():
        error = EXPIRED if form.csrf_token.errors else CHECK_THE_FORM
        return _render_editor(item, language, form, error=str(error), status=400)
    if not action:
        return _render_editor(item, language, form, error=str(CHOOSE_AN_ACTION), status=400)
    text = _text_of(form)
    if action == "preview":
        try:
            preview = preview_html(text.body, language)
        except RenderError as exc:
            return _render_editor(item, language, form, error=error_text(exc), status=400)
        return _render_editor(item, language, form, preview=preview)
    dbs = db_session()
    try:
        if action == "draft":
            saved = publishing.save_draft(dbs, staff.user, item, language, text)
            flash(
                gettext(
                    "Draft saved as revision #%(number)d. Readers do not see it until it is"
                    " published.",
                    number=saved.id,
                )
                if saved
                else gettext("Nothing to save: the text is the same as the newest saved one.")
            )
        else:
            published = publishing.publish(dbs, staff.user, item, language, text)
            flash(
                gettext(
                    "Published revision #%(number)d. Readers see it within a second.",
                    number=published.id,
                )
            )
    except PublishingError as exc:
        dbs.rollback()
        return _render_editor(item, language, form, error=error_text(exc), status=400)
    except IntegrityError:  # this language's first text, saved at the same moment elsewhere
        dbs.rollback()
        return _render_editor(item, language, form, error=str(AT_THE_SAME_TIME), status=409)
    return redirect(_edit_url(item, language))


def _small_action_refused(item: ContentItem, lang: str, error: str) -> tuple[str, int]:
    return _render_editor(item, lang, _stored_form(item, lang), error=error, status=400)


@bp.post("/publishing/<section>/<slug>/<language>/unpublish")
def publishing_unpublish(section: str, slug: str, language: str) -> Response | tuple[str, int]:
    staff = require_publisher()
    item = _item(section, slug, language)
    if not ActionForm(prefix="unpublish").validate_on_submit():
        return _small_action_refused(item, language, str(PAGE_EXPIRED))
    if item.section == FIXED_SECTION:
        error = gettext(
            "This page is part of the site's frame and cannot be unpublished: edit its text."
        )
        return _small_action_refused(item, language, error)
    dbs = db_session()
    try:
        publishing.unpublish(dbs, staff.user, item, language)
    except PublishingError as exc:
        dbs.rollback()
        return _small_action_refused(item, language, error_text(exc))
    flash(
        gettext(
            "Unpublished: readers now get “not found” at its address. The text is kept as a draft."
        )
    )
    return redirect(_edit_url(item, language))


@bp.post("/publishing/<section>/<slug>/<language>/reviewed")
def publishing_reviewed(section: str, slug: str, language: str) -> Response | tuple[str, int]:
    staff = require_publisher()
    item = _item(section, slug, language)
    if not ActionForm(prefix="reviewed").validate_on_submit():
        return _small_action_refused(item, language, str(PAGE_EXPIRED))
    dbs = db_session()
    today = dt.date.today()
    try:
        publishing.mark_reviewed(dbs, staff.user, item, language, today)
    except PublishingError as exc:
        dbs.rollback()
        return _small_action_refused(item, language, error_text(exc))
    flash(
        gettext(
            "Marked as reviewed today (%(day)s); the text is unchanged.",
            day=format_day(today, select_locale()),
        )
    )
    return redirect(_edit_url(item, language))


# -- history and restore -------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    revision: ContentRevision
    previous: ContentRevision | None
    lines: list[DiffLine]
    changed: bool


def _as_text(revision: ContentRevision) -> str:
    title = gettext("Title: %(title)s", title=revision.title)
    summary = gettext("Summary: %(summary)s", summary=revision.summary)
    return f"{title}\n{summary}\n\n{revision.body}"


def collapse(lines: list[DiffLine], context: int = 2) -> list[DiffLine]:
    """The changed lines with ``context`` unchanged lines around each change; every longer
    unchanged run becomes one ``skip`` line that says how many lines it stands for."""
    keep: set[int] = set()
    for index, line in enumerate(lines):
        if line.kind != "same":
            keep.update(range(max(0, index - context), index + context + 1))
    shown: list[DiffLine] = []
    skipped = 0
    for index, line in enumerate(lines):
        if index in keep:
            if skipped:
                shown.append(DiffLine("skip", _skipped(skipped)))
                skipped = 0
            shown.append(line)
        else:
            skipped += 1
    if skipped:
        shown.append(DiffLine("skip", _skipped(skipped)))
    return shown


def _skipped(count: int) -> str:
    return str(ngettext("%(num)d unchanged line", "%(num)d unchanged lines", count))


def _history(session: Session, item: ContentItem, lang: str) -> list[HistoryEntry]:
    found = publishing.revisions(session, item, lang)  # newest first
    entries = []
    for index, revision in enumerate(found):
        previous = found[index + 1] if index + 1 < len(found) else None
        lines = publishing.line_diff(_as_text(previous), _as_text(revision)) if previous else []
        changed = any(line.kind != "same" for line in lines)
        entries.append(HistoryEntry(revision, previous, collapse(lines), changed))
    return entries


def _render_history(
    item: ContentItem, lang: str, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    row = publishing.language(item, lang)
    latest = publishing.latest_revision(row)
    state = publishing.state_of(item, lang)
    page = render_template(
        "staff/publishing/history.html",
        item=item,
        lang=lang,
        row=row,
        latest=latest,
        state=state,
        heading=state.title or item.slug,
        entries=_history(db_session(), item, lang),
        restore_form=ActionForm(prefix="restore"),
        names=LANGUAGE_NAMES,
        error=error,
    )
    return page, status


@bp.get("/publishing/<section>/<slug>/<language>/history")
def publishing_history(section: str, slug: str, language: str) -> tuple[str, int]:
    require_publisher()
    return _render_history(_item(section, slug, language), language)


@bp.post(f"/publishing/<section>/<slug>/<language>/restore/<int(max={MAX_ID}):revision_id>")
def publishing_restore(
    section: str, slug: str, language: str, revision_id: int
) -> Response | tuple[str, int]:
    staff = require_publisher()
    item = _item(section, slug, language)
    dbs = db_session()
    try:
        old = publishing.revision(dbs, item, language, revision_id)
    except PublishingError:
        abort(404)
    if not ActionForm(prefix="restore").validate_on_submit():
        return _render_history(item, language, str(PAGE_EXPIRED), 400)
    try:
        created = publishing.restore(dbs, staff.user, item, language, old.id)
    except PublishingError as exc:
        dbs.rollback()
        return _render_history(item, language, error_text(exc), 400)
    except IntegrityError:  # this language's first row, made at the same moment elsewhere
        dbs.rollback()
        error = gettext(
            "Someone else saved this language at the same moment: press Restore once more."
        )
        return _render_history(item, language, error, 409)
    row = publishing.language(item, language)
    if row is not None and row.published_revision_id == created.id:
        message = gettext(
            "Revision #%(old)d restored as #%(new)d and published.", old=old.id, new=created.id
        )
    else:
        message = gettext(
            "Revision #%(old)d restored as #%(new)d, a draft: publish it when ready.",
            old=old.id,
            new=created.id,
        )
    flash(message)
    return redirect(_edit_url(item, language))


# -- a new statement -----------------------------------------------------------------------


def _suggested_slug(session: Session, today: dt.date) -> str:
    base = today.isoformat()
    slug, number = base, 1
    while publishing.find_item(session, publishing.STATEMENTS, slug) is not None:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _render_new(
    form: NewStatementForm,
    *,
    preview: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    page = render_template(
        "staff/publishing/new_statement.html", form=form, preview=preview, error=error
    )
    return page, status


@bp.route("/publishing/new-statement", methods=["GET", "POST"])
def publishing_new_statement() -> Response | tuple[str, int]:
    staff = require_publisher()
    dbs = db_session()
    form = NewStatementForm() if request.method == "POST" else NewStatementForm(formdata=None)
    form.lang.choices = [
        (lang, f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})") for lang in _languages()
    ]
    if request.method == "GET":
        today = dt.date.today()
        form.date.data = today.isoformat()
        form.slug.data = _suggested_slug(dbs, today)
        return _render_new(form)
    action = _action()
    if not form.validate_on_submit():
        error = EXPIRED if form.csrf_token.errors else CHECK_THE_FORM
        return _render_new(form, error=str(error), status=400)
    if not action:
        return _render_new(form, error=str(CHOOSE_AN_ACTION), status=400)
    text = _text_of(form)
    if action == "preview":
        try:
            return _render_new(form, preview=preview_html(text.body, form.lang.data))
        except RenderError as exc:
            return _render_new(form, error=error_text(exc), status=400)
    date, date_is_month = parse_date(form.date.data or "")
    try:
        item = publishing.new_item(
            dbs,
            staff.user,
            section=publishing.STATEMENTS,
            slug=form.slug.data or "",
            lang=form.lang.data,
            text=text,
            date=date,
            date_is_month=date_is_month,
            publish_now=action == "publish",
        )
    except PublishingError as exc:
        dbs.rollback()
        return _render_new(form, error=error_text(exc), status=400)
    except IntegrityError:  # the same address, saved at the same moment by someone else
        dbs.rollback()
        error = gettext("A page with this address exists already.")
        return _render_new(form, error=error, status=400)
    flash(
        gettext(
            "Statement published. Statements are listed newest first; the newest is on the"
            " home page."
        )
        if action == "publish"
        else gettext("Statement saved as a draft. Readers do not see it until it is published.")
    )
    return redirect(_edit_url(item, form.lang.data))


# -- what all languages share ----------------------------------------------------------------


@bp.route("/publishing/<section>/<slug>/details", methods=["GET", "POST"])
def publishing_details(section: str, slug: str) -> Response | tuple[str, int]:
    staff = require_publisher()
    item = _item(section, slug)
    if request.method == "POST":
        form = DetailsForm()
    else:
        form = DetailsForm(
            formdata=None,
            data={"date": date_text(item.date, item.date_is_month), "position": item.position},
        )
    status = 200
    error = None
    if request.method == "POST":
        if form.validate_on_submit():
            date, date_is_month = parse_date(form.date.data or "")
            publishing.set_details(
                db_session(),
                staff.user,
                item,
                date=date,
                date_is_month=date_is_month,
                position=int(form.position.data or 0),
            )
            flash(gettext("Date and position saved."))
            return redirect(url_for("staff.publishing_list"))
        status = 400
        error = str(EXPIRED) if form.csrf_token.errors else gettext("Check the form below.")
    page = render_template(
        "staff/publishing/details.html",
        item=item,
        form=form,
        error=error,
        heading=_title(item),
        section_name=SECTION_NAMES.get(item.section, item.section),
    )
    return page, status
