"""Admin pages: users (invite, disable, reset 2FA), teams and members, routing, audit,
retention and statistics. Admins see metadata of everything; content needs a team key."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from campaign.cases import access, accounts
from campaign.cases import teams as team_service
from campaign.cases.vocabulary import CATEGORIES, LANGUAGE_VALUES, REGIONS
from campaign.core.db import db_session
from campaign.models import AuditEvent, StaffUser, Team, TeamMembership
from campaign.staff.blueprint import bp, require_admin
from campaign.staff.forms import (
    ActionForm,
    InviteForm,
    MemberForm,
    MoveRuleForm,
    RuleForm,
    TeamForm,
)

AUDIT_PAGE = 100
RECOVERY_NOTE = (
    "This is the team's private key. Write it down and keep it offline: it is shown only once "
    "and stored nowhere. You hold the team key now and can add members."
)


def _team_choices() -> list[tuple[int, str]]:
    return [(t.id, t.name) for t in db_session().scalars(select(Team).order_by(Team.name))]


@bp.route("/admin/users", methods=["GET", "POST"])
def admin_users() -> str:
    admin = require_admin()
    dbs = db_session()
    form = InviteForm()
    form.teams.choices = _team_choices()
    link = error = None
    if form.validate_on_submit():
        try:
            token = accounts.create_invitation(
                dbs,
                by=admin.user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                team_ids=list(form.teams.data or []),
            )
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            link = url_for("staff.invite", token=token, _external=True)
    users = list(dbs.scalars(select(StaffUser).order_by(StaffUser.name)))
    return render_template(
        "staff/admin/users.html",
        form=form,
        users=users,
        link=link,
        error=error,
        action_form=ActionForm(),
    )


@bp.post("/admin/users/<int:user_id>/<action>")
def admin_user_action(user_id: int, action: str) -> Response | str:
    admin = require_admin()
    dbs = db_session()
    user = dbs.get(StaffUser, user_id)
    if user is None or action not in ("disable", "enable", "reset-2fa", "reset-account"):
        abort(404)
    if not ActionForm().validate_on_submit():
        flash("The page expired. Please try again.", "error")
        return redirect(url_for("staff.admin_users"))
    try:
        if action == "reset-2fa":
            token = accounts.reset_two_factor(dbs, admin.user, user)
            link = url_for("staff.invite", token=token, _external=True)
            return render_template(
                "staff/admin/show_once.html",
                title="Two-factor reset link",
                value=link,
                note=f"Give this link to {user.name} through a safe channel. It works once.",
            )
        if action == "reset-account":
            token = accounts.reset_account(dbs, admin.user, user)
            link = url_for("staff.invite", token=token, _external=True)
            return render_template(
                "staff/admin/show_once.html",
                title="Password reset link",
                value=link,
                note=f"Give this link to {user.name} through a safe channel. It works once. "
                "They get new keys: grant them each team's key again afterwards.",
            )
        accounts.set_active(dbs, admin.user, user, action == "enable")
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    return redirect(url_for("staff.admin_users"))


@bp.route("/admin/teams", methods=["GET", "POST"])
def admin_teams() -> str:
    admin = require_admin()
    dbs = db_session()
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team, recovery_key = team_service.create_team(dbs, form.name.data)
        except team_service.TeamError as exc:
            flash(str(exc), "error")
        else:
            from campaign.cases import crypto

            accounts.grant_team_key(
                dbs, team, admin.user, crypto.parse_recovery_key(recovery_key), admin.user
            )
            return render_template(
                "staff/admin/show_once.html",
                title=f"Recovery key of team {team.name}",
                value=recovery_key,
                note=RECOVERY_NOTE,
            )
    rows = dbs.execute(select(Team).order_by(Team.name)).scalars().all()
    held = set(
        dbs.scalars(
            select(TeamMembership.team_id).where(
                TeamMembership.user_id == admin.user.id, TeamMembership.sealed_team_key.is_not(None)
            )
        )
    )
    return render_template("staff/admin/teams.html", teams=rows, form=form, held=held)


@bp.route("/admin/teams/<int:team_id>", methods=["GET", "POST"])
def admin_team(team_id: int) -> str | Response:
    admin = require_admin()
    dbs = db_session()
    team = dbs.get(Team, team_id)
    if team is None:
        abort(404)
    form = MemberForm()
    form.user.choices = [
        (u.id, f"{u.name} ({u.email})")
        for u in dbs.scalars(
            select(StaffUser).where(StaffUser.is_active.is_(True)).order_by(StaffUser.name)
        )
    ]
    key = access.team_key(dbs, admin, team.id)
    if form.validate_on_submit():
        member = dbs.get(StaffUser, form.user.data)
        if key is None:
            flash("Only someone who holds this team's key can add members.", "error")
        elif member is not None:
            accounts.grant_team_key(dbs, team, member, key, admin.user)
            flash(f"{member.name} can now read this team's requests.")
            return redirect(url_for("staff.admin_team", team_id=team.id))
    members = dbs.execute(
        select(TeamMembership, StaffUser)
        .join(StaffUser, StaffUser.id == TeamMembership.user_id)
        .where(TeamMembership.team_id == team.id)
        .order_by(StaffUser.name)
    ).all()
    return render_template(
        "staff/admin/team.html",
        team=team,
        members=members,
        form=form,
        has_key=key is not None,
        action_form=ActionForm(),
    )


@bp.post("/admin/teams/<int:team_id>/members/<int:user_id>/remove")
def admin_team_remove(team_id: int, user_id: int) -> Response:
    admin = require_admin()
    dbs = db_session()
    membership = dbs.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team_id, TeamMembership.user_id == user_id
        )
    )
    if membership is None:
        abort(404)
    if ActionForm().validate_on_submit():
        from campaign.cases import audit

        dbs.delete(membership)
        audit.record(dbs, admin.user, "member-removed", team_id=team_id, detail=f"user={user_id}")
        dbs.commit()
        flash("Removed from the team.")
    return redirect(url_for("staff.admin_team", team_id=team_id))


@bp.route("/admin/routing", methods=["GET", "POST"])
def admin_routing() -> str:
    admin = require_admin()
    dbs = db_session()
    form = RuleForm()
    form.category.choices = [("", "Any")] + [(c.value, str(c.label)) for c in CATEGORIES]
    form.region.choices = [("", "Any")] + [(c.value, str(c.label)) for c in REGIONS]
    form.language.choices = [("", "Any")] + [(v, v) for v in LANGUAGE_VALUES]
    form.team.choices = _team_choices()
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
            )
            from campaign.cases import audit

            audit.record(dbs, admin.user, "routing-changed", team_id=team.id, detail="rule added")
            dbs.commit()
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
    admin = require_admin()
    dbs = db_session()
    form = MoveRuleForm() if action == "move" else ActionForm()
    if action not in ("move", "delete"):
        abort(404)
    if not form.validate_on_submit():
        flash("Enter a position (a number).", "error")
        return redirect(url_for("staff.admin_routing"))
    try:
        if isinstance(form, MoveRuleForm):
            team_service.move_rule(dbs, rule_id, int(form.position.data or 0))
        else:
            team_service.remove_rule(dbs, rule_id)
    except team_service.TeamError:
        abort(404)
    from campaign.cases import audit

    audit.record(dbs, admin.user, "routing-changed", detail=f"rule {rule_id} {action}")
    dbs.commit()
    return redirect(url_for("staff.admin_routing"))


@bp.get("/admin/audit")
def admin_audit() -> str:
    require_admin()
    dbs = db_session()
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    action = request.args.get("action", "")[:40]
    actor = request.args.get("actor", "")[:200]
    request_id = request.args.get("request", "")
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor_label == actor)
    if request_id.isdigit():
        query = query.where(AuditEvent.request_id == int(request_id))
    events = list(dbs.scalars(query.limit(AUDIT_PAGE)))
    actions = sorted(set(dbs.scalars(select(AuditEvent.action).distinct())))
    return render_template(
        "staff/admin/audit.html",
        events=events,
        actions=actions,
        action=action,
        actor=actor,
        request_id=request_id,
    )


@bp.get("/admin/retention")
def admin_retention() -> str:
    require_admin()
    from campaign.cases import retention

    dbs = db_session()
    return render_template(
        "staff/admin/retention.html",
        due=retention.due_soon(dbs),
        closed_days=retention_days("RETENTION_CLOSED_DAYS"),
        max_days=retention_days("RETENTION_MAX_DAYS"),
    )


def retention_days(name: str) -> int:
    from flask import current_app

    return int(current_app.config.get(name, 0))


@bp.get("/admin/stats")
def admin_stats() -> str:
    require_admin()
    from campaign.cases import stats

    dbs = db_session()
    counts = stats.weekly_counts(dbs)
    return render_template("staff/admin/stats.html", counts=counts, stats=stats)
