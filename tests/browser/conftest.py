"""The browser suite's fixtures: one live app and one Chromium per session.

The app runs as a real HTTP server (Werkzeug, threaded) on 127.0.0.1 and a free port, on
a temporary SQLite database made by the migrations, with a default team. The quick exit
points to a neutral address that no test ever reaches: every browser context routes any
URL outside the app, holding the quick exit's navigation (so a test can look at the page
while it leaves) and aborting anything else, and records every request it sees.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright; the tests skip only when
that binary is absent (``.ci/run`` installs it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, Route
from playwright.sync_api import sync_playwright
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from campaign import create_app, migrate
from campaign.db import db_session, engine
from campaign.teams import create_team
from tests.conftest import TEST_CONFIG

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUICK_EXIT_URL = "https://neutral.example/weather"
NEUTRAL_PAGE = "<!doctype html><title>Weather</title><p>Neutral page</p>"
DESKTOP = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class LiveSite:
    base_url: str
    host: str
    quick_exit_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def is_app(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme == "http" and parts.netloc == self.host


class QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    database = tmp_path_factory.mktemp("browser") / "campaign.db"
    app = create_app(
        {
            **TEST_CONFIG,
            "TESTING": False,
            "DATABASE_URL": f"sqlite:///{database}",
            "QUICK_EXIT_URL": QUICK_EXIT_URL,
            "MIN_FILL_SECONDS": 0,
            "SUBMIT_RATE_LIMIT": "10000 per hour",
            "CHECK_RATE_LIMIT": "10000 per hour",
        }
    )
    with app.app_context():
        migrate.upgrade(engine())
        create_team(db_session(), "Hotline", default=True)
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="browser-app", daemon=True)
    thread.start()
    host = f"127.0.0.1:{server.server_port}"
    try:
        yield LiveSite(f"http://{host}", host, QUICK_EXIT_URL)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            engine().dispose()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (.ci/run installs it)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@dataclass
class Traffic:
    """Everything one browser context asked for, and the quick exits it tried."""

    site: LiveSite
    requests: list[Request] = field(default_factory=list)
    held_exits: list[Route] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        self.requests.append(request)

    def foreign(self) -> list[str]:
        return [r.url for r in self.requests if not self.site.is_app(r.url)]

    def exits(self) -> list[Request]:
        return [r for r in self.requests if r.url == self.site.quick_exit_url]

    def release_exits(self) -> None:
        """Let held quick-exit navigations arrive at a tiny neutral page."""
        while self.held_exits:
            self.held_exits.pop(0).fulfill(
                status=200, content_type="text/html; charset=utf-8", body=NEUTRAL_PAGE
            )

    def on_foreign(self, route: Route) -> None:
        if route.request.url == self.site.quick_exit_url:
            self.held_exits.append(route)
        else:
            self.aborted.append(route.request.url)
            route.abort("blockedbyclient")


ContextFactory = Callable[..., tuple[BrowserContext, Traffic]]


@pytest.fixture
def new_context(browser: Browser, site: LiveSite) -> Iterator[ContextFactory]:
    """Make browser contexts (closed after the test) that record and fence their traffic.

    Keyword arguments go to ``browser.new_context`` (``java_script_enabled``,
    ``bypass_csp``, ``viewport`` ...). After the test, no context may have sent a request
    outside the app other than the quick exits the test released on purpose.
    """
    made: list[tuple[BrowserContext, Traffic]] = []

    def make(**options: Any) -> tuple[BrowserContext, Traffic]:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("base_url", site.base_url)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        traffic = Traffic(site)
        context.on("request", traffic.on_request)
        context.route(lambda url: not site.is_app(url), traffic.on_foreign)
        made.append((context, traffic))
        return context, traffic

    yield make
    for context, traffic in made:
        traffic.release_exits()
        context.close()
    for _context, traffic in made:
        unexpected = [url for url in traffic.foreign() if url != site.quick_exit_url]
        assert unexpected == [], f"requests to other hosts: {unexpected}"


@pytest.fixture
def page(new_context: ContextFactory) -> Page:
    """A page with JavaScript and the site's Content-Security-Policy enforced."""
    context, _traffic = new_context()
    return context.new_page()


@pytest.fixture
def nojs_page(new_context: ContextFactory) -> Page:
    """A page with JavaScript disabled."""
    context, _traffic = new_context(java_script_enabled=False)
    return context.new_page()
