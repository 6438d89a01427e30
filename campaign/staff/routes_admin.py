"""Admin pages: users (invite, revoke, disable, reset 2FA), teams and members, routing, audit,
retention and statistics. Admins see metadata of everything; content needs a team key.

Each page warns before a mistake costs anything: a routing rule that can never match, a
team with fewer than two key holders, a request about to be deleted that nobody holds.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from campaign.cases import access, accounts, admin, audit
from campaign.cases import teams as team_service
from campaign.cases.vocabulary import ANSWER_LANGUAGES, CATEGORIES, REGIONS
from campaign.core import inputs
from campaign.core.db import db_session
from campaign.core.i18n import LANGUAGE_NAMES
from campaign.core.inputs import MAX_ID
from campaign.core.settings import setting
from campaign.models import Role, StaffUser, Team
from campaign.staff.blueprint import bp, require_admin
from campaign.staff.forms import (
    ActionForm,
    InviteInLanguageForm,
    MemberForm,
    MoveRuleForm,
    RuleForm,
    TeamForm,
)

ROLE_LABELS = {
    Role.CASEWORKER.value: _l("caseworker"),
    Role.EDITOR.value: _l("editor"),
    Role.ADMIN.value: _l("admin"),
}
PURPOSE_LABELS = {
    "invite": _l("Invitation"),
    "reset-2fa": _l("Two-factor reset"),
    "reset-account": _l("Password reset"),
    "enrol-2fa": _l("Two-factor set-up"),
}


def _reset_page(action: str, name: str) -> tuple[str, str]:
    if action == "reset-2fa":
        return _("Two-factor reset link"), _(
            "The two-factor login of %(name)s is reset and their sessions were ended. Give "
            "this link to %(name)s through a safe channel. It works once.",
            name=name,
        )
    return _("Password reset link"), _(
        "The password and keys of %(name)s are reset and their sessions were ended. Give "
        "this link to %(name)s through a safe channel. It works once. They get new keys: "
        "grant them each team's key again afterwards.",
        name=name,
    )


def _user_question(user: StaffUser, action: str, roles: dict[str, str]) -> dict[str, str]:
    """The confirmation page's words for an action on a member: question, what happens, yes."""
    name = user.name
    if action == "disable":
        return {
            "title": _("Disable %(name)s?", name=name),
            "what": _(
                "%(name)s can no longer log in, and their open sessions end at once. You can "
                "enable the account again later.",
                name=name,
            ),
            "yes": _("Yes, disable %(name)s", name=name),
        }
    if action == "enable":
        return {
            "title": _("Enable %(name)s?", name=name),
            "what": _("%(name)s can log in again.", name=name),
            "yes": _("Yes, enable %(name)s", name=name),
        }
    if action in roles:
        role = str(ROLE_LABELS[roles[action]])
        what = _(
            "%(name)s becomes %(role)s; their open sessions end at once and they log in again.",
            name=name,
            role=role,
        )
        if roles[action] == Role.EDITOR.value:
            what += " " + _("Editors join no team: %(name)s leaves every team.", name=name)
        return {
            "title": _("Make %(name)s %(role)s?", name=name, role=role),
            "what": what,
            "yes": _("Yes, make %(name)s %(role)s", name=name, role=role),
        }
    if action == "reset-2fa":
        return {
            "title": _("Reset the two-factor login of %(name)s?", name=name),
            "what": _(
                "Their two-factor codes stop working and their open sessions end at once. "
                "You get a one-time link to give them, to set up two-factor login again.",
            ),
            "yes": _("Yes, reset two-factor"),
        }
    return {
        "title": _("Reset the password and keys of %(name)s?", name=name),
        "what": _(
            "Their password and two-factor codes stop working and their open sessions end at "
            "once. You get a one-time link to give them; they get new keys, so someone who "
            "holds each team's key must grant it to them again.",
        ),
        "yes": _("Yes, reset password and keys"),
    }


