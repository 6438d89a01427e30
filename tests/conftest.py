"""Shared fixtures: the app, its test client and CLI runner (after Flask's flaskr tutorial)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from campaign import create_app
from campaign.cases.teams import create_team
from campaign.core import migrate
from campaign.core.db import db_session, engine
from tests.databases import database_url

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "MIN_FILL_SECONDS": 0,
    # Cheaper Argon2id for staff passwords and key wrapping in tests (production: 3 / 64 MiB).
    "STAFF_PASSWORD_TIME_COST": 1,
    "STAFF_PASSWORD_MEMORY_KIB": 8192,
    "STAFF_KEY_TIME_COST": 1,
    "STAFF_KEY_MEMORY_KIB": 8192,
}


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Per-test overrides; a test or fixture may update this before ``app`` is built."""
    return dict(TEST_CONFIG)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    yield create_app(app_config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def db_app(db_kind: str, app_config: dict[str, Any], tmp_path: Any) -> Iterator[Flask]:
    """An app on a fresh, migrated database (SQLite file or PostgreSQL schema)."""
    with database_url(db_kind, tmp_path) as url:
        app = create_app({**app_config, "DATABASE_URL": url})
        with app.app_context():
            migrate.upgrade(engine())
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
