"""Routes of the help pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from campaign.pages import cached_page

bp = Blueprint("help", __name__, url_prefix="/<lang>/help")


@bp.get("/")
@cached_page
def index() -> str:
    return render_template("help/index.html")
