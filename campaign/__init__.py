"""Application factory: configuration, extensions, blueprints, error pages and CLI."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from campaign import config as default_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, instance/config.py, CAMPAIGN_* env, test_config."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    default_config.load(app.config, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.jinja_env.add_extension("jinja2.ext.do")

    from campaign import (
        checks,
        cli,
        content,
        db,
        errors,
        i18n,
        logs,
        pages,
        ratelimit,
        security,
        staticfiles,
    )
    from campaign.health import bp as health_bp
    from campaign.help import bp as help_bp
    from campaign.public import bp as public_bp
    from campaign.staff import bp as staff_bp

    logs.init_app(app)
    i18n.init_app(app)
    db.init_app(app)
    content.init_app(app)
    staticfiles.init_app(app)
    security.init_app(app)
    pages.init_app(app)
    errors.init_app(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(help_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(staff_bp)
    ratelimit.init_app(app)
    cli.init_app(app)
    checks.init_app(app)
    return app