def _invite_form(formdata: object = "from-request") -> InviteInLanguageForm:
    form = InviteInLanguageForm() if formdata == "from-request" else InviteInLanguageForm(None)
    form.teams.choices = admin.team_choices(db_session())
    return form


@bp.route("/admin/users", methods=["GET", "POST"])
def admin_users() -> str:
    current = require_admin()
    dbs = db_session()
    form = _invite_form()
    if request.method == "GET":  # the inviting admin's own staff-area language
        locale = get_locale()
        form.language.data = current.user.language or (locale.language if locale else "be")
    link = error = None
    expires = None
    if form.validate_on_submit():
        try:
            token, invitation = admin.invite(
                dbs,
                current.user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                team_ids=list(form.teams.data or []),
                language=form.language.data or None,
            )
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            link = url_for("staff.invite", token=token, _external=True)
            expires = invitation.expires_at
            form = _invite_form(None)  # empty for the next one: nothing of this one kept
            form.language.data = invitation.language
    return render_template(
        "staff/admin/users.html",
        form=form,
        users=admin.users(dbs),
        invitations=admin.pending_invitations(dbs),
        team_names=dict(form.teams.choices or []),
        language_names=LANGUAGE_NAMES,
        link=link,
        expires=expires,
        invite_hours=float(setting("STAFF_INVITE_HOURS")),
        error=error,
        action_form=ActionForm(),
        roles=[role.value for role in Role],
        role_labels=ROLE_LABELS,
        purpose_labels=PURPOSE_LABELS,
        me=current.user,
    )


@bp.post(f"/admin/invitations/<int(max={MAX_ID}):invitation_id>/revoke")
def admin_invitation_revoke(invitation_id: int) -> Response:
    current = require_admin()
    if not ActionForm().validate_on_submit():
        flash(_("The page expired. Please try again."), "error")
        return redirect(url_for("staff.admin_users"))
    try:
        invitation = admin.revoke_invitation(db_session(), current.user, invitation_id)
    except admin.AdminError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The link for %(email)s no longer works.", email=invitation.email))
    return redirect(url_for("staff.admin_users") + "#invitations")


@bp.route(f"/admin/users/<int(max={MAX_ID}):user_id>/<action>", methods=["GET", "POST"])
def admin_user_action(user_id: int, action: str) -> Response | str:
    """GET asks (a page naming the member and what will happen; no JavaScript needed);
    POST, with the page's CSRF token, does it and says what was done."""
    current = require_admin()
    dbs = db_session()
    user = dbs.get(StaffUser, user_id)
    roles = {f"role-{role.value}": role.value for role in Role}
    if user is None or action not in ("disable", "enable", *accounts.RESETS, *roles):
        abort(404)
    if request.method == "GET":
        return render_template(
            "staff/admin/confirm.html",
            **_user_question(user, action, roles),
            facts=[(_("Name"), user.name), (_("Email"), user.email)],
            action_url=url_for("staff.admin_user_action", user_id=user.id, action=action),
            cancel_url=url_for("staff.admin_users"),
            action_form=ActionForm(),
        )
    if not ActionForm().validate_on_submit():
        flash(_("The page expired, so nothing was changed. Please try again."), "error")
        return redirect(url_for("staff.admin_users"))
    try:
        if action in accounts.RESETS:
            token = accounts.reset(dbs, current.user, user, action)
            title, note = _reset_page(action, user.name)
            return render_template(
                "staff/admin/show_once.html",
                title=title,
                value=url_for("staff.invite", token=token, _external=True),
                note=note,
            )
        if action in roles:
            admin.set_role(dbs, current.user, user, roles[action])
            flash(
                _(
                    "%(name)s is now %(role)s; their sessions have ended.",
                    name=user.name,
                    role=ROLE_LABELS[roles[action]],
                )
            )
        elif action == "enable":
            admin.set_active(dbs, current.user, user, True)
            flash(_("%(name)s is enabled and can log in again.", name=user.name))
        else:
            admin.set_active(dbs, current.user, user, False)
            flash(_("%(name)s is disabled; their sessions were ended.", name=user.name))
    except (accounts.AccountError, admin.AdminError) as exc:
        dbs.rollback()
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
                "staff/admin/team_created.html",
                team=team,
                recovery_key=recovery_key,
                action_form=ActionForm(),
            )
    return render_template(
        "staff/admin/teams.html",
        summaries=admin.team_summaries(dbs),
        form=form,
        held=admin.held_team_ids(dbs, current.user),
    )


