"""Login races, with truly concurrent requests: threads against a 4-worker gunicorn on
PostgreSQL (and SQLite, which serialises writers, as a second database).

- Twenty wrong passwords sent at once are all counted (no lost update), and only the
  first ``STAFF_LOCKOUT_ATTEMPTS`` of them are checked; the rest are held back unchecked.
- Six logins sent at once with the same right code make one session, not six.
"""

from __future__ import annotations

import http.client
import re
import secrets
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import func, select

from campaign import create_app
from campaign.cases import accounts
from campaign.core import migrate
from campaign.core.db import db_session, engine
from campaign.models import LoginThrottle, StaffSession, StaffUser
from devtools.server import gunicorn, wait_for_workers
from tests.conftest import TEST_CONFIG
from tests.databases import database_url
from tests.staff.staffclient import PASSWORD

WORKERS = 4
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

ENV = {
    "CAMPAIGN_STAFF_PASSWORD_TIME_COST": "1",
    "CAMPAIGN_STAFF_PASSWORD_MEMORY_KIB": "8192",
    "CAMPAIGN_STAFF_KEY_TIME_COST": "1",
    "CAMPAIGN_STAFF_KEY_MEMORY_KIB": "8192",
    "CAMPAIGN_LOGIN_RATE_LIMIT": "1000 per hour",
}


@contextmanager
def served(kind: str, tmp_path: Path) -> Iterator[tuple[int, Callable[[], Any], str]]:
    """gunicorn on a fresh database with one member; yields (port, app, TOTP secret)."""
    with database_url(kind, tmp_path) as url:
        secret_key = "race-test-" + secrets.token_hex(16)
        app = create_app({**TEST_CONFIG, "DATABASE_URL": url, "SECRET_KEY": secret_key})
        totp = accounts.new_totp_secret()
        with app.app_context():
            migrate.upgrade(engine())
            accounts.create_user(db_session(), "race@example.org", "Race", PASSWORD, "admin", totp)
            db_session().commit()
        env = {**ENV, "CAMPAIGN_DATABASE_URL": url, "CAMPAIGN_SECRET_KEY": secret_key}
        try:
            with gunicorn("wsgi:app", WORKERS, env=env, probe="/healthz") as (port, _process):
                wait_for_workers(port, WORKERS)
                yield port, app.app_context, totp
        finally:
            with app.app_context():
                engine().dispose()


def login_form(port: int) -> tuple[str, str]:
    """A login page's CSRF token and the session cookie that goes with it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/staff/login")
        response = conn.getresponse()
        html = response.read().decode()
        cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    finally:
        conn.close()
    match = CSRF.search(html)
    assert match and cookie
    return match.group(1), cookie


def post_login(port: int, form: tuple[str, str], password: str, code: str) -> int:
    token, cookie = form
    body = urllib.parse.urlencode(
        {"csrf_token": token, "email": "race@example.org", "password": password, "code": code}
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(
            "POST",
            "/staff/login",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def all_at_once(port: int, count: int, password: str, code: str) -> list[int]:
    forms = [login_form(port) for _ in range(count)]
    barrier = threading.Barrier(count)
    statuses: list[int] = [0] * count

    def one(i: int) -> None:
        barrier.wait()
        statuses[i] = post_login(port, forms[i], password, code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


KINDS = [pytest.param("postgres", marks=pytest.mark.postgres), "sqlite"]


@pytest.mark.parametrize("kind", KINDS)
def test_twenty_wrong_passwords_at_once_are_all_counted(kind: str, tmp_path: Path) -> None:
    with served(kind, tmp_path) as (port, context, _totp):
        statuses = all_at_once(port, 20, "wrong password, twenty times", "000000")
        with context():
            dbs = db_session()
            user = dbs.scalar(select(StaffUser))
            throttle = dbs.scalar(select(LoginThrottle))
    assert statuses == [200] * 20
    assert user is not None and user.failed_logins == 20  # no lost update
    # Only the first five tries were let through to be checked; the rest waited.
    assert throttle is not None and throttle.failures == TEST_CONFIG.get(
        "STAFF_LOCKOUT_ATTEMPTS", 5
    )
    assert throttle.blocked_until is not None


@pytest.mark.parametrize("kind", KINDS)
def test_one_code_sent_six_times_at_once_makes_one_session(kind: str, tmp_path: Path) -> None:
    with served(kind, tmp_path) as (port, context, totp):
        code = pyotp.TOTP(totp).now()
        statuses = all_at_once(port, 6, PASSWORD, code)
        with context():
            sessions = db_session().scalar(select(func.count()).select_from(StaffSession))
    assert sorted(statuses) == [200] * 5 + [302], statuses
    assert sessions == 1
