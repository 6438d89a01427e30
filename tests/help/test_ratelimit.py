"""Rate limits on the help forms: per network, HMAC keys, 429 page keeping text, fail-open."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from campaign import create_app
from campaign.cases.teams import create_team
from campaign.core import migrate
from campaign.core.db import db_session, engine
from campaign.core.ratelimit import network_of
from tests.conftest import TEST_CONFIG, seed_content
from tests.helpclient import SHOWN_ONCE, HelpClient
from tests.pagecheck import find

KEPT = "Please help. LIMIT-MARKER"


def make_app(tmp_path: Any, **config: Any) -> Flask:
    app = create_app(
        {
            **TEST_CONFIG,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'limit.db'}",
            "SUBMIT_RATE_LIMIT": "2 per hour",
            "CHECK_RATE_LIMIT": "3 per hour",
            **config,
        }
    )
    with app.app_context():
        migrate.upgrade(engine())
        create_team(db_session(), "Hotline", default=True)
    return app


def client_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def submit(app: Flask, address: str, message: str = KEPT) -> Any:
    return HelpClient(client_from(app, address), "en").submit(message)


def test_limit_reached_gives_429_page_with_hotline_and_text(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    assert submit(app, "203.0.113.5").status_code == SHOWN_ONCE
    assert submit(app, "203.0.113.5").status_code == SHOWN_ONCE
    response = submit(app, "203.0.113.5")
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many attempts from your network" in html
    assert KEPT in html
    assert find(html, "a", href="tel:112")
    assert response.headers["Retry-After"]
    assert response.headers["Cache-Control"].startswith("no-store")
    assert '<html lang="en">' in html


def test_on_the_limit_page_lines_to_call_come_before_lines_that_may_not_answer(
    tmp_path: Any,
) -> None:
    """Turned away, she is shown where else to turn: first what can be called now (112),
    then what is known of lines that may not answer (the shipped hotline is unconfirmed)."""
    app = make_app(tmp_path, SUBMIT_RATE_LIMIT="1 per hour")
    seed_content(app)  # the shipped help lines, as `flask init` imports them
    assert submit(app, "203.0.113.7").status_code == SHOWN_ONCE
    html = submit(app, "203.0.113.7").get_data(as_text=True)
    listed = html.split('<ul class="helplines">', 1)[1].split("</ul>", 1)[0]
    kinds = re.findall(r'<li class="helpline( helpline--unavailable)?">', listed)
    offered = ["may not answer" if kind else "offered" for kind in kinds]
    assert "may not answer" in offered and offered[0] == "offered", offered
    assert offered == sorted(offered, key=lambda kind: kind != "offered"), offered


def test_limit_is_per_network(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    for _ in range(2):
        assert submit(app, "198.51.100.10").status_code == SHOWN_ONCE
    assert submit(app, "198.51.100.200").status_code == 429  # same /24
    assert submit(app, "198.51.101.10").status_code == SHOWN_ONCE  # another /24
    for _ in range(2):
        assert submit(app, "2001:db8:1:2::1").status_code == SHOWN_ONCE
    assert submit(app, "2001:db8:1:3:ffff::9").status_code == 429  # same /56
    assert submit(app, "2001:db8:1:100::1").status_code == SHOWN_ONCE  # another /56


def test_form_errors_do_not_use_up_the_limit(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    for _ in range(4):
        assert submit(app, "192.0.2.1", message="").status_code == 400
    assert submit(app, "192.0.2.1").status_code == SHOWN_ONCE


def test_receipt_checks_are_limited_and_wrong_receipts_count(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    person = HelpClient(client_from(app, "192.0.2.50"), "en")
    receipt = person.submit_ok("mine")
    for _ in range(3):
        assert person.check("1111 2222 3333 4444").status_code == 404
    response = person.check(receipt)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    # Never a receipt on this page: a Reload within the hour would show it again.
    assert receipt not in html and receipt.replace(" ", "") not in html
    other = HelpClient(client_from(app, "192.0.3.50"), "en")
    assert other.check(receipt).status_code == SHOWN_ONCE


def test_network_key_is_a_keyed_hash(tmp_path: Any) -> None:
    app = make_app(tmp_path)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        from campaign.core.ratelimit import network_key

        key = network_key()
    assert "203.0.113" not in key and len(key) == 32
    other = create_app({**TEST_CONFIG, "SECRET_KEY": "another-secret"})
    with other.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        assert network_key() != key
    assert network_of("203.0.113.9") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1::/56"
    assert network_of("2001:db8:1:2:3:4:5:6", v6_prefix=64) == "2001:db8:1:2::/64"
    assert network_of("::ffff:203.0.113.9") == "203.0.113.0/24"
    assert network_of("garbage") == "unknown"


def test_proxy_hops_take_the_forwarded_address(tmp_path: Any) -> None:
    app = make_app(tmp_path, PROXY_HOPS=1)
    proxy = "127.0.0.1"

    def via_proxy(forwarded: str) -> Any:
        client = client_from(app, proxy)
        person = HelpClient(client, "en")
        tokens = person.form_tokens()
        from tests.helpclient import DEFAULT_FORM

        return client.post(
            "/en/help/",
            data={**DEFAULT_FORM, **tokens, "message": KEPT},
            headers={"X-Forwarded-For": forwarded},
        )

    assert via_proxy("203.0.113.1").status_code == 303
    assert via_proxy("203.0.113.2").status_code == 303
    assert via_proxy("203.0.113.3").status_code == 429
    assert via_proxy("198.51.100.1").status_code == 303


def test_unreachable_redis_fails_open_with_a_warning(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    app = make_app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    for _ in range(4):  # more than the limit: limiting is off, submissions succeed
        assert submit(app, "203.0.113.5").status_code == SHOWN_ONCE
    warnings = [r for r in caplog.records if "fails open" in r.getMessage()]
    assert warnings and all(r.levelno == logging.WARNING for r in warnings)
    assert "203.0.113" not in caplog.text


@pytest.mark.redis
def test_limit_through_redis_holds_across_app_instances(tmp_path: Any, redis_url: str) -> None:
    import redis

    prefix = "campaign-test-" + secrets.token_hex(4)
    config = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix}
    first = make_app(tmp_path / "a", **config) if (tmp_path / "a").mkdir() is None else None
    second = make_app(tmp_path / "b", **config) if (tmp_path / "b").mkdir() is None else None
    assert first is not None and second is not None
    # Two apps stand for two workers: the limit is shared, not doubled.
    assert submit(first, "203.0.113.5").status_code == SHOWN_ONCE
    assert submit(second, "203.0.113.6").status_code == SHOWN_ONCE
    assert submit(first, "203.0.113.7").status_code == 429
    assert submit(second, "203.0.113.8").status_code == 429
    client = redis.Redis.from_url(redis_url)
    try:
        keys = [k.decode() for k in client.scan_iter(f"*{prefix}*")]
        assert keys
        assert not any("203.0.113" in k for k in keys)
        client.delete(*keys)
    finally:
        client.close()
