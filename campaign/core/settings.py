"""Settings and per-app caches for code that has no web request: the domain (``cases``).

``cases`` never imports Flask; it reads the running app's configuration through these two
functions, so the same code serves a page, a ``flask`` command and a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app


def setting(name: str) -> Any:
    """The running app's configuration value ``name`` (KeyError if it has none)."""
    return current_app.config[name]


def config() -> Mapping[str, Any]:
    """All of the running app's configuration, read-only."""
    return current_app.config


def optional_setting(name: str, default: Any = None) -> Any:
    return current_app.config.get(name, default)


def app_cache(name: str) -> dict[str, Any]:
    """A dictionary that lives as long as the app (one per process and app)."""
    cache: dict[str, Any] = current_app.extensions.setdefault(name, {})
    return cache
