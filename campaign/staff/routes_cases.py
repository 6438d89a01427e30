"""The inbox and the request view with its actions (assign, status, note, reply, re-route)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from campaign.cases import access, handling, intake
from campaign.cases.inbox import InboxFilter
from campaign.cases.inbox import inbox as load_inbox
from campaign.cases.vocabulary import CATEGORIES, REGIONS
from campaign.core.db import db_session
from campaign.models import HelpRequest, StaffUser, Team
from campaign.staff.blueprint import bp, current, require_casework
from campaign.staff.forms import AssignForm, NoteForm, ReplyForm, RerouteForm, StatusForm

CATEGORY_LABELS = {c.value: str(c.label) for c in CATEGORIES}
REGION_LABELS = {c.value: str(c.label) for c in REGIONS}


def _teams_for(user: StaffUser) -> list[Team]:
    dbs = db_session()
    query = select(Team).order_by(Team.name)
    if not user.is_admin:
        query = query.where(Team.id.in_(access.member_team_ids(dbs, user)))
    return list(dbs.scalars(query))


@bp.get("/")
def inbox() -> str:
    staff = require_casework()
    filters = InboxFilter.from_args(request.args)
    page = load_inbox(db_session(), staff.user, filters)
    return render_template(
        "staff/inbox.html",
        page=page,
        filters=filters,
        teams=_teams_for(staff.user),
        categories=CATEGORY_LABELS,
        regions=REGION_LABELS,
        statuses=handling.STATUS_LABELS,
    )


@dataclass
class RequestForms:
    """The forms of the request page, bound to the POST data when there is some."""

    assign_form: AssignForm
    status_form: StatusForm
    note_form: NoteForm
    reply_form: ReplyForm
    reroute_form: RerouteForm

    def by_action(self, action: str) -> FlaskForm | None:
        form: FlaskForm | None = getattr(self, f"{action}_form", None)
        return form


def _forms_for(req: HelpRequest) -> RequestForms:
    dbs = db_session()
    assign = AssignForm(prefix="assign", data={"assignee": str(req.assignee_id or "")})
    assign.assignee.choices = [("", "Nobody")] + [
        (str(m.id), m.name) for m in handling.team_members(dbs, req.team_id)
    ]
    status = StatusForm(prefix="status", data={"status": req.status})
    status.status.choices = list(handling.STATUS_LABELS.items())
    reroute = RerouteForm(prefix="reroute")
    reroute.team.choices = [
        (str(t.id), t.name)
        for t in dbs.scalars(select(Team).order_by(Team.name))
        if t.id != req.team_id
    ]
    return RequestForms(assign, status, NoteForm(prefix="note"), ReplyForm(prefix="reply"), reroute)


def _render_request(
    req: HelpRequest, status_code: int = 200, forms: RequestForms | None = None
) -> tuple[str, int]:
    staff = current()
    dbs = db_session()
    team_key = access.team_key(dbs, staff, req.team_id)
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
        categories=CATEGORY_LABELS,
        regions=REGION_LABELS,
        statuses=handling.STATUS_LABELS,
        forms=forms or _forms_for(req),
    )
    return page, status_code


@bp.get("/requests/<int:request_id>")
def request_view(request_id: int) -> tuple[str, int]:
    req = access.visible_request(db_session(), require_casework().user, request_id)
    return _render_request(req)


@bp.post("/requests/<int:request_id>/<action>")
def request_action(request_id: int, action: str) -> Response | tuple[str, int]:
    """One action; an invalid or expired form shows the page again with the text kept."""
    staff = require_casework()
    dbs = db_session()
    req = access.visible_request(dbs, staff.user, request_id)
    forms = _forms_for(req)
    form = forms.by_action(action)
    if form is None:
        abort(404)
    key = None
    if action in ("note", "reply", "reroute"):
        key = access.require_team_key(dbs, staff, req.team_id)
    if not form.validate_on_submit():
        flash("This could not be saved: check the form below (your text is kept).", "error")
        return _render_request(req, 400, forms)
    try:
        if action == "assign":
            value = forms.assign_form.assignee.data or ""
            handling.assign(dbs, staff.user, req, int(value) if str(value).isdigit() else None)
        elif action == "status":
            handling.set_status(dbs, staff.user, req, forms.status_form.status.data)
        elif action == "note":
            handling.add_note(dbs, staff.user, req, forms.note_form.text.data.strip())
        elif action == "reply" and key is not None:
            handling.reply(dbs, staff.user, req, key, forms.reply_form.text.data.strip())
        elif key is not None:
            handling.reroute(dbs, staff.user, req, key, int(forms.reroute_form.team.data))
            flash("Moved to the other team.")
            return redirect(url_for("staff.inbox"))
    except handling.CaseError as exc:
        flash(str(exc), "error")
        return _render_request(req, 400, forms)
    flash("Saved.")
    return redirect(url_for("staff.request_view", request_id=request_id))