@bp.post(f"/admin/teams/<int(max={MAX_ID}):team_id>/key-saved")
def admin_team_key_saved(team_id: int) -> Response:
    current = require_admin()
    dbs = db_session()
    team = dbs.get(Team, team_id)
    if team is None:
        abort(404)
    if ActionForm().validate_on_submit():
        admin.confirm_recovery_key(dbs, current.user, team)
        flash(_("Recovery key saved. Now add the team's members and grant them its key."))
    return redirect(url_for("staff.admin_team", team_id=team.id) + "#add-member")


@bp.route(f"/admin/teams/<int(max={MAX_ID}):team_id>", methods=["GET", "POST"])
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
            flash(_("%(name)s can now read this team's requests.", name=member.name))
            return redirect(url_for("staff.admin_team", team_id=team.id))
    summary = next(s for s in admin.team_summaries(dbs) if s.team.id == team.id)
    return render_template(
        "staff/admin/team.html",
        team=team,
        summary=summary,
        members=admin.members(dbs, team),
        form=form,
        has_key=access.team_key(dbs, current, team.id) is not None,
        key_unconfirmed=admin.recovery_key_unconfirmed(dbs, team),
        action_form=ActionForm(),
    )


@bp.post(f"/admin/teams/<int(max={MAX_ID}):team_id>/members/<int(max={MAX_ID}):user_id>/remove")
def admin_team_remove(team_id: int, user_id: int) -> Response:
    current = require_admin()
    if ActionForm().validate_on_submit():
        try:
            admin.remove_member(db_session(), current.user, team_id, user_id)
        except admin.AdminError:
            abort(404)
        flash(_("Removed from the team."))
    return redirect(url_for("staff.admin_team", team_id=team_id))


def _rule_form() -> RuleForm:
    form = RuleForm()
    form.category.choices = [("", _("Any"))] + [(c.value, str(c.label)) for c in CATEGORIES]
    form.region.choices = [("", _("Any"))] + [
        (c.value, audit.label("region", c.value)) for c in REGIONS
    ]
    form.language.choices = [("", _("Any"))] + [(c.value, str(c.label)) for c in ANSWER_LANGUAGES]
    form.team.choices = admin.team_choices(db_session())
    return form


@bp.route("/admin/routing", methods=["GET", "POST"])
def admin_routing() -> str | Response:
    current = require_admin()
    dbs = db_session()
    form = _rule_form()
    error = None
    if form.validate_on_submit():
        team = dbs.get(Team, form.team.data)
        try:
            if team is None:
                raise team_service.TeamError(_("Choose a team from the list."))
            rule = team_service.add_rule(
                dbs,
                team.name,
                category=form.category.data or None,
                region=form.region.data or None,
                language=form.language.data or None,
                position=form.position.data,
                actor=current.user,
            )
        except team_service.TeamError as exc:
            dbs.rollback()
            error = str(exc)
        else:
            flash(_("Rule added: %(rule)s.", rule=team_service.rule_in_words(rule)))
            if rule.id in team_service.shadowed_rules(team_service.list_rules(dbs)):
                flash(_("This rule can never match: see the warning in the table."), "error")
            # A fresh, empty form for the next rule: redirect after the POST.
            return redirect(url_for("staff.admin_routing"))
    rules = team_service.list_rules(dbs)
    return render_template(
        "staff/admin/routing.html",
        rules=rules,
        shadowed=team_service.shadowed_rules(rules),
        in_words=team_service.rule_in_words,
        label=audit.label,
        form=form,
        error=error,
        move_form=MoveRuleForm(),
        action_form=ActionForm(),
    )


