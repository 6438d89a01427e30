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
    # Requests larger than this get a 413 page that keeps what could be read.
    "MAX_CONTENT_LENGTH": 256 * 1024,
    # Database: None means SQLite at instance/campaign.db.
    "DATABASE_URL": None,
    # Rate limits (Flask-Limiter syntax), keyed by an HMAC of the client network.
    "RATELIMIT_STORAGE_URI": "memory://",
    "SUBMIT_RATE_LIMIT": "5 per hour",
    "CHECK_RATE_LIMIT": "20 per hour",
    # Number of trusted reverse proxies in front of the app (0: none; see ProxyFix).
    "PROXY_HOPS": 0,
    # A form sent sooner than this after it was shown is asked to be checked and re-sent.
    "MIN_FILL_SECONDS": 3,
    # A person may take a long time to write; the CSRF token lives this long (seconds).
    "WTF_CSRF_TIME_LIMIT": 4 * 3600,
    # Argon2id cost for receipts (each check and submission pays it once).
    "RECEIPT_ARGON2_TIME_COST": 2,
    "RECEIPT_ARGON2_MEMORY_KIB": 19456,
}
