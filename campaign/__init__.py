"""Application factory: the one place that wires the layers together.

``create_app`` loads the configuration, then registers the plumbing (``core``), the
content, the web layers (``public``, ``help``, ``staff``) and the operator commands.
See docs/architecture.md for what each package owns and which may import which.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from campaign.core import config as default_config
from campaign.core import files, routing, templating
from campaign.core.config import PROJECT_ROOT


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, instance/config.py, CAMPAIGN_* env, test_config.

    The instance folder is ``instance/`` unless ``CAMPAIGN_INSTANCE_PATH`` or
    ``test_config["INSTANCE_PATH"]`` names another (``core.config.instance_path``); it is
    created 0700 (``core.files``).
    """
    instance = default_config.instance_path(test_config)
    app = Flask(
        __name__,
        instance_path=str(instance),
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    routing.init_app(app)
    default_config.load(app.config, test_config)
    files.private_dir(instance)
    templating.configure(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    register_core(app)
    register_blueprints(app)
    register_commands(app)
    return app


def register_core(app: Flask) -> None:
    from campaign import content
    from campaign.core import db, errors, i18n, inputs, logs, pagecache, security, staticfiles

    logs.init_app(app)
    i18n.init_app(app)
    inputs.init_app(app)  # before any other request hook: unusable characters get a 400
    db.init_app(app)
    content.init_app(app)
    staticfiles.init_app(app)
    security.init_app(app)
    pagecache.init_app(app)
    errors.init_app(app)


def register_blueprints(app: Flask) -> None:
    from campaign import help as help_layer
    from campaign import public, staff
    from campaign.core import health, ratelimit

    app.register_blueprint(public.bp)
    help_layer.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(staff.bp)
    ratelimit.init_app(app)  # after the blueprints: it decorates their limited endpoints


def register_commands(app: Flask) -> None:
    from campaign import commands

    commands.init_app(app)
