"""Routes of the help pages: thin; the work is in campaign.cases.intake and the forms.

Sending a request, opening a thread and adding a message end in a redirect (303) to a page
shown once (``/<lang>/help/sent/<token>``, ``/<lang>/help/thread/<token>``); error rounds
answer the POST directly and keep what she typed. Why no history entry can show her request
again or send it again: campaign/cases/viewonce.py.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.wrappers import Response

from campaign.cases import intake, receipts, viewonce
from campaign.cases.vocabulary import MESSAGE_MAX
from campaign.content.store import page_or_none
from campaign.core.db import db_session
from campaign.core.ratelimit import CHECK, SUBMIT, count_this_request, limited
from campaign.core.security import private_page
from campaign.help.formcache import empty_form_html
from campaign.help.forms import (
    FollowUpForm,
    HelpRequestForm,
    ReceiptForm,
    kept_started_token,
    seconds_since_started,
    sent_page_values,
    started_form_id,
)

bp = Blueprint("help", __name__, url_prefix="/<lang>/help")
log = logging.getLogger(__name__)

# A page shown once is answered with 203, not 200: Chromium keeps pages in its
# back/forward cache only if their status is exactly 200, even no-store ones, and a page
# restored from there is never asked for again (viewonce.py, "Back/forward cache").
SHOWN_ONCE_STATUS = 203
CLOSED = "closed"  # a token that opens nothing: the closed page


@bp.before_request
def decode_form_strictly() -> None:
    """Mark fields whose bytes are not valid UTF-8, showing them with U+FFFD.

    Werkzeug leaves undecodable percent-escapes as literal text ("%FF"); this reads the
    (size-checked) body once more so the form can say which text could not be read.
    """
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > int(limit):
        return  # the 413 page deals with it
    raw = request.get_data(cache=True)
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    decoded: list[tuple[str, str]] = []
    unreadable = False
    for key, value in pairs:
        data = value.encode("latin-1")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", "replace")
            unreadable = True
        decoded.append((key.encode("latin-1").decode("utf-8", "replace"), text))
    if unreadable:
        real = request._get_current_object()  # type: ignore[attr-defined]
        real.__dict__["form"] = ImmutableMultiDict(decoded)
        real.__dict__["files"] = ImmutableMultiDict()


def see_other(location: str) -> Response:
    """The answer to a POST that did its work: 303 to a GET, so no history entry is a POST."""
    response = redirect(location, 303)
    response.cache_control.no_store = True
    return response


def spend_csrf_token(*forms: HelpRequestForm | ReceiptForm | FollowUpForm) -> None:
    """Give the session a new CSRF token; ``forms``, about to be shown, carry the new one.

    Every page answered before this carries the old token, so a Reload of it (which sends
    its POST body again) fails CSRF and sends nothing (viewonce.py, "Error rounds"). The
    session cookie changes with it, which also drops no-store pages from Chromium's
    back/forward cache.
    """
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)
    for form in forms:
        form.csrf_token.current_token = generate_csrf()


def render_form(form: HelpRequestForm, status: int = 200, notice: str | None = None) -> Response:
    # The first valid stamp stays (error rounds do not restart the minimum fill time).
    form.started.data = kept_started_token(form.started.data)
    form.website.data = ""
    if not form.answer_language.data:
        form.answer_language.data = g.lang
    return private_page(
        render_template(
            "help/index.html",
            form=form,
            notice=notice,
            message_max=MESSAGE_MAX,
            help_prose=page_or_none("pages", HELP_PROSE),
        ),
        status,
    )


HELP_PROSE = "get-help"  # the published page of the help page's prose (pages/get-help)


@bp.get("/")
def index() -> Response:
    def render() -> tuple[str, str]:
        form = HelpRequestForm(formdata=None)
        html = render_form(form).get_data(as_text=True)
        return html, str(form.started.data)

    return private_page(empty_form_html(render))


@bp.post("/")
@limited(SUBMIT)
def submit() -> Response:
    form = HelpRequestForm()
    form_id = started_form_id(form.started.data or "")
    already = _sent_already(form_id)
    if already:  # a Reload of an error round of a form sent since: it is closed
        return see_other(sent_url(already))
    if not form.validate():
        return render_form(form, 400, notice=_csrf_notice(form))
    if form.website.data:
        count_this_request()  # a bot's sign counts toward the limit
        return render_form(form, 400, notice="check-again")
    age = seconds_since_started(form.started.data or "")
    if age is None or age < float(current_app.config["MIN_FILL_SECONDS"]):
        # Not counted: a person who sends quickly must not use up her budget. Spent: the
        # same body would pass later, so a Reload of this page must fail CSRF.
        spend_csrf_token(form)
        return render_form(form, 400, notice="check-again")
    contact = form.contact_details()
    submission = intake.Submission(
        category=form.category.data,
        region=form.region.data,
        language=form.answer_language.data,
        message=form.message.data,
        contact=contact,
    )
    try:
        token = viewonce.send_request(
            db_session(), submission, form_id, shown=_sent_page_choices(contact)
        )
    except viewonce.FormAlreadySent as sent_before:  # a double click: the first POST won
        return see_other(sent_url(sent_before.token or CLOSED))
    except (SQLAlchemyError, intake.NoTeamError, receipts.ReceiptPepperError) as exc:
        db_session().rollback()
        log.error("help request not stored: %s", type(exc).__name__)
        spend_csrf_token(form)
        return render_form(form, 503, notice="unavailable")
    count_this_request()
    spend_csrf_token()
    return see_other(sent_url(token))


def sent_url(token: str) -> str:
    """The sent page, opened at the receipt's panel: on a phone the menu and the safety
    notice fill the first screen, and the receipt is shown only this once.

    Trade-off: Tab then goes on from the panel (its next link), not from the skip link and
    the exit button at the top; they stay in reach by Shift+Tab, and Shift three times
    still leaves. A screen reader starts where the receipt is."""
    return url_for(".sent", token=token, _anchor="receipt")


def _sent_already(form_id: str | None) -> str:
    """The view token of this form if it was sent already ("" if not, or if unknown)."""
    try:
        return viewonce.sent_form_view(db_session(), form_id)
    except SQLAlchemyError as exc:  # the submission will meet the same trouble and say so
        db_session().rollback()
        log.error("sent-form mark not read: %s", type(exc).__name__)
        return ""


def _sent_page_choices(contact: dict[str, str]) -> dict[str, str]:
    """What the sent page says about her contact choices, kept with its one-time view:
    the method, who the request is for, whether safe times were given; no detail itself."""
    return {
        "method": contact.get("method", "receipt"),
        "for_whom": contact.get("for_whom", ""),
        "safe_times": "given" if contact.get("safe_times") else "",
    }


@bp.get("/sent/<token>")
def sent(token: str) -> Response:
    """The receipt, shown once; any later visit of the URL shows the closed page."""
    g.alternate_endpoint = "help.index"  # language links: not this URL, which is used up
    if request.method == "HEAD":  # a link checker, not a browser showing it: not used up
        return private_page("")
    view = viewonce.take_sent(db_session(), token)
    if view is None:
        return _closed(viewonce.SENT)
    page = render_template("help/submitted.html", **sent_page_values(view.receipt, view.shown))
    return private_page(page, SHOWN_ONCE_STATUS)


@bp.get("/thread/<token>")
def thread(token: str) -> Response:
    """A thread opened with the receipt, shown once, with the reply form."""
    g.alternate_endpoint = "help.check"
    if request.method == "HEAD":
        return private_page("")
    view = viewonce.take_thread(db_session(), token)
    found = None if view is None else intake.open_thread(db_session(), view.receipt)
    if view is None or found is None:
        return _closed(viewonce.THREAD)
    form = FollowUpForm(formdata=None)
    return _thread_page(found, view.receipt, form, SHOWN_ONCE_STATUS, notice=view.notice or None)


def _closed(kind: str) -> Response:
    """A page already shown (or expired): nothing of her request, in the URL's language."""
    return private_page(render_template("help/closed.html", kind=kind))


