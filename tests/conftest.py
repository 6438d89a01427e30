"""Shared fixtures: the app, its test client and CLI runner (after Flask's flaskr tutorial)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from campaign import create_app

TEST_CONFIG: dict[str, Any] = {"TESTING": True, "SECRET_KEY": "test-secret-key"}


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
