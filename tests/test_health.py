"""/healthz: 200 when the database answers, 503 when not; no secrets, no cookie, no cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from campaign import create_app
from devtools.server import free_port
from tests.conftest import TEST_CONFIG


def assert_private_and_bare(response: TestResponse, *secrets: str) -> None:
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    body = response.get_data(as_text=True)
    for secret in (TEST_CONFIG["SECRET_KEY"], *secrets):
        assert secret not in body
    assert set(response.get_json()) == {"status", "database"}


def test_healthy_database(db_client: FlaskClient) -> None:
    response = db_client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert_private_and_bare(response)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_database_down_gives_503(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'missing-folder' / 'campaign.db'}"
    else:  # a PostgreSQL URL where nothing listens
        url = f"postgresql+psycopg://healthuser:pw-SECRET@127.0.0.1:{free_port()}/campaign"
    client = create_app({**TEST_CONFIG, "DATABASE_URL": url}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert_private_and_bare(response, "pw-SECRET", "healthuser", "missing-folder")
    assert "database unreachable (OperationalError)" in caplog.text
    assert "pw-SECRET" not in caplog.text


def test_healthz_obeys_trusted_hosts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'campaign.db'}"
    client = create_app(
        {**TEST_CONFIG, "DATABASE_URL": url, "TRUSTED_HOSTS": ["example.org"]}
    ).test_client()
    assert client.get("/healthz", headers={"Host": "example.org"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 400
