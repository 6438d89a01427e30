"""Error pages: every HTTP error is a template in the visitor's language, never Werkzeug's.

The page keeps the site's layout, so the quick exit and the hotline are there too.
"""

from __future__ import annotations

import logging
import traceback

from flask import Flask, g, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError

from campaign.i18n import language_for_error

log = logging.getLogger(__name__)


def render_error(error: HTTPException) -> tuple[str, int]:
    if request.blueprint == "staff":
        code = error.code or 500
        return render_template("staff/error.html", code=code), code
    if not g.get("lang"):
        g.lang = language_for_error()
    code = error.code or 500
    g.error = code
    return render_template("errors/error.html", code=code, error=error), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        response = error.get_response()
        if 300 <= (error.code or 500) < 400:
            return response
        from campaign.help.problems import problem_page

        special = problem_page(error.code or 500)
        if special is not None:
            return special
        body, code = render_error(error)
        response.set_data(body)
        response.mimetype = "text/html"
        response.status_code = code
        response.cache_control.no_store = True
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        # Type and code locations only: an exception message may carry request data.
        frames = traceback.extract_tb(error.__traceback__)
        where = " <- ".join(f"{f.filename}:{f.lineno} {f.name}" for f in reversed(frames[-6:]))
        log.error("unhandled %s at %s", type(error).__name__, where)
        return render_error(InternalServerError())
