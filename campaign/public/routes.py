"""Routes of the reading pages. Thin: look up content, render, 404 when missing."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from campaign.content.store import Page, store
from campaign.core.i18n import preferred_language
from campaign.core.pagecache import cached_page

bp = Blueprint("public", __name__)

MATERIALS = "home-without-abuse"


def _page(section: str, slug: str) -> Page:
    page = store().get(section, g.lang, slug)
    if page is None:
        abort(404)
    return page


@bp.get("/")
def root() -> Response:
    response = redirect(url_for("public.home", lang=preferred_language()), code=302)
    response.vary.add("Accept-Language")
    response.cache_control.private = True
    response.cache_control.max_age = 0
    return response


@bp.get("/<lang>/")
@cached_page
def home() -> str:
    content = store()
    return render_template(
        "public/home.html",
        intro=_page("pages", "home"),
        statements=content.list("statements", g.lang),
        materials=content.list(MATERIALS, g.lang),
    )


@bp.get("/<lang>/statements/")
@cached_page
def statements() -> str:
    return render_template("public/statements.html", pages=store().list("statements", g.lang))


@bp.get("/<lang>/statements/<slug>")
@cached_page
def statement(slug: str) -> str:
    return render_template("public/statement.html", page=_page("statements", slug))


@bp.get("/<lang>/home-without-abuse/")
@cached_page
def materials() -> str:
    return render_template("public/materials.html", pages=store().list(MATERIALS, g.lang))


@bp.get("/<lang>/home-without-abuse/<slug>")
@cached_page
def material(slug: str) -> str:
    return render_template("public/material.html", page=_page(MATERIALS, slug))


@bp.get("/<lang>/safety")
@cached_page
def safety() -> str:
    return render_template("public/info_page.html", page=_page("pages", "safety"))


@bp.get("/<lang>/privacy")
@cached_page
def privacy() -> str:
    return render_template("public/info_page.html", page=_page("pages", "privacy"))


@bp.get("/<lang>/<path:rest>/", strict_slashes=False)
def without_trailing_slash(rest: str) -> Response:
    """``/be/safety/`` for ``/be/safety``: pages without a trailing slash are also found with
    one (a 308 to the page), as sections are without it; anything else is the usual 404."""
    target = f"/{g.lang}/{rest}"
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _values = adapter.match(target, method="GET")
    except HTTPException:  # no such page, or only this rule again (a redirect to it)
        abort(404)
    if endpoint == request.endpoint:
        abort(404)
    return redirect(target, code=308)
