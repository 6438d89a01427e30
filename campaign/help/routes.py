"""Routes of the help pages: thin; the work is in campaign.cases.intake and the forms."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from flask import Blueprint, current_app, g, render_template, request, session
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.wrappers import Response

from campaign.cases import intake
from campaign.cases.crypto import format_receipt
from campaign.cases.vocabulary import MESSAGE_MAX
from campaign.core.db import db_session
from campaign.core.ratelimit import CHECK, SUBMIT, count_this_request, limited
from campaign.help.formcache import empty_form_html
from campaign.help.forms import (
    FollowUpForm,
    HelpRequestForm,
    ReceiptForm,
    new_started_token,
    seconds_since_started,
)

bp = Blueprint("help", __name__, url_prefix="/<lang>/help")
log = logging.getLogger(__name__)


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


def private_page(body: str, status: int = 200) -> Response:
    """A form or result page: never cached, never stored by the browser."""
    response = Response(body, status=status, mimetype="text/html")
    response.cache_control.no_store = True
    response.headers["Pragma"] = "no-cache"
    return response


def render_form(form: HelpRequestForm, status: int = 200, notice: str | None = None) -> Response:
    form.started.data = new_started_token()
    form.website.data = ""
    if not form.answer_language.data:
        form.answer_language.data = g.lang
    return private_page(
        render_template("help/index.html", form=form, notice=notice, message_max=MESSAGE_MAX),
        status,
    )


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
    if not form.validate():
        return render_form(form, 400, notice=_csrf_notice(form))
    if form.website.data:
        count_this_request()
        return render_form(form, 400, notice="check-again")
    age = seconds_since_started(form.started.data or "")
    if age is None or age < float(current_app.config["MIN_FILL_SECONDS"]):
        count_this_request()
        return render_form(form, 400, notice="check-again")
    submission = intake.Submission(
        category=form.category.data,
        region=form.region.data,
        language=form.answer_language.data,
        message=form.message.data,
        contact=form.contact_details(),
    )
    try:
        receipt = intake.submit(db_session(), submission)
    except (SQLAlchemyError, intake.NoTeamError) as exc:
        db_session().rollback()
        log.error("help request not stored: %s", type(exc).__name__)
        return render_form(form, 503, notice="unavailable")
    count_this_request()
    # A reload of this page must not send the request twice: its CSRF token is used up.
    session.pop("csrf_token", None)
    return private_page(
        render_template(
            "help/submitted.html",
            receipt=format_receipt(receipt),
            contact_method=submission.contact["method"],
        )
    )


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
        notice = _csrf_notice(form)
        return private_page(render_template("help/check.html", form=form, notice=notice), 400)
    thread = intake.open_thread(db_session(), form.receipt.data)
    if thread is None:
        return private_page(render_template("help/check.html", form=form, notice="not-found"), 404)
    return _thread_page(thread, form.receipt.data, FollowUpForm(formdata=None))


@bp.post("/check/message")
@limited(CHECK)
def add_message() -> Response:
    form = FollowUpForm()
    valid = form.validate()
    receipt = form.receipt.data or ""
    if not valid:
        thread = intake.open_thread(db_session(), receipt) if receipt else None
        if thread is None:
            return _receipt_again(form)
        return _thread_page(thread, receipt, form, 400, notice=_csrf_notice(form))
    try:
        thread = intake.add_person_message(db_session(), receipt, form.message.data)
    except SQLAlchemyError as exc:
        db_session().rollback()
        log.error("follow-up message not stored: %s", type(exc).__name__)
        thread = intake.open_thread(db_session(), receipt)
        if thread is None:
            return _receipt_again(form, 503)
        return _thread_page(thread, receipt, form, 503, notice="unavailable")
    if thread is None:
        return _receipt_again(form)
    return _thread_page(thread, receipt, FollowUpForm(formdata=None), notice="sent")


def _receipt_again(form: FollowUpForm, status: int = 404) -> Response:
    """The receipt did not open a request: ask for it again, showing the message back."""
    receipt_form = ReceiptForm(formdata=None, receipt=form.receipt.data)
    return private_page(
        render_template(
            "help/check.html", form=receipt_form, notice="not-found", kept=form.message.data
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
