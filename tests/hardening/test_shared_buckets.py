"""Hardening item 19: people who share an address must not share one small budget.

- Behind the onion service every visitor arrives as 127.0.0.1: the onion channel, known by
  the secret header its proxy sets (``ONION_CHANNEL_SECRET``), gets its own larger budget.
- IPv6 is grouped per /56 (``RATELIMIT_IPV6_PREFIX``), with a second, wider limit per /48
  (``RATELIMIT_IPV6_WIDE_PREFIX``, ``SUBMIT_WIDE_RATE_LIMIT``), so eight /64s of one site
  no longer get eight budgets.
- Whatever limit is reached, the 429 page keeps what the person typed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from campaign.core import checks
from tests.conftest import TEST_CONFIG
from tests.hardening.test_ratelimit_keys import make_app
from tests.helpclient import SHOWN_ONCE, HelpClient, csrf_token

ONION = "onion-proxy-secret-" + "s" * 24
KEPT = "Please read this. KEPT-MARKER"


def person(app: Flask, address: str, headers: dict[str, str] | None = None) -> HelpClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    for name, value in (headers or {}).items():
        client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
    return HelpClient(client, "en")


def via_onion(app: Flask) -> HelpClient:
    return person(app, "127.0.0.1", {"X-Onion-Channel": ONION})


def assert_limited_keeping_text(response: Any) -> None:
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "KEPT-MARKER" in html
    assert response.headers["Retry-After"]


def test_onion_channel_has_its_own_larger_budget(tmp_path: Path) -> None:
    app = make_app(
        tmp_path / "a",
        ONION_CHANNEL_SECRET=ONION,
        ONION_SUBMIT_RATE_LIMIT="4 per hour",
        ONION_CHECK_RATE_LIMIT="5 per hour",
    )
    for number in range(4):  # more than SUBMIT_RATE_LIMIT (2): one visitor after another
        assert via_onion(app).submit(f"onion {number}").status_code == SHOWN_ONCE
    assert_limited_keeping_text(via_onion(app).submit(KEPT))
    # Local requests without the header (or with a wrong one) are not the onion channel.
    assert person(app, "127.0.0.1").submit("local").status_code == SHOWN_ONCE
    forged = person(app, "127.0.0.1", {"X-Onion-Channel": "guess"})
    assert forged.submit("forged").status_code == SHOWN_ONCE
    assert forged.submit("forged again").status_code == 429  # the 127.0.0.0/24 budget of 2
    # Receipt checks: the onion budget, not the per-network one.
    for _ in range(5):
        assert via_onion(app).check("1111 2222 3333 4444").status_code == 404
    assert via_onion(app).check("1111 2222 3333 4444").status_code == 429


def test_onion_header_means_nothing_without_a_configured_secret(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a", ONION_SUBMIT_RATE_LIMIT="50 per hour")
    unconfigured = person(app, "127.0.0.1", {"X-Onion-Channel": ""})
    assert unconfigured.submit("one").status_code == SHOWN_ONCE
    assert unconfigured.submit("two").status_code == SHOWN_ONCE
    assert unconfigured.submit("three").status_code == 429


def test_ipv6_is_grouped_per_56_with_a_wider_limit_per_48(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a", SUBMIT_WIDE_RATE_LIMIT="3 per hour")
    # Two /64s of one /56 share its budget of 2.
    assert person(app, "2001:db8:1:1::1").submit("a").status_code == SHOWN_ONCE
    assert person(app, "2001:db8:1:2::1").submit("b").status_code == SHOWN_ONCE
    assert_limited_keeping_text(person(app, "2001:db8:1:3::1").submit(KEPT))
    # Another /56 of the same /48: its own budget, until the /48 has sent 3.
    assert person(app, "2001:db8:1:100::1").submit("c").status_code == SHOWN_ONCE
    assert_limited_keeping_text(person(app, "2001:db8:1:200::1").submit(KEPT))
    # Another /48 is not held back.
    assert person(app, "2001:db8:2:1::1").submit("d").status_code == SHOWN_ONCE
    # IPv4 is not affected by the IPv6 wide limit.
    for number in range(2):
        assert person(app, f"198.51.{number}.1").submit("v4").status_code == SHOWN_ONCE


def test_ipv6_prefixes_are_configurable(tmp_path: Path) -> None:
    app = make_app(
        tmp_path / "a",
        RATELIMIT_IPV6_PREFIX=64,
        RATELIMIT_IPV6_WIDE_PREFIX=56,
        SUBMIT_WIDE_RATE_LIMIT="3 per hour",
    )
    for number in range(3):  # three /64s of one /56: each within its own budget of 2
        assert person(app, f"2001:db8:1:{number}::1").submit("x").status_code == SHOWN_ONCE
    assert person(app, "2001:db8:1:9::1").submit("y").status_code == 429  # the /56 has had 3
    assert person(app, "2001:db8:1:100::1").submit("z").status_code == SHOWN_ONCE


def test_follow_up_text_kept_on_the_wide_limit(tmp_path: Path) -> None:
    """The check form's 429 keeps the receipt and the message too (shared check limit)."""
    app = make_app(
        tmp_path / "a", CHECK_RATE_LIMIT="2 per hour", CHECK_WIDE_RATE_LIMIT="3 per hour"
    )
    for address in ("2001:db8:5:1::1", "2001:db8:5:1::2", "2001:db8:5:100::1"):
        assert person(app, address).check("1111 2222 3333 4444").status_code == 404
    client = person(app, "2001:db8:5:200::1").client
    html = client.get("/en/help/check").get_data(as_text=True)
    response = client.post(
        "/en/help/check/message",
        data={"csrf_token": csrf_token(html), "receipt": "1111 2222 3333 4444", "message": KEPT},
    )
    assert_limited_keeping_text(response)
    assert "1111 2222 3333 4444" not in response.get_data(as_text=True)  # never a receipt


def test_start_up_checks_refuse_a_weak_onion_secret_or_bad_prefixes() -> None:
    def problems(**config: Any) -> list[str]:
        loaded = checks.load_config({**TEST_CONFIG, "SECRET_KEY": "k" * 40, **config})
        return [p for p in checks.problems(loaded) if "ONION" in p or "PREFIX" in p]

    assert problems(ONION_CHANNEL_SECRET=ONION) == []
    assert "at least 16" in problems(ONION_CHANNEL_SECRET="short")[0]
    assert problems(RATELIMIT_IPV6_PREFIX=48, RATELIMIT_IPV6_WIDE_PREFIX=56)
    assert problems(RATELIMIT_IPV4_PREFIX=33)
    assert problems(RATELIMIT_IPV6_PREFIX="56")  # a string from a misquoted setting
