"""Configuration defaults, the instance folder, and the order settings are read in.

Order of precedence (later wins): these defaults, ``instance/config.py``, then
``CAMPAIGN_*`` environment variables (``app.config.from_prefixed_env("CAMPAIGN")``),
then the ``test_config`` mapping passed to ``create_app``.

The instance folder (``instance/config.py``, the SQLite file, compiled translations) is
``instance/`` in the repository unless ``CAMPAIGN_INSTANCE_PATH`` (or ``INSTANCE_PATH`` in
``test_config``) names another: it must be known before ``config.py`` is read, so it is
not an ordinary setting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Config

PROJECT_ROOT = Path(__file__).resolve().parents[2]

LANGUAGES: tuple[str, ...] = ("be", "ru", "en")

DEFAULTS: dict[str, Any] = {
    # Development-only key: only `flask run` and tests accept it; gunicorn and `flask check`
    # refuse it always (campaign/core/checks.py). `flask init` writes a random one.
    "SECRET_KEY": "dev-insecure-change-me",
    # Older keys (Flask 3.1's setting, oldest first), still accepted after a rotation: for
    # session, CSRF and form-timing signatures, and to decrypt server-held secrets (TOTP
    # seeds) until `flask rotate-secret` has re-encrypted them under SECRET_KEY. A plain
    # string (one key, e.g. from CAMPAIGN_SECRET_KEY_FALLBACKS=old) is read as a list of one.
    "SECRET_KEY_FALLBACKS": [],
    # Production (env CAMPAIGN_ENV_PRODUCTION=true): gunicorn also refuses a SECRET_KEY
    # shorter than 32 characters (campaign/core/checks.py).
    "ENV_PRODUCTION": False,
    # Host names the site answers to (Flask's TRUSTED_HOSTS; None: any). Other Host
    # headers get a 400. Env: CAMPAIGN_TRUSTED_HOSTS='["example.org", "www.example.org"]'.
    "TRUSTED_HOSTS": None,
    "LANGUAGES": LANGUAGES,
    "DEFAULT_LANGUAGE": "be",
    "BABEL_DEFAULT_LOCALE": "be",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Minsk",
    # The staff area's language when neither the member's account nor the browser's
    # Accept-Language names one of LANGUAGES (None: DEFAULT_LANGUAGE). Notification mails to
    # a member who follows the browser use it too.
    "STAFF_DEFAULT_LANGUAGE": None,
    # Where the quick exit sends the visitor: a neutral, common site.
    "QUICK_EXIT_URL": "https://www.google.com/search?q=weather",
    # Help lines: the YAML file of the first import (`flask init` adds lines the database
    # lacks; after that editors keep them in the staff area). None means
    # instance/helplines.yaml when present, else the shipped default.
    "HELPLINES_FILE": None,
    # A help line not confirmed for this many days is shown with a warning and is no longer
    # offered as a call to action (emergency numbers excepted).
    "HELPLINE_STALE_DAYS": 90,
    # The site's public address, e.g. "https://example.org": language alternates become
    # absolute URLs (search engines ignore relative ones). None: relative.
    "PUBLIC_URL": None,
    # Working days within which the organisation answers a request; shown after sending only
    # when the organisation sets it (None: no promise is made).
    "ANSWER_WITHIN_DAYS": None,
    # The staff's own target for a first answer (working days): the inbox marks a request
    # waiting longer as overdue. Never shown to the public; if ANSWER_WITHIN_DAYS is set and
    # sooner, that is the target. None: nothing is marked overdue.
    "RESPONSE_TARGET_DAYS": 2,
    # How often each process reads the content version (seconds): a publish is served by
    # every worker within this time.
    "CONTENT_CHECK_SECONDS": 0.25,
    # HTTPS deployment: sends HSTS and marks cookies Secure.
    "HTTPS": False,
    "HSTS_MAX_AGE": 63072000,
    # Optional onion address for the Onion-Location header.
    "ONION_LOCATION": None,
    # Browser and proxy caching of reading pages (seconds; core/pagecache.py says why a
    # minute); static files are immutable for a year.
    "PAGE_MAX_AGE": 60,
    "STATIC_MAX_AGE": 31536000,
    # Requests larger than this get a 413 page that keeps what could be read.
    "MAX_CONTENT_LENGTH": 256 * 1024,
    # Database: None means SQLite at instance/campaign.db.
    "DATABASE_URL": None,
    # Rate limits (Flask-Limiter syntax) per client group: the onion channel, an IPv4 /24,
    # an IPv6 /56 (and a wider limit per /48); bucket names are HMACs under a random key
    # that rotates (campaign/core/ratelimit.py).
    "RATELIMIT_STORAGE_URI": "memory://",
    "SUBMIT_RATE_LIMIT": "5 per hour",
    "CHECK_RATE_LIMIT": "20 per hour",
    # How client addresses are grouped into one budget (prefix lengths).
    "RATELIMIT_IPV4_PREFIX": 24,
    "RATELIMIT_IPV6_PREFIX": 56,
    # A second, wider limit for IPv6 per /48, so many /56s of one site share a ceiling.
    "RATELIMIT_IPV6_WIDE_PREFIX": 48,
    "SUBMIT_WIDE_RATE_LIMIT": "20 per hour",
    "CHECK_WIDE_RATE_LIMIT": "80 per hour",
    # The random key that names the buckets is replaced this often (seconds); every
    # count starts again at the change. Never derived from SECRET_KEY, never on disk.
    "RATELIMIT_KEY_ROTATE_SECONDS": 3600,
    # The onion channel: its proxy sends the header X-Onion-Channel with this secret
    # (None: no onion channel is recognised; every Tor visitor is then 127.0.0.1). All
    # onion visitors share these budgets, larger than one network's (docs/deploy.md).
    "ONION_CHANNEL_SECRET": None,
    "ONION_SUBMIT_RATE_LIMIT": "50 per hour",
    "ONION_CHECK_RATE_LIMIT": "200 per hour",
    # Number of trusted reverse proxies in front of the app (0: none; see ProxyFix).
    "PROXY_HOPS": 0,
    # A form sent sooner than this after it was shown is asked to be checked and re-sent.
    "MIN_FILL_SECONDS": 3,
    # A person may take a long time to write; the CSRF token lives this long (seconds).
    "WTF_CSRF_TIME_LIMIT": 4 * 3600,
    # The page after sending a request, opening a thread or adding a message is shown once,
    # by a redirect to a one-time URL; if never opened, it expires after this (seconds).
    "VIEW_ONCE_SECONDS": 120,
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
    # The receipt pepper, a secret outside the database mixed into every receipt hash
    # (campaign/core/pepper.py): its text (env CAMPAIGN_RECEIPT_PEPPER, taken as written),
    # else the file RECEIPT_PEPPER_FILE (None: instance/receipt-pepper, made by `flask init`).
    # Back it up with the teams' recovery keys: receipts made under it open only with it.
    "RECEIPT_PEPPER": None,
    "RECEIPT_PEPPER_FILE": None,
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


def instance_path(test_config: Mapping[str, Any] | None = None) -> Path:
    """The instance folder: ``INSTANCE_PATH`` in test_config, env CAMPAIGN_INSTANCE_PATH,
    else ``instance/`` in the repository."""
    chosen = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("CAMPAIGN_INSTANCE_PATH")
    return Path(chosen).resolve() if chosen else PROJECT_ROOT / "instance"


def load(config: Config, test_config: Mapping[str, Any] | None = None) -> None:
    """Fill ``config`` in the order above (``config.root_path`` is the instance folder).

    ``create_app`` and the start-up checks (``campaign/core/checks.py``) both use this, so the
    checks see exactly the configuration the workers will run with.
    """
    config.from_mapping(DEFAULTS)
    config.from_pyfile("config.py", silent=True)
    config.from_prefixed_env("CAMPAIGN")
    if "CAMPAIGN_RECEIPT_PEPPER" in os.environ:  # a secret is text: never parsed as JSON
        config["RECEIPT_PEPPER"] = os.environ["CAMPAIGN_RECEIPT_PEPPER"]
    if test_config is not None:
        config.from_mapping(test_config)
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, str | bytes):  # one key, not its characters as keys
        fallbacks = [fallbacks]
    if isinstance(fallbacks, list | tuple):  # anything else: the start-up checks say so
        config["SECRET_KEY_FALLBACKS"] = list(fallbacks)
        if fallbacks and "WTF_CSRF_SECRET_KEY" not in config:
            # Flask-WTF signs with one key; itsdangerous takes a list, newest last.
            config["WTF_CSRF_SECRET_KEY"] = [*fallbacks, config.get("SECRET_KEY")]