def _rule_delete_question(rule_id: int) -> str:
    """Asks before a rule is deleted: the rule in words, and where its requests go then."""
    rule = team_service.rule_or_none(db_session(), rule_id)
    if rule is None:
        abort(404)
    return render_template(
        "staff/admin/confirm.html",
        title=_("Delete the rule at position %(n)s?", n=rule.position),
        facts=[
            (_("Position"), str(rule.position)),
            (_("Rule"), team_service.rule_in_words(rule)),
            (_("Team"), rule.team.name),
        ],
        what=_(
            "Requests it matched go to the next rule that matches them, or to the default "
            "team. Requests already received stay with their teams."
        ),
        yes=_("Yes, delete the rule"),
        action_url=url_for("staff.admin_rule_action", rule_id=rule.id, action="delete"),
        cancel_url=url_for("staff.admin_routing"),
        action_form=ActionForm(),
    )


@bp.route(f"/admin/routing/<int(max={MAX_ID}):rule_id>/<action>", methods=["GET", "POST"])
def admin_rule_action(rule_id: int, action: str) -> Response | str:
    """GET .../delete asks first; POST moves or deletes."""
    current = require_admin()
    if request.method == "GET":
        if action != "delete":
            abort(404)
        return _rule_delete_question(rule_id)
    dbs = db_session()
    form = MoveRuleForm() if action == "move" else ActionForm()
    if action not in ("move", "delete"):
        abort(404)
    if not form.validate_on_submit():
        if action == "move":
            flash(_("Enter a position (a number)."), "error")
        else:
            flash(_("The page expired, so nothing was changed. Please try again."), "error")
        return redirect(url_for("staff.admin_routing"))
    try:
        if isinstance(form, MoveRuleForm):
            rule = team_service.move_rule(dbs, rule_id, int(form.position.data or 0), current.user)
            flash(
                _(
                    "Rule moved to position %(n)s: %(rule)s (%(team)s).",
                    n=rule.position,
                    rule=team_service.rule_in_words(rule),
                    team=rule.team.name,
                )
            )
        else:
            removed = team_service.rule_or_none(dbs, rule_id)
            if removed is None:
                abort(404)
            words = _(
                "position %(n)s, %(rule)s, to %(team)s",
                n=removed.position,
                rule=team_service.rule_in_words(removed),
                team=removed.team.name,
            )
            team_service.remove_rule(dbs, rule_id, current.user)  # the same row, not fetched again
            flash(_("Rule deleted: %(rule)s.", rule=words))
    except team_service.TeamError:
        abort(404)
    return redirect(url_for("staff.admin_routing"))


@bp.get("/admin/audit")
def admin_audit() -> str:
    require_admin()
    dbs = db_session()
    action = request.args.get("action", "")[:40]
    actor = request.args.get("actor", "")[:200]
    request_id = request.args.get("request", "")[:20]
    number = inputs.parse_id(request_id)
    if request_id and number is None:
        flash(
            _("“%(text)s” is not a request number: the whole log is shown.", text=request_id),
            "error",
        )
        request_id = ""
    return render_template(
        "staff/admin/audit.html",
        lines=admin.audit_lines(dbs, admin.AuditFilter(action, actor, number)),
        actions=admin.audit_actions(dbs),
        action_words=audit.ACTIONS,
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
        due=admin.due_for_deletion(db_session()),
        unattended_days=admin.UNATTENDED_DAYS,
        closed_days=int(current_app.config["RETENTION_CLOSED_DAYS"]),
        max_days=int(current_app.config["RETENTION_MAX_DAYS"]),
    )
