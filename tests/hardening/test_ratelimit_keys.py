"""Hardening item 13 and the fail-open warning: rate-limit storage reveals nothing.

Bucket names were an HMAC under SECRET_KEY of the client network, followed by the
endpoint: with the key and a Redis dump a /24 came back in a fraction of a second, and the
name said which form was used. Now the key is random, lives only in the limiter's storage
(shared by the workers, created per period with SET NX and an expiry), and every limit has
an opaque label. Against the real Redis at 127.0.0.1:6379.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from campaign import create_app
from campaign.cases.teams import create_team
from campaign.core import migrate
from campaign.core.db import db_session, engine
from devtools.server import free_port
from tests.conftest import TEST_CONFIG
from tests.helpclient import SHOWN_ONCE, HelpClient

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def make_app(directory: Path, **config: Any) -> Flask:
    directory.mkdir(exist_ok=True)
    app = create_app(
        {
            **TEST_CONFIG,
            "DATABASE_URL": f"sqlite:///{directory / 'limit.db'}",
            "SUBMIT_RATE_LIMIT": "2 per hour",
            "CHECK_RATE_LIMIT": "3 per hour",
            **config,
        }
    )
    with app.app_context():
        migrate.upgrade(engine())
        create_team(db_session(), "Hotline", default=True)
    return app


def helper(app: Flask, address: str) -> HelpClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return HelpClient(client, "en")


@pytest.fixture
def redis_client() -> Iterator[Any]:
    redis = pytest.importorskip("redis")
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc}")
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: Any) -> Iterator[str]:
    value = "hardening-" + secrets.token_hex(4)
    yield value
    keys = list(redis_client.scan_iter(f"*{value}*"))
    if keys:
        redis_client.delete(*keys)


def redis_config(prefix: str, **extra: Any) -> dict[str, Any]:
    return {
        "RATELIMIT_STORAGE_URI": f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
        "RATELIMIT_KEY_PREFIX": prefix,
        **extra,
    }


def old_scheme_key(secret_key: str, network: str) -> str:
    """The bucket key as it was: HMAC under a secret derived from SECRET_KEY."""
    secret = hmac.new(secret_key.encode(), b"rate-limit-network-key", hashlib.sha256).digest()
    return hmac.new(secret, network.encode(), hashlib.sha256).hexdigest()[:32]


@pytest.mark.redis
def test_redis_dump_shows_no_network_and_no_form(
    tmp_path: Path, redis_client: Any, prefix: str
) -> None:
    app = make_app(tmp_path / "a", **redis_config(prefix))
    helper(app, "203.0.113.5").submit_ok("first")
    helper(app, "198.51.100.7").check("1111 2222 3333 4444")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    attempt = {"email": "nobody@example.org", "password": "wrong", "code": "123456"}
    client.post("/staff/login", data={"csrf_token": token.group(1), **attempt})

    dump = [key.decode() for key in redis_client.scan_iter(f"*{prefix}*")]
    assert len(dump) >= 4, dump  # three buckets and the period's key
    values = [redis_client.get(key) or b"" for key in dump if redis_client.type(key) == b"string"]
    everything = " ".join(dump) + " " + " ".join(v.decode("latin-1") for v in values)
    for revealing in (
        "203.0.113",
        "198.51.100",
        "192.0.2",
        "help",
        "submit",
        "check",
        "login",
        "staff",
        old_scheme_key(TEST_CONFIG["SECRET_KEY"], "203.0.113.0/24"),
        old_scheme_key(TEST_CONFIG["SECRET_KEY"], "198.51.100.0/24"),
    ):
        assert revealing not in everything, (revealing, dump)
    # The period's key expires: nothing links a bucket to a network once it is gone.
    secret_keys = [key for key in dump if redis_client.type(key) == b"string"]
    assert secret_keys
    assert all(0 < redis_client.ttl(key) <= 3600 + 120 for key in secret_keys)


@pytest.mark.redis
def test_two_workers_share_the_key_and_the_bucket(tmp_path: Path, prefix: str) -> None:
    first = make_app(tmp_path / "a", **redis_config(prefix))
    second = make_app(tmp_path / "b", **redis_config(prefix))
    assert helper(first, "203.0.113.5").submit("one").status_code == SHOWN_ONCE
    assert helper(second, "203.0.113.6").submit("two").status_code == SHOWN_ONCE
    assert helper(first, "203.0.113.7").submit("three").status_code == 429
    assert helper(second, "203.0.113.8").submit("four").status_code == 429
    assert helper(second, "198.51.100.1").submit("other network").status_code == SHOWN_ONCE


@pytest.mark.redis
def test_key_rotates_each_period(tmp_path: Path, redis_client: Any, prefix: str) -> None:
    period = 2
    app = make_app(tmp_path / "a", **redis_config(prefix, RATELIMIT_KEY_ROTATE_SECONDS=period))
    time.sleep(period - time.time() % period + 0.05)  # the start of a period
    for message in ("one", "two"):
        assert helper(app, "203.0.113.5").submit(message).status_code == SHOWN_ONCE
    assert helper(app, "203.0.113.5").submit("three").status_code == 429
    first_keys = {k for k in redis_client.scan_iter(f"*{prefix}*") if b"/" not in k}
    time.sleep(period - time.time() % period + 0.05)  # the next period: a new key, new buckets
    assert helper(app, "203.0.113.5").submit("four").status_code == SHOWN_ONCE
    second_keys = {k for k in redis_client.scan_iter(f"*{prefix}*") if b"/" not in k}
    assert second_keys - first_keys  # a new period key was made
    for key in second_keys:
        assert redis_client.ttl(key) <= period + 120


def test_memory_storage_names_buckets_under_a_random_key(tmp_path: Path) -> None:
    """Memory storage: each process names its buckets under its own random key.

    ``network_key`` (for per-client state outside the limiter: the login throttle) must be
    the same in every worker, so without Redis it is derived from SECRET_KEY and the period,
    never the old, period-less HMAC of the network.
    """
    from campaign.core.ratelimit import network_key

    names: list[set[str]] = []
    clients: list[str] = []
    for name in ("a", "b"):
        app = make_app(tmp_path / name)
        assert helper(app, "203.0.113.9").submit("hello").status_code == SHOWN_ONCE
        storage = app.extensions["campaign_limiter"].storage
        names.append({str(key) for key in storage.storage})
        with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
            clients.append(network_key())
    assert names[0] and names[1] and not names[0] & names[1]  # unrelated keys
    for key in names[0] | names[1]:
        assert "203.0.113" not in key and "help" not in key and "submit" not in key
    assert clients[0] == clients[1]  # two workers agree
    assert old_scheme_key(TEST_CONFIG["SECRET_KEY"], "203.0.113.0/24") not in clients


def test_fail_open_warning_at_most_once_a_minute(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = make_app(tmp_path / "a", RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    for number in range(8):  # far more than the limit: limiting is off, all succeed
        assert helper(app, "203.0.113.5").submit(f"message {number}").status_code == SHOWN_ONCE
    warnings = [r for r in caplog.records if "fails open" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].levelno == logging.WARNING
    assert "Swallowing" not in caplog.text and "Traceback" not in caplog.text
    assert "203.0.113" not in caplog.text
