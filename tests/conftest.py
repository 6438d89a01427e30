"""Shared fixtures: the app, its test client and CLI runner (after Flask's flaskr tutorial),
an app on a fresh migrated database, one app per worker for tests that only read pages,
and this worker's Redis.

The suite runs in parallel (pytest-xdist, see pyproject.toml); what each worker owns, so
that workers never meet in PostgreSQL or Redis, is in ``tests/workers.py``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine

from campaign import create_app
from campaign.cases.teams import create_team
from campaign.content import importer
from campaign.core import migrate
from campaign.core.db import db_session, engine
from tests import workers
from tests.databases import postgres_schema
from tests.pgreset import SchemaReset

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "MIN_FILL_SECONDS": 0,
    # Cheaper Argon2id for staff passwords and key wrapping in tests (production: 3 / 64 MiB).
    "STAFF_PASSWORD_TIME_COST": 1,
    "STAFF_PASSWORD_MEMORY_KIB": 8192,
    "STAFF_KEY_TIME_COST": 1,
    "STAFF_KEY_MEMORY_KIB": 8192,
    # and for receipts (production: 2 / 19 MiB)
    "RECEIPT_ARGON2_TIME_COST": 1,
    "RECEIPT_ARGON2_MEMORY_KIB": 8192,
    # Staff pages in English unless a test chooses (a member's language, Accept-Language).
    "STAFF_DEFAULT_LANGUAGE": "en",
}


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (pyproject.toml): one worker per CPU. Each worker that runs browser tests
    has its own Chromium; on the 2-core machine a third worker made the suite slower, not
    faster (2026-11-29, same tree: 2 workers 292 s and 524 CPU-seconds, 3 workers 330-348 s
    and 667), as three Chromiums fought over two cores; again on 2026-11-29 (5f8aec4's
    tree: 2 workers 348 s, 3 workers 383 s, and 386 s with the browser tests held to two
    of the three workers). ``PYTEST_XDIST_AUTO_NUM_WORKERS`` decides if set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist's own hook reads it
    if hasattr(os, "sched_getaffinity"):  # the CPUs this process may use (Linux)
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="also write the screenshots of the main pages to screenshots/ (for people to"
        " look at; the tests marked 'screenshots' are skipped without this option)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Screenshots are for people, who ask for them (``--screenshots``); a run that nobody
    looks at spends no Chromium time on them."""
    if config.getoption("--screenshots"):
        return
    skip = pytest.mark.skip(
        reason="screenshots only when asked: pytest --screenshots -m screenshots"
    )
    for item in items:
        if item.get_closest_marker("screenshots") is not None:
            item.add_marker(skip)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Per-test overrides; a test or fixture may update this before ``app`` is built."""
    return dict(TEST_CONFIG)


def seed_content(app: Flask) -> None:
    """The shipped pages, statements and help lines, as ``flask init`` imports them."""
    with app.app_context():
        root, helplines_file = importer.first_import_sources(app)
        importer.seed(db_session(), root, helplines_file, app.config["LANGUAGES"])
        db_session().close()
        engine().dispose()


def sqlite_copy(template: Path, target: Path) -> str:
    """A private copy of the migrated, seeded template; its URL."""
    shutil.copyfile(template, target)
    target.chmod(0o600)
    return f"sqlite:///{target}"


@pytest.fixture
def site_db(migrated_sqlite_template: Path, tmp_path: Path) -> str:
    """The URL of a fresh copy of the migrated SQLite template, content in it: for tests
    that build their own apps."""
    return sqlite_copy(migrated_sqlite_template, tmp_path / "site.db")


@pytest.fixture
def app(
    app_config: dict[str, Any], migrated_sqlite_template: Path, tmp_path: Path
) -> Iterator[Flask]:
    """An app of the test configuration on its own copy of the migrated SQLite template
    (the shipped content in it), unless the test configures a database."""
    config = dict(app_config)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = sqlite_copy(migrated_sqlite_template, tmp_path / "app.db")
    app = create_app(config)
    yield app
    with app.app_context():
        engine().dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def read_only_app(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Flask:
    """One app with the test configuration for the whole session (of this worker), for
    tests that only read public pages and headers: they change no configuration, add no
    route and write to no database, so building an app per test buys nothing."""
    target = tmp_path_factory.mktemp("read-only") / "campaign.db"
    url = sqlite_copy(migrated_sqlite_template, target)
    return create_app({**TEST_CONFIG, "DATABASE_URL": url})


@pytest.fixture
def read_only_client(read_only_app: Flask) -> FlaskClient:
    """A client of ``read_only_app`` with its own, empty cookie jar."""
    return read_only_app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file upgraded by the migrations once per worker, with the shipped content
    imported as ``flask init`` does (nothing in either is random), for ``db_app`` and
    ``app`` to copy."""
    template = tmp_path_factory.mktemp("template") / "campaign.db"
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{template}"})
    with app.app_context():
        migrate.upgrade(engine())
    seed_content(app)
    with app.app_context():
        with engine().connect() as connection:  # everything into the main file
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine().dispose()
    return template


@pytest.fixture(scope="session")
def migrated_postgres_schema() -> Iterator[SchemaReset]:
    """A schema of this worker upgraded by the migrations once, for every PostgreSQL
    ``db_app`` of the worker in turn; ``db_app`` empties it before each test
    (``tests.pgreset``)."""
    with postgres_schema() as url:
        made = create_engine(url)
        try:
            migrate.upgrade(made)
        finally:
            made.dispose()
        yield SchemaReset(url)


@pytest.fixture
def db_app(
    db_kind: str, app_config: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """An app on a fresh, migrated database with the shipped content, as ``flask init``
    leaves it: a copy of ``migrated_sqlite_template`` (0600, as the app makes its own), or
    ``migrated_postgres_schema`` emptied back to that state (ids restarted). Both were made
    by the migrations, as production's are."""
    if db_kind == "sqlite":
        template: Path = request.getfixturevalue("migrated_sqlite_template")
        url = sqlite_copy(template, tmp_path / "campaign.db")
        app = create_app({**app_config, "DATABASE_URL": url})
    else:
        schema: SchemaReset = request.getfixturevalue("migrated_postgres_schema")
        config = {**app_config, "DATABASE_URL": schema.url}
        schema.reset(lambda: seed_content(create_app(config)))
        app = create_app(config)
    yield app
    with app.app_context():
        engine().dispose()


@pytest.fixture
def team_key(db_app: Flask) -> str:
    """Create the default team; returns its recovery key."""
    with db_app.app_context():
        _team, recovery_key = create_team(db_session(), "Hotline", default=True)
    return recovery_key


@pytest.fixture
def db_client(db_app: Flask, team_key: str) -> FlaskClient:
    return db_app.test_client()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """This worker's Redis database at 127.0.0.1:6379 (``tests.workers``); skips the test,
    with the reason, when Redis does not answer. Tests key what they store with a prefix
    of their own and delete it; no database is flushed."""
    redis = pytest.importorskip("redis")
    url = workers.redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis not reachable at {workers.REDIS_HOST}:{workers.REDIS_PORT}: {exc}")
    finally:
        client.close()
    return url
