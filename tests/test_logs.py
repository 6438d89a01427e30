"""The development server's access log names no client address."""

from __future__ import annotations

import logging
import threading
import urllib.request

import pytest
from werkzeug.serving import make_server

from campaign import create_app
from tests.conftest import TEST_CONFIG


def test_dev_server_access_log_has_no_address(
    caplog: pytest.LogCaptureFixture, site_db: str
) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": site_db})
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        caplog.set_level(logging.INFO, logger="werkzeug")
        url = f"http://127.0.0.1:{server.server_port}/en/"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /en/ HTTP/1.1" 200' in line for line in lines), lines
    assert not any("127.0.0.1" in line for line in lines), lines
