"""Help lines in the staff area: the list with the one-click "It answered today" and "It did
not answer", the edit form, a new line, and the notice of lines not confirmed lately shown
at the top of every staff page. Editors and admins do everything; a caseworker sees the
list and may press "It did not answer" (a caseworker who calls a dead line must be able to
take it off the site at once, on their own), and gets a 404 on everything else. Taking a
line off can only protect a caller; offering one again stays with editors and admins.

The work is in ``content/helpline_edits.py`` (one transaction per action, with its audit
entry and the content version raised, so every worker's pages change within a second).
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from campaign.content import helpline_edits as edits
from campaign.core.config import LANGUAGES
from campaign.core.db import db_session
from campaign.core.i18n import error_text, format_day, format_month, select_locale
from campaign.models import Helpline, HelplineStatus
from campaign.staff.blueprint import bp, current, require_publisher
from campaign.staff.forms import ActionForm
from campaign.staff.forms_helplines import HelplineForm, NewHelplineForm
from campaign.staff.forms_publishing import LANGUAGE_NAMES

logger = logging.getLogger(__name__)

STATUS_WORDS = {
    HelplineStatus.AVAILABLE.value: _l("Available"),
    HelplineStatus.UNAVAILABLE.value: _l("Unavailable"),
    HelplineStatus.UNKNOWN.value: _l("Unknown (not checked)"),
}
# How a line appears to visitors today (edits.WARNED... as the list says it).
SHOWN_AS_WORDS = {
    edits.WARNED: _l("shown with a warning"),
    edits.SHOWN_UNAVAILABLE: _l("shown as unavailable"),
    edits.HIDDEN: _l("hidden"),
}
EXPIRED = _l("The page had expired, so nothing was changed. Please press the button again.")
FORM_EXPIRED = _l(
    "The form had expired, so nothing was saved. What you typed is kept: send it again."
)


def stale_days() -> int:
    return int(current_app.config["HELPLINE_STALE_DAYS"])


def confirmed_words(line: Helpline) -> str:
    if line.last_confirmed is None:
        return str(gettext("never"))
    if line.last_confirmed_is_month:
        return format_month(line.last_confirmed, select_locale())
    return format_day(line.last_confirmed, select_locale())


def _line_or_404(key: str) -> Helpline:
    line = edits.find_line(db_session(), key)
    if line is None:
        abort(404)
    return line


def _name(line: Helpline) -> str:
    return edits.display_name(line, select_locale())


@bp.context_processor
def stale_helplines_notice() -> dict[str, object]:
    """``stale_helplines()`` for staff/base.html: the names of the lines not confirmed within
    ``HELPLINE_STALE_DAYS``, for members who may publish (one query, only when a page asks)."""

    def stale_helplines() -> list[str]:
        staff = g.get("staff")
        if staff is None or not staff.user.may_publish:
            return []
        found: list[str] | None = g.get("stale_helplines")
        if found is None:
            try:
                found = edits.stale_names(
                    db_session(), dt.date.today(), stale_days(), select_locale()
                )
            except SQLAlchemyError:  # an error page while the database is away
                logger.warning("stale help lines could not be read")
                found = []
            g.stale_helplines = found
        return found

    return {"stale_helplines": stale_helplines, "helpline_stale_days": stale_days}


@bp.get("/helplines/")
def helplines() -> str:
    current()
    return render_template(
        "staff/helplines/list.html",
        states=edits.line_states(db_session(), dt.date.today(), stale_days()),
        status_words=STATUS_WORDS,
        shown_as_words=SHOWN_AS_WORDS,
        confirmed_words=confirmed_words,
        offered=edits.OFFERED,
        always_offered=edits.ALWAYS_OFFERED,
    )


@bp.post("/helplines/<key>/answered")
def helpline_answered(key: str) -> Response:
    staff = require_publisher()
    line = _line_or_404(key)
    if not ActionForm().validate_on_submit():
        flash(str(EXPIRED), "error")
        return redirect(url_for("staff.helplines"))
    edits.confirm_today(db_session(), staff.user, line, dt.date.today())
    if line.dial or line.handle:
        flash(
            gettext(
                "%(name)s: confirmed as answering today. It is offered on the site again.",
                name=_name(line),
            )
        )
    else:
        flash(
            gettext(
                "%(name)s: confirmed as answering today. It has no number to dial or handle,"
                " so it is not offered yet.",
                name=_name(line),
            )
        )
    return redirect(url_for("staff.helplines"))


@bp.post("/helplines/<key>/not-answered")
def helpline_not_answered(key: str) -> Response:
    staff = current()
    line = _line_or_404(key)
    if not ActionForm().validate_on_submit():
        flash(str(EXPIRED), "error")
        return redirect(url_for("staff.helplines"))
    try:
        edits.set_status(db_session(), staff.user, line, HelplineStatus.UNAVAILABLE.value)
    except edits.HelplineError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("staff.helplines"))
    if line.hide_when_unavailable:
        message = gettext(
            "%(name)s: marked as not answering. It is no longer offered on the site (not listed).",
            name=_name(line),
        )
    else:
        message = gettext(
            "%(name)s: marked as not answering. It is no longer offered on the site"
            " (listed as unavailable).",
            name=_name(line),
        )
    flash(message)
    return redirect(url_for("staff.helplines"))


def _form_page(
    form: HelplineForm, line: Helpline | None, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    if form.errors.get("csrf_token"):
        error = str(FORM_EXPIRED)
    return render_template(
        "staff/helplines/edit.html",
        form=form,
        line=line,
        name=_name(line) if line else "",
        error=error,
        languages=[(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in LANGUAGES],
        stale_days=stale_days(),
    ), status


@bp.route("/helplines/new", methods=["GET", "POST"])
def helpline_new() -> Response | tuple[str, int]:
    staff = require_publisher()
    form = NewHelplineForm()
    if request.method == "GET":
        form.status.data = HelplineStatus.UNKNOWN.value
        return _form_page(form, None)
    error = None
    if form.validate_on_submit():
        try:
            changes = form.changes()
            if form.position.data is None:
                del changes["position"]
            line = edits.add_line(db_session(), staff.user, form.key.data or "", changes)
        except edits.HelplineError as exc:
            error = None if form.show_error(exc) else error_text(exc)
        else:
            flash(gettext("%(name)s: added.", name=_name(line)))
            return redirect(url_for("staff.helplines"))
    return _form_page(form, None, error, 400)


@bp.route("/helplines/<key>", methods=["GET", "POST"])
def helpline_edit(key: str) -> Response | tuple[str, int]:
    staff = require_publisher()
    line = _line_or_404(key)
    form = HelplineForm()
    if request.method == "GET":
        form.fill(line)
        return _form_page(form, line)
    error = None
    if form.validate_on_submit():
        try:
            changed = edits.update_line(db_session(), staff.user, line, form.changes())
        except edits.HelplineError as exc:
            error = None if form.show_error(exc) else error_text(exc)
        else:
            if changed:
                flash(gettext("%(name)s: saved.", name=_name(line)))
            else:
                flash(gettext("%(name)s: nothing changed.", name=_name(line)))
            return redirect(url_for("staff.helplines"))
    return _form_page(form, line, error, 400)
