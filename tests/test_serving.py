"""Serving: gunicorn with the repository's configuration, trusted hosts, HTTPS cookies.

The gunicorn tests start the real server (``gunicorn.conf.py``) on a free loopback port.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from campaign import create_app
from campaign.core.config import DEFAULTS
from devtools.server import ROOT, free_port, gunicorn, migrated_sqlite
from tests.conftest import TEST_CONFIG

GOOD_KEY = "serving-test-key-" + "x" * 32


def test_trusted_hosts_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, site_db: str
) -> None:
    monkeypatch.setenv("CAMPAIGN_TRUSTED_HOSTS", '["example.org", "www.example.org"]')
    app = create_app(dict(TEST_CONFIG, DATABASE_URL=site_db))
    assert app.config["TRUSTED_HOSTS"] == ["example.org", "www.example.org"]
    client = app.test_client()
    for host in ("example.org", "www.example.org", "example.org:443"):
        assert client.get("/en/", headers={"Host": host}).status_code == 200
    for path in ("/en/", "/en/help/", "/", "/static/site.css"):
        response = client.get(path, headers={"Host": "attacker.example"})
        assert response.status_code == 400
        assert response.get_data(as_text=True) == "Bad Request: unknown host.\n"
        assert "Set-Cookie" not in response.headers


def test_https_makes_cookies_secure_and_sends_hsts(site_db: str) -> None:
    secure = create_app(dict(TEST_CONFIG, HTTPS=True, DATABASE_URL=site_db)).test_client()
    response = secure.get("/en/help/", base_url="https://example.org")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")

    plain = create_app(dict(TEST_CONFIG, DATABASE_URL=site_db)).test_client().get("/en/help/")
    assert plain.headers["Set-Cookie"].startswith("session=")
    assert "Secure" not in plain.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in plain.headers


def start_gunicorn(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run gunicorn with the repository configuration until it exits (or 30 s)."""
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env={**os.environ, "GUNICORN_BIND": f"127.0.0.1:{free_port()}", **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {"CAMPAIGN_ENV_PRODUCTION": "true", "CAMPAIGN_SECRET_KEY": DEFAULTS["SECRET_KEY"]},
            "Refusing to start in production: SECRET_KEY is the development default",
        ),
        ({"CAMPAIGN_DATABASE_URL": "postgres://u@127.0.0.1/x"}, "not postgres://"),
        ({"CAMPAIGN_DATABASE_URL": "sqlite:///{tmp}/empty.db"}, "has no schema yet"),
    ],
    ids=["secret-key", "database-url", "schema"],
)
def test_gunicorn_refuses_a_bad_configuration_clearly(
    env: dict[str, str], says: str, tmp_path: Path
) -> None:
    env = {"CAMPAIGN_SECRET_KEY": GOOD_KEY, **env}
    env["CAMPAIGN_DATABASE_URL"] = env.get(
        "CAMPAIGN_DATABASE_URL", migrated_sqlite(tmp_path)
    ).replace("{tmp}", str(tmp_path))
    result = start_gunicorn(env)
    assert result.returncode == 1
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert "Booting worker" not in result.stderr  # stopped in the master, before workers


def test_production_database_is_created_then_served(tmp_path: Path) -> None:
    """The checks do not block 'flask db upgrade' on an empty database; then gunicorn starts."""
    env = {
        "CAMPAIGN_ENV_PRODUCTION": "true",
        "CAMPAIGN_SECRET_KEY": GOOD_KEY,
        "CAMPAIGN_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
    }
    upgrade = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    with gunicorn("wsgi:app", 2, env=env, probe="/healthz") as (port, _process):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        assert response.status == 200
        assert response.read() == b'{"database":"ok","status":"ok"}\n'
        conn.close()


def test_gunicorn_logs_no_client_address(tmp_path: Path) -> None:
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    env = {
        "CAMPAIGN_SECRET_KEY": GOOD_KEY,
        "CAMPAIGN_DATABASE_URL": migrated_sqlite(tmp_path),
        "CAMPAIGN_PROXY_HOPS": "1",
        "GUNICORN_ACCESS_LOG": str(access_log),
        "GUNICORN_ERROR_LOG": str(error_log),
    }
    headers = {
        "X-Forwarded-For": "203.0.113.77",
        "User-Agent": "UA-MARKER/1.0",
        "Referer": "https://referrer.example/REF-MARKER",
    }
    with gunicorn("wsgi:app", 1, env=env, probe="/healthz") as (port, _process):
        for path in ("/en/help/?q=QUERY-MARKER", "/en/statements/", "/en/no-such-page"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            conn.close()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"NOT-HTTP AT ALL\r\n\r\n")  # gunicorn rejects it and logs a warning
            sock.recv(4096)
    access = access_log.read_text()
    assert '"GET /en/help/ HTTP/1.1" 200' in access
    assert '"GET /en/no-such-page HTTP/1.1" 404' in access
    for marker in ("127.0.0.1", "203.0.113", "UA-MARKER", "REF-MARKER", "QUERY-MARKER"):
        assert marker not in access
    errors = error_log.read_text()
    invalid = [line for line in errors.splitlines() if "Invalid request" in line]
    assert invalid, errors
    assert not any("127.0.0.1" in line for line in invalid)


def test_rate_limit_failing_open_is_logged_under_gunicorn(tmp_path: Path) -> None:
    """Redis unreachable: the request is stored and gunicorn's log has the warning."""
    from devtools.httpform import SHOWN_ONCE, load_form, post_request

    env = {
        "CAMPAIGN_SECRET_KEY": GOOD_KEY,
        "CAMPAIGN_DATABASE_URL": migrated_sqlite(tmp_path, team=True),
        "CAMPAIGN_MIN_FILL_SECONDS": "0",
        "CAMPAIGN_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0",
    }
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log, gunicorn("wsgi:app", 1, env, "/healthz", log) as (port, _):
        outcome = post_request(port, load_form(port), "Redis is down; this must arrive.")
    assert outcome.status == SHOWN_ONCE and outcome.receipt
    logged = log_path.read_text()
    assert "rate limit storage unavailable; limiting fails open: ConnectionError" in logged
    assert "Traceback" not in logged and "127.0.0.1" not in logged
