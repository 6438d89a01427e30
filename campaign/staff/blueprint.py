"""The staff blueprint: who is logged in, and the headers every staff page carries."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from campaign.cases import sessions
from campaign.cases.sessions import CurrentStaff
from campaign.core.db import db_session

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


@bp.before_request
def load_staff() -> Response | None:
    g.staff_area = True
    g.staff = sessions.load(db_session())
    if g.staff is None and request.endpoint not in OPEN_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("staff.login"))
        abort(401)
    return None


@bp.context_processor
def staff_context() -> dict[str, object]:
    return {"now_utc": lambda: dt.datetime.now(dt.UTC), "csrf_token": generate_csrf}


@bp.after_request
def private_headers(response: Response) -> Response:
    response.cache_control.no_store = True
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.vary.add("Cookie")
    return response


from campaign.staff import routes_admin, routes_auth, routes_cases  # noqa: E402, F401
