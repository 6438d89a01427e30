"""The inbox and the request view with its actions (assign, take, status, note, reply,
re-route). Every action on a request needs its team's key: without it the page says so and
who can grant it, and a posted action is refused with that explanation (403)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, lazy_pgettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from campaign.cases import access, handling, intake
from campaign.cases.inbox import InboxFilter, request_number
from campaign.cases.inbox import inbox as load_inbox
from campaign.cases.key_holders import key_holders
from campaign.cases.retention import Rules
from campaign.cases.vocabulary import CATEGORIES, REGIONS
from campaign.core.db import db_session
from campaign.core.i18n import format_day, select_locale
from campaign.core.inputs import MAX_ID, parse_id
from campaign.models import HelpRequest, StaffUser, Team
from campaign.staff.blueprint import bp, current, require_casework
from campaign.staff.forms import (
    ActionForm,
    AssignForm,
    HandleForm,
    NoteForm,
    ReplyForm,
    RerouteForm,
    StatusForm,
)

BACK_REFUSED = re.compile(r"[\x00-\x20\x7f-\x9f\\]")  # controls, space, backslash
CATEGORY_LABELS = {c.value: c.label for c in CATEGORIES}  # lazy: in the reader's language
REGION_LABELS = {c.value: c.label for c in REGIONS}
# The audit actions an inbox row names as "the last action".
ACTION_LABELS = {
    "assigned": lazy_gettext("Assigned"),
    "status-changed": lazy_gettext("Status changed"),
    "note-added": lazy_gettext("Note added"),
    "replied": lazy_gettext("Replied"),
    "rerouted": lazy_gettext("Moved to this team"),
    "person": lazy_gettext("Person wrote"),
}
CONTACT_LABELS = {
    "receipt": lazy_gettext("No contact (reads replies here)"),
    "phone": lazy_gettext("Phone call"),
    "email": lazy_gettext("Email"),
    "messenger": lazy_gettext("Messenger"),
}
VIEW_LABELS = {
    "attention": lazy_gettext("Needs attention"),
    "open": lazy_gettext("All open"),
    "mine": lazy_gettext("Mine"),
    "unassigned": lazy_gettext("Unassigned"),
    "closed": lazy_pgettext("inbox view", "Closed"),
    "all": lazy_gettext("All"),
}
NO_KEY_REFUSAL = lazy_gettext(
    "Not done: you do not hold this team's key yet, so you cannot act on its requests."
    " The notice below says who can grant it."
)


def _teams_for(user: StaffUser) -> list[Team]:
    dbs = db_session()
    query = select(Team).order_by(Team.name)
    if not user.is_admin:
        query = query.where(Team.id.in_(access.member_team_ids(dbs, user)))
    return list(dbs.scalars(query))


def _inbox_page(filters: InboxFilter, jump_text: str = "", jump_error: str = "") -> str:
    staff = require_casework()
    return render_template(
        "staff/inbox.html",
        page=load_inbox(db_session(), staff, filters),
        filters=filters,
        teams=_teams_for(staff.user),
        categories=CATEGORY_LABELS,
        regions=REGION_LABELS,
        statuses=handling.STATUS_LABELS,
        views=VIEW_LABELS,
        actions=ACTION_LABELS,
        contact_methods=CONTACT_LABELS,
        take_form=ActionForm(prefix="take"),
        back=request.full_path.rstrip("?"),
        jump_text=jump_text,
        jump_error=jump_error,
    )


@bp.get("/")
def inbox() -> str | Response | tuple[str, int]:
    staff = require_casework()
    filters = InboxFilter.from_args(request.args)
    if "number" in request.args:  # "Go to request #": a visible one opens, else it says so
        typed = str(request.args.get("number", ""))[:100]
        number = request_number(typed)
        if number is None:
            error = gettext("Type the request's number, for example 42.")
            return _inbox_page(filters, typed, error), 400
        try:
            access.visible_request(db_session(), staff.user, number)
        except access.NotVisibleError:  # none, or another team's: the same words for both
            error = gettext("No request #%(number)s that you can open.", number=number)
            return _inbox_page(filters, typed, error), 404
        return redirect(url_for("staff.request_view", request_id=number))
    return _inbox_page(filters)


@dataclass
class RequestForms:
    """The forms of the request page, bound to the POST data when there is some."""

    handle_form: HandleForm
    assign_form: AssignForm
    status_form: StatusForm
    note_form: NoteForm
    reply_form: ReplyForm
    reroute_form: RerouteForm

    def by_action(self, action: str) -> FlaskForm | None:
        form: FlaskForm | None = getattr(self, f"{action}_form", None)
        return form


def _forms_for(req: HelpRequest, key_holder_ids: set[int] | None = None) -> RequestForms:
    dbs = db_session()
    holders = key_holders(dbs, req.team_id).ids if key_holder_ids is None else key_holder_ids
    people = [("", gettext("Not assigned"))] + [
        (str(m.id), m.name if m.id in holders else gettext("%(name)s (no key yet)", name=m.name))
        for m in handling.team_members(dbs, req.team_id)
    ]
    shown = {"assignee": str(req.assignee_id or ""), "status": req.status}
    handle = HandleForm(prefix="handle", data=shown)
    handle.assignee.choices = people
    handle.status.choices = list(handling.STATUS_LABELS.items())
    assign = AssignForm(prefix="assign", data={"assignee": shown["assignee"]})
    assign.assignee.choices = people
    status = StatusForm(prefix="status", data={"status": req.status})
    status.status.choices = list(handling.STATUS_LABELS.items())
    reroute = RerouteForm(prefix="reroute")
    reroute.team.choices = [
        (str(t.id), t.name)
        for t in dbs.scalars(select(Team).order_by(Team.name))
        if t.id != req.team_id
    ]
    return RequestForms(
        handle, assign, status, NoteForm(prefix="note"), ReplyForm(prefix="reply"), reroute
    )


def _render_request(
    req: HelpRequest,
    status_code: int = 200,
    forms: RequestForms | None = None,
    confirm_close: bool = False,
) -> tuple[str, int]:
    staff = current()
    dbs = db_session()
    team_key = access.team_key(dbs, staff, req.team_id)
    holders = key_holders(dbs, req.team_id)
    thread = contact = notes = None
    if team_key is not None:
        thread = intake.read_thread_as_staff(req, team_key)
        contact = intake.read_contact(req, team_key)
        notes = handling.notes(dbs, req, team_key)
        handling.record_view(dbs, staff.user, req)
    page = render_template(
        "staff/request.html",
        req=req,
        team=dbs.get(Team, req.team_id),
        assignee=dbs.get(StaffUser, req.assignee_id) if req.assignee_id else None,
        thread=thread,
        contact=contact,
        notes=notes,
        has_key=team_key is not None,
        holders=holders,
        # Unassigned only: taking a request from someone is the "Assign" form, on purpose.
        may_take=team_key is not None and req.status != "closed" and req.assignee_id is None,
        take_form=ActionForm(prefix="take"),
        categories=CATEGORY_LABELS,
        regions=REGION_LABELS,
        statuses=handling.STATUS_LABELS,
        contact_methods=CONTACT_LABELS,
        forms=forms or _forms_for(req, holders.ids),
        confirm_close=confirm_close,
    )
    return page, status_code


@bp.get(f"/requests/<int(max={MAX_ID}):request_id>")
def request_view(request_id: int) -> tuple[str, int]:
    req = access.visible_request(db_session(), require_casework().user, request_id)
    return _render_request(req)


@bp.post(f"/requests/<int(max={MAX_ID}):request_id>/take")
def request_take(request_id: int) -> Response | tuple[str, int]:
    """ "Assign to me", from the inbox or the request page; back to where it was pressed."""
    staff = require_casework()
    dbs = db_session()
    req = access.visible_request(dbs, staff.user, request_id)
    if not ActionForm(prefix="take").validate_on_submit():
        flash(gettext("Not done: the page had expired. Please press the button again."), "error")
        return redirect(_back_to(request.form.get("back", "")))
    if access.team_key(dbs, staff, req.team_id) is None:
        flash(str(NO_KEY_REFUSAL), "error")
        return _render_request(req, 403)
    try:
        holder = handling.take(dbs, staff.user, req)
    except handling.CaseError as exc:
        flash(str(exc), "error")
        return _render_request(req, 400)
    if holder is None or holder.id == staff.user.id:
        flash(gettext("Request #%(number)s is now yours.", number=req.id))
    else:  # someone took it first (a stale page): nothing changed
        flash(gettext("Already taken by %(name)s.", name=holder.name), "error")
    return redirect(_back_to(request.form.get("back", "")))


def _back_to(value: str) -> str:
    """A staff page of this site to go back to (the inbox with its filters), or the inbox.

    Only what this site writes there (``request.full_path``, percent-encoded): a value with
    a space or control character (a line break would split the Location header), a
    backslash, an empty, ``.`` or ``..`` path segment, or another scheme or host is refused.
    """
    parts = urlsplit(value)
    segments = parts.path.split("/")[1:-1]  # "/staff/a/" -> ["staff", "a"]
    if (
        BACK_REFUSED.search(value)
        or parts.scheme
        or parts.netloc
        or not parts.path.startswith("/staff/")
        or any(segment in ("", ".", "..") for segment in segments)
        or parts.path.rsplit("/", 1)[-1] in (".", "..")
    ):
        return url_for("staff.inbox")
    return value


@bp.post(f"/requests/<int(max={MAX_ID}):request_id>/<action>")
def request_action(request_id: int, action: str) -> Response | tuple[str, int]:
    """One action; an invalid or expired form shows the page again with the text kept.

    Every action needs the team's key: assigning or closing a request nobody with this
    session can read would only pretend to handle it."""
    staff = require_casework()
    dbs = db_session()
    req = access.visible_request(dbs, staff.user, request_id)
    forms = _forms_for(req)
    form = forms.by_action(action)
    if form is None:
        abort(404)
    key = access.team_key(dbs, staff, req.team_id)
    if key is None:
        flash(str(NO_KEY_REFUSAL), "error")
        return _render_request(req, 403, forms)
    if not form.validate_on_submit():
        flash(
            gettext("This could not be saved: check the form below (your text is kept)."),
            "error",
        )
        return _render_request(req, 400, forms)
    try:
        if action in ("handle", "assign", "status"):
            return _handle(req, action, forms)
        if action == "note":
            handling.add_note(dbs, staff.user, req, forms.note_form.text.data.strip())
            flash(gettext("Note added."))
        elif action == "reply":
            handling.reply(dbs, staff.user, req, key, forms.reply_form.text.data.strip())
            status = handling.STATUS_LABELS.get(req.status, req.status)
            flash(gettext("Reply sent; status: %(status)s.", status=status))
        else:
            team_id = parse_id(forms.reroute_form.team.data)  # one of the choices: valid
            if team_id is None:  # pragma: no cover - the form checked it against the list
                abort(400)
            handling.reroute(dbs, staff.user, req, key, team_id)
            flash(gettext("Moved to the other team."))
            return redirect(url_for("staff.inbox"))
    except handling.CaseError as exc:
        flash(str(exc), "error")
        return _render_request(req, 400, forms)
    return redirect(url_for("staff.request_view", request_id=request_id))


def _handle(req: HelpRequest, action: str, forms: RequestForms) -> Response | tuple[str, int]:
    """The one "Save" of assignee and status (the older one-field forms post here too):
    closing an unanswered request nobody is assigned to waits for a confirmation."""
    staff = require_casework()
    dbs = db_session()
    assignee_id, status = req.assignee_id, req.status
    if action in ("handle", "assign"):
        form = forms.handle_form if action == "handle" else forms.assign_form
        assignee_id = parse_id(form.assignee.data)
    if action in ("handle", "status"):
        form = forms.handle_form if action == "handle" else forms.status_form
        status = str(form.status.data)
    confirmed = action == "handle" and forms.handle_form.confirm.data == "close"
    if handling.closing_unanswered(req, assignee_id, status) and not confirmed:
        forms.handle_form.assignee.data = str(assignee_id or "")
        forms.handle_form.status.data = status
        return _render_request(req, 200, forms, confirm_close=True)
    done = handling.handle(dbs, staff.user, req, assignee_id, status)
    if done.assigned:
        assignee = dbs.get(StaffUser, req.assignee_id) if req.assignee_id else None
        if assignee is None:
            flash(gettext("Nobody is assigned now."))
        else:
            flash(gettext("Assigned to %(name)s.", name=assignee.name))
    if done.status_changed and req.status == handling.CLOSED:
        due, _rule = Rules.from_config().deletion_date(req.status, req.closed_at, req.created_at)
        flash(
            gettext(
                "Closed; it will be deleted on %(date)s.", date=format_day(due, select_locale())
            )
        )
    elif done.status_changed:
        status_label = handling.STATUS_LABELS.get(req.status, req.status)
        flash(gettext("Status: %(status)s.", status=status_label))
    if not done.anything:
        flash(gettext("Nothing changed."))
    return redirect(url_for("staff.request_view", request_id=req.id))
