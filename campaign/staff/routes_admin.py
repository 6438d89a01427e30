"""Admin pages: users (invite, disable, reset 2FA), teams and members, routing, audit,
retention and statistics. Admins see metadata of everything; content needs a team key."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from campaign.cases import access, accounts, admin, retention
from campaign.cases import teams as team_service
from campaign.cases.vocabulary import CATEGORIES, LANGUAGE_VALUES, REGIONS
from campaign.core.db import db_session
from campaign.models import Role, StaffUser, Team
from campaign.staff.blueprint import bp, require_admin
from campaign.staff.forms import (
    ActionForm,
    InviteForm,
    MemberForm,
    MoveRuleForm,
    RuleForm,
    TeamForm,
)

RECOVERY_NOTE = (
    "This is the team's private key. Write it down and keep it offline: it is shown only once "
    "and stored nowhere. You hold the team key now and can add members."
)
RESET_PAGES = {
    "reset-2fa": ("Two-factor reset link", ""),
    "reset-account": (
        "Password reset link",
        " They get new keys: grant them each team's key again afterwards.",
    ),
}


@bp.route("/admin/users", methods=["GET", "POST"])
def admin_users() -> str:
    current = require_admin()
    dbs = db_session()
    form = InviteForm()
    form.teams.choices = admin.team_choices(dbs)
    link = error = None
    if form.validate_on_submit():
        try:
            token = accounts.create_invitation(
                dbs,
                by=current.user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                team_ids=list(form.teams.data or []),
            )
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            link = url_for("staff.invite", token=token, _external=True)
    return render_template(
        "staff/admin/users.html",
        form=form,
        users=admin.users(dbs),
        link=link,
        error=error,
        action_form=ActionForm(),
        roles=[role.value for role in Role],
    )


@bp.post("/admin/users/<int:user_id>/<action>")
def admin_user_action(user_id: int, action: str) -> Response | str:
    current = require_admin()
    dbs = db_session()
    user = dbs.get(StaffUser, user_id)
    roles = {f"role-{role.value}": role.value for role in Role}
    if user is None or action not in ("disable", "enable", *accounts.RESETS, *roles):
        abort(404)
    if not ActionForm().validate_on_submit():
        flash("The page expired. Please try again.", "error")
        return redirect(url_for("staff.admin_users"))
    try:
        if action in accounts.RESETS:
            token = accounts.reset(dbs, current.user, user, action)
            title, more = RESET_PAGES[action]
            return render_template(
                "staff/admin/show_once.html",
                title=title,
                value=url_for("staff.invite", token=token, _external=True),
                note=f"Give this link to {user.name} through a safe channel. It works once." + more,
            )
        if action in roles:
            accounts.set_role(dbs, current.user, user, roles[action])
            flash(f"{user.name} is now {roles[action]}; their sessions have ended.")
        else:
            accounts.set_active(dbs, current.user, user, action == "enable")
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    return redirect(url_for("staff.admin_users"))


@bp.route("/admin/teams", methods=["GET", "POST"])
def admin_teams() -> str:
    current = require_admin()
    dbs = db_session()
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team, recovery_key = admin.create_team(dbs, current, form.name.data)
        except admin.AdminError as exc:
            flash(str(exc), "error")
        else:
            return render_template(
                "staff/admin/show_once.html",
                title=f"Recovery key of team {team.name}",
                value=recovery_key,
                note=RECOVERY_NOTE,
            )
    return render_template(
        "staff/admin/teams.html",
        teams=admin.all_teams(dbs),
        form=form,
        held=admin.held_team_ids(dbs, current.user),
    )


@bp.route("/admin/teams/<int:team_id>", methods=["GET", "POST"])
def admin_team(team_id: int) -> str | Response:
    current = require_admin()
    dbs = db_session()
    team = dbs.get(Team, team_id)
    if team is None:
        abort(404)
    form = MemberForm()
    form.user.choices = [(u.id, f"{u.name} ({u.email})") for u in admin.active_users(dbs)]
    if form.validate_on_submit():
        try:
            member = admin.add_member(dbs, current, team, form.user.data)
        except admin.AdminError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{member.name} can now read this team's requests.")
            return redirect(url_for("staff.admin_team", team_id=team.id))
    return render_template(
        "staff/admin/team.html",
        team=team,
        members=admin.members(dbs, team),
        form=form,
        has_key=access.team_key(dbs, current, team.id) is not None,
        action_form=ActionForm(),
    )


@bp.post("/admin/teams/<int:team_id>/members/<int:user_id>/remove")
def admin_team_remove(team_id: int, user_id: int) -> Response:
    current = require_admin()
    if ActionForm().validate_on_submit():
        try:
            admin.remove_member(db_session(), current.user, team_id, user_id)
        except admin.AdminError:
            abort(404)
        flash("Removed from the team.")
    return redirect(url_for("staff.admin_team", team_id=team_id))


@bp.route("/admin/routing", methods=["GET", "POST"])
def admin_routing() -> str:
    current = require_admin()
    dbs = db_session()
    form = RuleForm()
    form.category.choices = [("", "Any")] + [(c.value, str(c.label)) for c in CATEGORIES]
    form.region.choices = [("", "Any")] + [(c.value, str(c.label)) for c in REGIONS]
    form.language.choices = [("", "Any")] + [(v, v) for v in LANGUAGE_VALUES]
    form.team.choices = admin.team_choices(dbs)
    if form.validate_on_submit():
        team = dbs.get(Team, form.team.data)
        if team is not None:
            team_service.add_rule(
                dbs,
                team.name,
                category=form.category.data or None,
                region=form.region.data or None,
                language=form.language.data or None,
                position=form.position.data,
                actor=current.user,
            )
            flash("Rule added.")
    return render_template(
        "staff/admin/routing.html",
        rules=team_service.list_rules(dbs),
        form=form,
        move_form=MoveRuleForm(),
        action_form=ActionForm(),
    )


@bp.post("/admin/routing/<int:rule_id>/<action>")
def admin_rule_action(rule_id: int, action: str) -> Response:
    current = require_admin()
    dbs = db_session()
    form = MoveRuleForm() if action == "move" else ActionForm()
    if action not in ("move", "delete"):
        abort(404)
    if not form.validate_on_submit():
        flash("Enter a position (a number).", "error")
        return redirect(url_for("staff.admin_routing"))
    try:
        if isinstance(form, MoveRuleForm):
            team_service.move_rule(dbs, rule_id, int(form.position.data or 0), current.user)
        else:
            team_service.remove_rule(dbs, rule_id, current.user)
    except team_service.TeamError:
        abort(404)
    return redirect(url_for("staff.admin_routing"))


@bp.get("/admin/audit")
def admin_audit() -> str:
    require_admin()
    dbs = db_session()
    action = request.args.get("action", "")[:40]
    actor = request.args.get("actor", "")[:200]
    request_id = request.args.get("request", "")
    number = int(request_id) if request_id.isdigit() and len(request_id) < 12 else None
    return render_template(
        "staff/admin/audit.html",
        events=admin.audit_events(dbs, admin.AuditFilter(action, actor, number)),
        actions=admin.audit_actions(dbs),
        repeated_failures=admin.repeated_failures(dbs),
        action=action,
        actor=actor,
        request_id=request_id,
    )


@bp.get("/admin/retention")
def admin_retention() -> str:
    require_admin()
    return render_template(
        "staff/admin/retention.html",
        due=retention.due_soon(db_session()),
        closed_days=int(current_app.config["RETENTION_CLOSED_DAYS"]),
        max_days=int(current_app.config["RETENTION_MAX_DAYS"]),
    )
