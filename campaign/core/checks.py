"""Start-up checks: refuse to serve with a configuration that cannot work or is unsafe.

What is checked, each problem giving one plain paragraph for the operator (never a
traceback):

- a real ``SECRET_KEY``: never missing or the development default (whether or not
  ``ENV_PRODUCTION`` is set: only the development server, ``flask run``, and tests accept
  that key, because they never run these checks), and in production (``ENV_PRODUCTION``,
  env ``CAMPAIGN_ENV_PRODUCTION=true``) at least 32 characters;
- ``SECRET_KEY_FALLBACKS`` (older keys still accepted after a rotation) is a list of keys,
  none of them the development default (a known key accepted for signatures would let
  anyone forge a session), each at least 32 characters in production;
- ``ONION_CHANNEL_SECRET``, if set, is at least 16 characters (it alone tells the onion
  channel, with its larger rate-limit budget, from everyone else);
- the rate-limit prefix lengths are whole numbers that fit IPv4 and IPv6, and the wide
  IPv6 prefix is not longer than the narrow one (else every limit would fail open);
- ``TRUSTED_HOSTS``, if set, is a list of host names (a shell or systemd that ate the
  quotes of the JSON list leaves a plain string, which would match single characters);
- the database URL: parseable, a supported driver that is installed (SQLite or
  PostgreSQL through psycopg 3);
- the database answers, and its schema is at the newest migration;
- the receipt pepper (``core/pepper.py``): if it is configured it must be usable, and if
  stored receipts were made with it, it must be there and be the same one (its
  fingerprint in the database), or every such receipt would be "not found".

Where they run: in gunicorn's master, once, before any worker starts (the ``on_starting``
hook in ``gunicorn.conf.py``), so a bad configuration stops gunicorn with the message
instead of workers failing one after another. They do not run when ``wsgi.py`` is
imported, so ``flask --app wsgi init`` and ``flask --app wsgi db upgrade`` work on an
empty database and ``flask --app wsgi check`` can show the problems before a restart.
The checks read the configuration exactly as ``create_app`` does (``config.load``) and
open their own short-lived connection, closed before gunicorn forks its workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from campaign.core import config as default_config
from campaign.core import files, migrate
from campaign.core import pepper as receipt_pepper

MIN_SECRET_KEY_LENGTH = 32
MIN_ONION_SECRET_LENGTH = 16
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
CONNECT_TIMEOUT_SECONDS = 5
NEW_KEY_HINT = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


class StartupError(RuntimeError):
    """The configuration cannot be served; the message says why and what to do."""


def load_config(test_config: Mapping[str, Any] | None = None) -> Config:
    """The configuration ``create_app`` would build, without building the app."""
    config = Config(str(default_config.instance_path(test_config)))
    default_config.load(config, test_config)
    return config


def database_url(config: Mapping[str, Any]) -> str:
    """As ``campaign.core.db.database_url``, from the configuration alone."""
    url = config.get("DATABASE_URL")
    instance = default_config.instance_path(config)
    return str(url) if url else "sqlite:///" + str(instance / "campaign.db")


def secret_key_problem(config: Mapping[str, Any]) -> str | None:
    """A missing or development SECRET_KEY is refused always; a short one in production."""
    production = bool(config.get("ENV_PRODUCTION"))
    key = config.get("SECRET_KEY")
    if not key:
        what = "no SECRET_KEY is set"
    elif key == default_config.DEFAULTS["SECRET_KEY"]:
        what = "SECRET_KEY is the development default from campaign/core/config.py"
    elif production and len(str(key)) < MIN_SECRET_KEY_LENGTH:
        what = f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    else:
        return None
    where = " in production" if production else ""
    return (
        f"Refusing to start{where}: {what}. It signs the form and staff sessions and "
        "encrypts the staff TOTP seeds, so it must be long, random, secret, and the same "
        "for every worker and host (only 'flask run' accepts the development key). Set it "
        "in instance/config.py (SECRET_KEY = '...') or in the environment variable "
        f"CAMPAIGN_SECRET_KEY, for example to the output of {NEW_KEY_HINT}; "
        "'flask --app wsgi init' adds one to instance/config.py when none is set."
    )


def secret_key_fallbacks_problem(config: Mapping[str, Any]) -> str | None:
    """Older keys must be a list of real keys: a known one would let anyone sign."""
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    if not isinstance(fallbacks, list | tuple) or not all(
        isinstance(key, str) and key for key in fallbacks
    ):
        what = f"SECRET_KEY_FALLBACKS must be a list of keys, not {fallbacks!r}"
    elif default_config.DEFAULTS["SECRET_KEY"] in fallbacks:
        what = (
            "SECRET_KEY_FALLBACKS holds the development key, which anyone can use to forge "
            "a signed session. If the site ran with it, run 'flask --app wsgi "
            "rotate-secret' now (it re-encrypts what that key protected), then remove it"
        )
    elif config.get("ENV_PRODUCTION") and any(
        len(key) < MIN_SECRET_KEY_LENGTH for key in fallbacks
    ):
        what = f"a key in SECRET_KEY_FALLBACKS is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    else:
        return None
    return (
        f"Refusing to start: {what}. SECRET_KEY_FALLBACKS lists the keys used before the "
        "current SECRET_KEY, oldest first, e.g. SECRET_KEY_FALLBACKS = ['old key'] in "
        "instance/config.py or CAMPAIGN_SECRET_KEY_FALLBACKS='[\"old key\"]'; see "
        "'Rotating SECRET_KEY' in docs/deploy.md."
    )


def prefixes_problem(config: Mapping[str, Any]) -> str | None:
    v4, v6, wide = (
        config.get(name)
        for name in (
            "RATELIMIT_IPV4_PREFIX",
            "RATELIMIT_IPV6_PREFIX",
            "RATELIMIT_IPV6_WIDE_PREFIX",
        )
    )
    if (
        isinstance(v4, int)
        and isinstance(v6, int)
        and isinstance(wide, int)
        and 0 <= v4 <= 32
        and 0 <= wide <= v6 <= 128
    ):
        return None
    return (
        "RATELIMIT_IPV4_PREFIX must be a whole number from 0 to 32, and "
        "RATELIMIT_IPV6_WIDE_PREFIX and RATELIMIT_IPV6_PREFIX from 0 to 128 with the wide "
        f"one not longer (now {v4!r}, {wide!r}, {v6!r}; defaults 24, 48, 56)."
    )


def onion_secret_problem(config: Mapping[str, Any]) -> str | None:
    secret = config.get("ONION_CHANNEL_SECRET")
    if secret is None or (isinstance(secret, str) and len(secret) >= MIN_ONION_SECRET_LENGTH):
        return None
    return (
        f"ONION_CHANNEL_SECRET must be at least {MIN_ONION_SECRET_LENGTH} random characters "
        "(or unset): whoever can send it gets the onion channel's rate-limit budget. Use "
        f"the output of {NEW_KEY_HINT}, and the same value in the onion proxy's "
        "X-Onion-Channel header (docs/deploy.md, section 10)."
    )


def trusted_hosts_problem(config: Mapping[str, Any]) -> str | None:
    hosts = config.get("TRUSTED_HOSTS")
    if hosts is None or (
        isinstance(hosts, list | tuple) and hosts and all(isinstance(h, str) for h in hosts)
    ):
        return None
    return (
        f"TRUSTED_HOSTS must be a non-empty list of host names, not {hosts!r}. In "
        "instance/config.py write TRUSTED_HOSTS = ['example.org']; in the environment, "
        "CAMPAIGN_TRUSTED_HOSTS='[\"example.org\"]' (a JSON list: in a systemd "
        "EnvironmentFile, keep the single quotes around it)."
    )


def _describe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def parse_database_url(raw: str) -> tuple[URL | None, str | None]:
    """The parsed URL, or the problem with it (unparseable, unsupported or no driver)."""
    try:
        url = make_url(raw)
    except ArgumentError:
        return None, (
            "The database URL (DATABASE_URL, env CAMPAIGN_DATABASE_URL) cannot be parsed. "
            "Use sqlite:////absolute/path/campaign.db or "
            "postgresql+psycopg://user:password@host:5432/database (percent-encode special "
            "characters in the password)."
        )
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        hint = " (write postgresql+psycopg://, not postgres://)" if backend == "postgres" else ""
        return None, (
            f"The database URL {_describe(url)} names the database type {backend!r}, which "
            f"this site does not support{hint}. Use sqlite:///path/campaign.db or "
            "postgresql+psycopg://user:password@host:5432/database."
        )
    try:
        url.get_dialect()
        create_engine(url, poolclass=NullPool).dispose()
    except (NoSuchModuleError, ImportError):
        return None, (
            f"The database URL {_describe(url)} names a driver that is not installed. "
            "Use postgresql+psycopg://... for PostgreSQL (psycopg 3 is in requirements.txt) "
            "or sqlite:///... for SQLite."
        )
    return url, None


def _engine(url: URL) -> Engine:
    files.prepare_sqlite_file(url.render_as_string(hide_password=False))
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


def schema_problem(engine: Engine) -> str | None:
    """The database must answer and be at the newest migration."""
    where = _describe(engine.url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = migrate.current_revision(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()
        return (
            f"The database at {where} does not answer ({reason[0] if reason else '?'}). "
            "Check that the server is running and reachable, and the user, password and "
            "database name in DATABASE_URL (env CAMPAIGN_DATABASE_URL); for SQLite, that "
            "the folder exists and is writable by the service user."
        )
    head = migrate.head_revision()
    if current == head:
        return None
    if current is None:
        state = "has no schema yet"
        action = "Run 'flask --app wsgi init' (or 'flask --app wsgi db upgrade')"
    elif _known_revision(current):
        state = f"is at migration {current}, behind the newest, {head}"
        action = "Back up the database, then run 'flask --app wsgi db upgrade'"
    else:
        state = f"is at migration {current}, which this version of the code does not know"
        action = "Deploy the code that made it (it is newer), or restore a matching backup"
    return (
        f"The database at {where} {state}. {action} with the same configuration, then start "
        "again. (The site never changes the schema by itself at start-up.)"
    )


def _known_revision(revision: str) -> bool:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def receipt_pepper_problem(config: Mapping[str, Any], engine: Engine) -> str | None:
    """Receipts made with the pepper need it: present, usable, and the same one."""
    try:
        with engine.connect() as connection:
            peppered = connection.execute(
                text("SELECT 1 FROM help_request WHERE receipt_scheme IN (1, 2) LIMIT 1")
            ).first()
            stored = connection.execute(
                text("SELECT value FROM installation_secret WHERE name = :name"),
                {"name": receipt_pepper.FINGERPRINT_NAME},
            ).scalar()
    except SQLAlchemyError:
        return None  # the schema check has said what is wrong with the database
    try:
        key = receipt_pepper.load(config)
    except receipt_pepper.PepperError as exc:
        return str(exc)
    if peppered is None:
        return None
    where = receipt_pepper.location(config)
    if key is None:
        return receipt_pepper.missing_message(where)
    if stored is not None and bytes(stored) != receipt_pepper.fingerprint(key):
        return receipt_pepper.mismatch_message(where)
    return None


def problems(config: Mapping[str, Any]) -> list[str]:
    """Every problem found, as paragraphs; an empty list means the site may start."""
    found: list[str] = []
    for problem in (
        secret_key_problem(config),
        secret_key_fallbacks_problem(config),
        onion_secret_problem(config),
        prefixes_problem(config),
        trusted_hosts_problem(config),
    ):
        if problem:
            found.append(problem)
    url, url_problem = parse_database_url(database_url(config))
    if url_problem:
        found.append(url_problem)
    elif url is not None:
        engine = _engine(url)
        try:
            schema = schema_problem(engine)
            pepper_problem = None if schema else receipt_pepper_problem(config, engine)
        finally:
            engine.dispose()
        if schema:
            found.append(schema)
        if pepper_problem:
            found.append(pepper_problem)
    return found


def run(test_config: Mapping[str, Any] | None = None) -> None:
    """Raise ``StartupError`` with every problem, one paragraph each."""
    found = problems(load_config(test_config))
    if found:
        raise StartupError("\n\n".join(found))
