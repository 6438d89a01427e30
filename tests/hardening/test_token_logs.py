"""Invitation links never reach an access log: gunicorn (the repository's configuration,
really started, writing its access log to a file) and the development server log
``/staff/invite/[redacted]`` instead of the token."""

from __future__ import annotations

import http.client
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from campaign import create_app
from devtools.server import gunicorn, migrated_sqlite
from tests.conftest import TEST_CONFIG


def token() -> str:
    return "TOKEN" + secrets.token_urlsafe(24)


def request(port: int, method: str, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=b"" if method == "POST" else None)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_gunicorn_access_log_redacts_invitation_tokens(tmp_path: Path) -> None:
    access_log = tmp_path / "access.log"
    env = {
        "CAMPAIGN_DATABASE_URL": migrated_sqlite(tmp_path),
        "CAMPAIGN_SECRET_KEY": "token-log-test-" + secrets.token_hex(16),
        "GUNICORN_ACCESS_LOG": str(access_log),
    }
    tokens = [token() for _ in range(3)]
    with gunicorn("wsgi:app", 1, env=env, probe="/healthz") as (port, _process):
        assert request(port, "GET", f"/staff/invite/{tokens[0]}") == 404
        assert request(port, "POST", f"/staff/invite/{tokens[1]}") in (400, 404)
        assert request(port, "GET", f"/staff//invite/{tokens[2]}?x=1") in (308, 404)
        assert request(port, "GET", "/en/") == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "/en/ " not in _read(access_log):
            time.sleep(0.1)
    log = _read(access_log)
    assert '"GET /en/ HTTP/1.1" 200' in log, log
    assert log.count("/invite/[redacted]") == 3, log
    for value in tokens:
        assert value not in log
        assert value[:12] not in log


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_dev_server_log_redacts_invitation_tokens(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(TEST_CONFIG)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    value = token()
    try:
        caplog.set_level(logging.INFO, logger="werkzeug")
        url = f"http://127.0.0.1:{server.server_port}/staff/invite/{value}"
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url, timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/staff/invite/[redacted]" in line for line in lines), lines
    assert not any(value in line for line in lines), lines


def test_redaction_keeps_other_paths() -> None:
    from campaign.core.logs import redact_tokens

    assert redact_tokens("/staff/invite/abc-DEF_1") == "/staff/invite/[redacted]"
    assert (
        redact_tokens("GET /staff/invite/abc?x HTTP/1.1")
        == "GET /staff/invite/[redacted]?x HTTP/1.1"
    )
    assert redact_tokens("/staff/inbox") == "/staff/inbox"
    assert redact_tokens("/en/help/") == "/en/help/"
