"""Error pages: every HTTP error is a template in the visitor's language, never Werkzeug's.

The page keeps the site's layout, so the quick exit and the hotline are there too. A web
layer that can answer some errors better (the help forms keep the person's text on a 413 or
429) registers a problem-page function with :func:`register_problem_page`; this module never
imports a web layer.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from flask import Flask, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from campaign.core.i18n import language_for_error

log = logging.getLogger(__name__)

ProblemPage = Callable[[int], Response | None]
PROBLEM_PAGES = "campaign_problem_pages"


def register_problem_page(app: Flask, page: ProblemPage) -> None:
    """Let ``page(code)`` answer an error first; it returns None to leave it to the default."""
    app.extensions.setdefault(PROBLEM_PAGES, []).append(page)


def render_error(error: HTTPException) -> tuple[str, int]:
    if request.blueprint == "staff":
        code = error.code or 500
        return render_template("staff/error.html", code=code, error=error), code
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
        pages: list[ProblemPage] = current_app.extensions.get(PROBLEM_PAGES, [])
        for page in pages:
            special = page(error.code or 500)
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
