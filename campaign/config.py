"""Configuration defaults.

Order of precedence (later wins): these defaults, ``instance/config.py``, then
``CAMPAIGN_*`` environment variables (``app.config.from_prefixed_env("CAMPAIGN")``),
then the ``test_config`` mapping passed to ``create_app``.
"""

from __future__ import annotations

from typing import Any

LANGUAGES: tuple[str, ...] = ("be", "ru", "en")

DEFAULTS: dict[str, Any] = {
    # Development-only key; production start-up refuses it (see campaign/checks.py).
    "SECRET_KEY": "dev-insecure-change-me",
    "ENV_PRODUCTION": False,
    "LANGUAGES": LANGUAGES,
    "DEFAULT_LANGUAGE": "be",
    "BABEL_DEFAULT_LOCALE": "be",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Minsk",
    # Where the quick exit sends the visitor: a neutral, common site.
    "QUICK_EXIT_URL": "https://www.google.com/search?q=weather",
    # Help lines: a YAML file an operator can replace without touching code.
    # None means instance/helplines.yaml when present, else the shipped default.
    "HELPLINES_FILE": None,
    # HTTPS deployment: sends HSTS and marks cookies Secure.
    "HTTPS": False,
    "HSTS_MAX_AGE": 63072000,
    # Optional onion address for the Onion-Location header.
    "ONION_LOCATION": None,
    # Browser caching of reading pages (seconds); static files are immutable for a year.
    "PAGE_MAX_AGE": 300,
    "STATIC_MAX_AGE": 31536000,
    "MAX_CONTENT_LENGTH": 64 * 1024,
}
