"""Saved replies in the staff area: the team's list, add, change, delete (with a
confirmation page, no JavaScript needed), and "Insert" under a request's reply box.

Who: caseworkers for their own teams, admins for every team; an editor, or a member of
another team asking for a template, gets the 404 of a wrong address. The work, its audit
entry and the commit are one function in ``cases/saved_replies.py``.

Insert is a second submit button of the reply form (``formaction`` sends that form here):
the request page comes back with the template added after what was typed, which is kept
exactly; nothing is sent, stored or audited. The picker is one ``<select>`` with a group
per language, the request's answer language first (its first template preselected), so a
member may take a template in another language with the same one press, without
JavaScript and without a second round trip to switch languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from campaign.cases import access
from campaign.cases import saved_replies as replies
from campaign.cases.saved_replies import ReplyEntry, SavedReplyError
from campaign.cases.vocabulary import MESSAGE_MAX
from campaign.core.db import db_session
from campaign.core.i18n import LANGUAGE_NAMES
from campaign.core.inputs import MAX_ID, parse_id
from campaign.models import HelpRequest, SavedReply, StaffUser, Team
from campaign.staff.blueprint import bp, require_casework
from campaign.staff.forms import ActionForm
from campaign.staff.forms_replies import SavedReplyForm, SavedReplyPickForm
from campaign.staff.routes_cases import _forms_for, _render_request


def _expired(form: ActionForm | SavedReplyForm | SavedReplyPickForm) -> bool:
    return "csrf_token" in form.errors


def _not_saved_message(form: SavedReplyForm) -> str:
    if _expired(form):
        return str(
            gettext(
                "The form had expired, so nothing was saved. What you typed is kept: save it again."
            )
        )
    return str(gettext("This could not be saved: check the form below (your text is kept)."))


def _language_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in LANGUAGE_NAMES.items()]


@bp.get("/replies/")
def saved_replies() -> str:
    staff = require_casework()
    dbs = db_session()
    teams = replies.teams_for(dbs, staff.user)
    return render_template(
        "staff/replies/list.html",
        groups=replies.team_replies(dbs, teams),
        language_names=LANGUAGE_NAMES,
    )


def _from_request(user: StaffUser, value: object) -> int | None:
    """The request a new saved reply was started from ("Add a saved reply" under its reply
    box), to go back to after saving: a number of a request this member sees, else None."""
    number = parse_id(value)
    if number is None:
        return None
    try:
        return access.visible_request(db_session(), user, number).id
    except access.NotVisibleError:
        return None


def _render_form(
    form: SavedReplyForm,
    reply: SavedReply | None,
    team: Team | None,
    status: int = 200,
    error: str = "",
    from_request: int | None = None,
) -> tuple[str, int]:
    return (
        render_template(
            "staff/replies/edit.html",
            form=form,
            reply=reply,
            team=team,
            error=error,
            from_request=from_request,
            title_max=replies.TITLE_MAX,
            body_max=replies.BODY_MAX,
        ),
        status,
    )


def _refused(form: SavedReplyForm, exc: SavedReplyError) -> str:
    """Put a domain refusal on its field (the summary links to it); the page's message."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
        return ""
    return str(exc)


@bp.route("/replies/new", methods=["GET", "POST"])
def saved_reply_new() -> Response | tuple[str, int]:
    staff = require_casework()
    dbs = db_session()
    teams = replies.teams_for(dbs, staff.user)
    if not teams:
        abort(404)
    form = SavedReplyForm()
    form.team.choices = [(team.id, team.name) for team in teams]
    form.language.choices = _language_choices()
    from_request = _from_request(staff.user, request.values.get("request"))
    if request.method == "GET":
        wanted = request.args.get("team", "")
        form.team.data = next((t.id for t in teams if str(t.id) == wanted), teams[0].id)
        wanted_language = request.args.get("language", "")
        if wanted_language in LANGUAGE_NAMES:
            form.language.data = wanted_language
        return _render_form(form, None, None, from_request=from_request)
    if not form.validate_on_submit():
        return _render_form(form, None, None, 400, _not_saved_message(form), from_request)
    team = replies.visible_team(dbs, staff.user, form.team.data)
    try:
        reply = replies.create(
            dbs, staff.user, team, form.language.data, form.title.data, form.body.data
        )
    except SavedReplyError as exc:
        return _render_form(form, None, None, 400, _refused(form, exc), from_request)
    flash(gettext("Saved reply added: %(title)s", title=reply.title))
    if from_request is not None:  # back to the request it was started from
        return redirect(
            url_for("staff.request_view", request_id=from_request, _anchor="reply-heading")
        )
    return redirect(url_for("staff.saved_replies", _anchor=f"team-{team.id}"))


def _reply_or_404(user: StaffUser, reply_id: int) -> tuple[SavedReply, Team]:
    dbs = db_session()
    reply = replies.visible_reply(dbs, user, reply_id)
    team = dbs.get(Team, reply.team_id)
    assert team is not None  # noqa: S101 - foreign key
    return reply, team