def _csrf_notice(form: HelpRequestForm | ReceiptForm | FollowUpForm) -> str | None:
    return "expired" if form.csrf_token.errors else None


@bp.get("/check")
def check() -> Response:
    return private_page(render_template("help/check.html", form=ReceiptForm(formdata=None)))


@bp.post("/check")
@limited(CHECK)
def check_post() -> Response:
    form = ReceiptForm()
    if not form.validate():
        if form.csrf_token.errors:  # a stale page, or a Reload of an old one: show no receipt
            form.receipt.data = form.typed = ""
        notice = _csrf_notice(form)
        return private_page(render_template("help/check.html", form=form, notice=notice), 400)
    token = viewonce.show_thread(db_session(), form.receipt.data)
    if token is None:
        return private_page(render_template("help/check.html", form=form, notice="not-found"), 404)
    spend_csrf_token()
    return see_other(url_for(".thread", token=token))


@bp.post("/check/message")
@limited(CHECK)
def add_message() -> Response:
    form = FollowUpForm()
    valid = form.validate()
    receipt = form.receipt.data or ""
    if not valid:
        if form.csrf_token.errors or not receipt:
            # Never open a thread for a POST whose token failed: it may be a Reload of an
            # old page, whose hidden receipt would open the thread for whoever holds it.
            return _receipt_again(form, 400, notice=_csrf_notice(form) or "not-found")
        found = intake.open_thread(db_session(), receipt)
        if found is None:
            return _receipt_again(form)
        spend_csrf_token(form)  # this page shows the thread: a Reload of it must fail CSRF
        return _thread_page(found, receipt, form, 400)
    try:
        token = viewonce.add_message(db_session(), receipt, form.message.data)
    except SQLAlchemyError as exc:
        db_session().rollback()
        log.error("follow-up message not stored: %s", type(exc).__name__)
        spend_csrf_token(form)
        try:
            found = intake.open_thread(db_session(), receipt)
        except SQLAlchemyError:
            db_session().rollback()
            found = None
        if found is None:
            return _receipt_again(form, 503, notice="unavailable")
        return _thread_page(found, receipt, form, 503, notice="unavailable")
    if token is None:
        return _receipt_again(form)
    spend_csrf_token()
    return see_other(url_for(".thread", token=token))


def _receipt_again(form: FollowUpForm, status: int = 404, notice: str = "not-found") -> Response:
    """The receipt form again, empty (the hidden receipt is never shown back), and her
    message to copy."""
    receipt_form = ReceiptForm(formdata=None)
    return private_page(
        render_template(
            "help/check.html", form=receipt_form, notice=notice, kept=form.message.data
        ),
        status,
    )


def _thread_page(
    thread: intake.Thread,
    receipt: str,
    form: FollowUpForm,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    form.receipt.data = receipt
    return private_page(
        render_template(
            "help/thread.html", thread=thread, form=form, notice=notice, message_max=MESSAGE_MAX
        ),
        status,
    )
