"""Configuration defaults.

Order of precedence (later wins): these defaults, ``instance/config.py``, then
``CAMPAIGN_*`` environment variables (``app.config.from_prefixed_env("CAMPAIGN")``),
then the ``test_config`` mapping passed to ``create_app``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Config

PROJECT_ROOT = Path(__file__).resolve().parents[2]

LANGUAGES: tuple[str, ...] = ("be", "ru", "en")

DEFAULTS: dict[str, Any] = {
    # Development-only key; production start-up refuses it (see campaign/core/checks.py).
    "SECRET_KEY": "dev-insecure-change-me",
    # Production (env CAMPAIGN_ENV_PRODUCTION=true): gunicorn refuses to start without a
    # real SECRET_KEY (campaign/core/checks.py).
    "ENV_PRODUCTION": False,
    # Host names the site answers to (Flask's TRUSTED_HOSTS; None: any). Other Host
    # headers get a 400. Env: CAMPAIGN_TRUSTED_HOSTS='["example.org", "www.example.org"]'.
    "TRUSTED_HOSTS": None,
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
    # Staff notifications ("a new request is waiting"), sent by `flask outbox send`.
    "STAFF_BASE_URL": "http://127.0.0.1:5000/staff/",
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 25,
    "MAIL_USE_STARTTLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "noreply@localhost",
    "MAIL_TIMEOUT": 10,
    "MAIL_MAX_ATTEMPTS": 10,
    "MAIL_RETRY_BASE_SECONDS": 60,
    "MAIL_RETRY_MAX_SECONDS": 6 * 3600,
    # Retention (`flask purge`): closed requests after N days, any request after M days.
    "RETENTION_CLOSED_DAYS": 30,
    "RETENTION_MAX_DAYS": 180,
    # Sent or given-up notification mails are deleted this long after (by purge).
    "OUTBOX_KEEP_DAYS": 7,
    # Argon2id cost for receipts (each check and submission pays it once).
    "RECEIPT_ARGON2_TIME_COST": 2,
    "RECEIPT_ARGON2_MEMORY_KIB": 19456,
    # Staff accounts: Argon2id for passwords and for wrapping each member's private key.
    "STAFF_PASSWORD_TIME_COST": 3,
    "STAFF_PASSWORD_MEMORY_KIB": 65536,
    "STAFF_KEY_TIME_COST": 3,
    "STAFF_KEY_MEMORY_KIB": 65536,
    # Staff sessions end after this idle time or this absolute time after login.
    "STAFF_IDLE_MINUTES": 30,
    "STAFF_SESSION_HOURS": 12,
    # Invitation links expire after this many hours; password and 2FA reset links sooner.
    "STAFF_INVITE_HOURS": 48,
    "STAFF_RESET_HOURS": 4,
    # Login throttle per (address tried, client network): after this many failures in a
    # row, tries wait a back-off that starts at STAFF_BACKOFF_SECONDS and doubles with
    # each failure up to STAFF_LOCKOUT_MINUTES. Other networks are never held back, so a
    # stranger's guesses cannot lock a member out.
    "STAFF_LOCKOUT_ATTEMPTS": 5,
    "STAFF_BACKOFF_SECONDS": 30,
    "STAFF_LOCKOUT_MINUTES": 15,
    # Staff passwords must reach this zxcvbn score (0-4).
    "STAFF_PASSWORD_MIN_SCORE": 3,
    "LOGIN_RATE_LIMIT": "20 per hour",
}


def load(config: Config, test_config: Mapping[str, Any] | None = None) -> None:
    """Fill ``config`` in the order above (``config.root_path`` is the instance folder).

    ``create_app`` and the start-up checks (``campaign/core/checks.py``) both use this, so the
    checks see exactly the configuration the workers will run with.
    """
    config.from_mapping(DEFAULTS)
    config.from_pyfile("config.py", silent=True)
    config.from_prefixed_env("CAMPAIGN")
    if test_config is not None:
        config.from_mapping(test_config)
