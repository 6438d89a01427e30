"""The staff blueprint: who is logged in, and the headers every staff page carries."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.wrappers import Response

from campaign.cases import access, sessions
from campaign.cases.sessions import CurrentStaff
from campaign.core.db import db_session
from campaign.core.errors import render_error
from campaign.core.i18n import select_locale, staff_language
from campaign.models import StaffUser
from campaign.models.base import as_utc, utcnow
from campaign.staff import cookies

bp = Blueprint("staff", __name__, url_prefix="/staff")

OPEN_ENDPOINTS = {"staff.login", "staff.invite"}


def current() -> CurrentStaff:
    staff: CurrentStaff | None = g.get("staff")
    if staff is None:
        abort(401)
    return staff


def require_admin() -> CurrentStaff:
    staff = current()
    if not staff.user.is_admin:
        abort(403)
    return staff


def require_publisher() -> CurrentStaff:
    """Publishing pages: admins and editors. Anyone else gets the 404 of a wrong address
    (as for another team's request), so the pages' existence is not told."""
    staff = current()
    if not staff.user.may_publish:
        abort(404)
    return staff


def require_casework() -> CurrentStaff:
    """The inbox and requests: admins and caseworkers; an editor gets a 404."""
    staff = current()
    if not staff.user.may_handle_requests:
        abort(404)
    return staff


def home_endpoint(user: StaffUser | None) -> str:
    """Where a member starts: the inbox, or the publishing list for an editor."""
    if user is not None and user.may_publish and not user.may_handle_requests:
        return "staff.publishing_list"
    return "staff.inbox"


@bp.before_request
def load_staff() -> Response | None:
    g.staff = sessions.load(db_session(), cookies.read())
    if g.staff is not None:  # staff URLs carry no language: the member's choice decides
        g.staff_lang = staff_language(g.staff.user.language)
    if g.staff is None and request.endpoint not in OPEN_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("staff.login"))
        abort(401)
    return None


@bp.context_processor
def staff_context() -> dict[str, object]:
    return {
        "utcnow": utcnow,
        "as_utc": as_utc,
        "csrf_token": generate_csrf,
        "page_language": select_locale,
        "staff_home": lambda: url_for(home_endpoint(g.staff.user if g.get("staff") else None)),
    }


@bp.errorhandler(access.NotVisibleError)
def not_visible(_error: access.NotVisibleError) -> tuple[str, int]:
    """Another team's request, or none: the same 404 as a wrong address."""
    return render_error(NotFound())


@bp.errorhandler(access.NoTeamKeyError)
def no_team_key(_error: access.NoTeamKeyError) -> tuple[str, int]:
    return render_error(Forbidden())


@bp.after_request
def private_headers(response: Response) -> Response:
    response.cache_control.no_store = True
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.vary.add("Cookie")
    return response


from campaign.staff import (  # noqa: E402, F401
    routes_admin,
    routes_auth,
    routes_cases,
    routes_helplines,
    routes_publishing,
    routes_replies,
    routes_stats,
)
