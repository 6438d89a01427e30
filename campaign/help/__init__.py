"""Help: hotline and emergency numbers, the anonymous help request, follow-up by receipt."""

from __future__ import annotations

from flask import Flask

from campaign.core.errors import register_problem_page
from campaign.help.problems import problem_page
from campaign.help.routes import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_problem_page(app, problem_page)