@bp.route(f"/replies/<int(max={MAX_ID}):reply_id>", methods=["GET", "POST"])
def saved_reply_edit(reply_id: int) -> Response | tuple[str, int]:
    staff = require_casework()
    reply, team = _reply_or_404(staff.user, reply_id)
    form = SavedReplyForm(obj=reply) if request.method == "GET" else SavedReplyForm()
    form.team.choices = [(team.id, team.name)]
    form.team.data = team.id  # a template stays with its team
    form.language.choices = _language_choices()
    if request.method == "GET":
        return _render_form(form, reply, team)
    if not form.validate_on_submit():
        return _render_form(form, reply, team, 400, _not_saved_message(form))
    try:
        changed = replies.update(
            db_session(), staff.user, reply, form.language.data, form.title.data, form.body.data
        )
    except SavedReplyError as exc:
        return _render_form(form, reply, team, 400, _refused(form, exc))
    if changed:
        flash(gettext("Saved reply changed: %(title)s", title=reply.title))
    else:
        flash(gettext("Nothing was changed in %(title)s.", title=reply.title))
    return redirect(url_for("staff.saved_replies", _anchor=f"team-{team.id}"))


@bp.route(f"/replies/<int(max={MAX_ID}):reply_id>/delete", methods=["GET", "POST"])
def saved_reply_delete(reply_id: int) -> Response | tuple[str, int]:
    """GET asks "Delete it?" (a page, so no JavaScript is needed); POST deletes."""
    staff = require_casework()
    reply, team = _reply_or_404(staff.user, reply_id)
    form = ActionForm()
    if request.method == "POST":
        if form.validate_on_submit():
            title = reply.title
            replies.delete(db_session(), staff.user, reply)
            flash(gettext("Saved reply deleted: %(title)s", title=title))
            return redirect(url_for("staff.saved_replies", _anchor=f"team-{team.id}"))
        flash(
            gettext("The page had expired, so nothing was deleted. Please press the button again."),
            "error",
        )
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "staff/replies/delete.html", reply=reply, team=team, language_names=LANGUAGE_NAMES
    )
    return page, status


# -- the picker under a request's reply box --------------------------------------------------


@dataclass(frozen=True)
class Picker:
    """What the picker shows: the team's templates by language, the request's first."""

    groups: list[tuple[str, str, list[ReplyEntry]]]
    first_language: str
    first_language_name: str
    selected: int | None
    team_id: int

    @property
    def count(self) -> int:
        return sum(len(entries) for _lang, _name, entries in self.groups)

    @property
    def first_language_count(self) -> int:
        return next((len(e) for lang, _n, e in self.groups if lang == self.first_language), 0)


@bp.context_processor
def saved_reply_picker_context() -> dict[str, object]:
    """``saved_reply_picker(req)`` for the reply form of staff/request.html (one query,
    only on a page that shows the reply form)."""

    def saved_reply_picker(req: HelpRequest) -> Picker:
        found = replies.choices_for(db_session(), req.team_id, req.language)
        return Picker(
            groups=[
                (lang, LANGUAGE_NAMES.get(lang, lang), entries)
                for lang, entries in found.by_language.items()
            ],
            first_language=req.language,
            first_language_name=LANGUAGE_NAMES.get(req.language, req.language),
            selected=g.get("saved_reply_chosen"),
            team_id=req.team_id,
        )

    return {"saved_reply_picker": saved_reply_picker}


@bp.post(f"/requests/<int(max={MAX_ID}):request_id>/reply/insert")
def reply_insert(request_id: int) -> tuple[str, int]:
    """The "Insert" button of the reply form: the request page again, the chosen template
    added to the reply box after what was typed. Nothing is sent or stored."""
    staff = require_casework()
    dbs = db_session()
    req = access.visible_request(dbs, staff.user, request_id)
    access.require_team_key(dbs, staff, req.team_id)  # as for sending the reply
    forms = _forms_for(req)  # the reply form bound to what was typed
    typed = forms.reply_form.text.data or ""
    pick = SavedReplyPickForm(prefix="reply")
    if not pick.validate_on_submit():
        flash(
            gettext(
                "The page had expired, so nothing was inserted. What you typed is kept: "
                "press Insert again."
            )
            if _expired(pick)
            else gettext("Choose a saved reply to insert."),
            "error",
        )
        return _render_request(req, 400, forms)
    chosen = pick.saved.data or ""
    try:
        reply_id = parse_id(chosen)
        template = replies.for_insertion(dbs, req.team_id, reply_id)
        text = replies.inserted(typed, template.body)
        if len(text) > MESSAGE_MAX:
            raise SavedReplyError(
                gettext(
                    "With this saved reply the text would be longer than %(n)s characters, "
                    "so nothing was inserted. Shorten what you typed first.",
                    n=MESSAGE_MAX,
                )
            )
    except SavedReplyError as exc:
        flash(str(exc), "error")
        return _render_request(req, 400, forms)
    forms.reply_form.text.data = text
    g.saved_reply_chosen = template.id
    flash(
        gettext(
            "“%(title)s” is in the reply box below, after what you had typed. Check it, "
            "then press Send reply: nothing has been sent yet.",
            title=template.title,
        )
    )
    return _render_request(req, 200, forms)
