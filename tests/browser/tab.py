"""A browser tab fenced to the app: every request recorded, nothing leaves 127.0.0.1.

Each ``Tab`` is one Playwright context with one page. Any URL outside the app is routed:
the quick exit's navigation is held (so a test can look at the page while it leaves, then
release it to a tiny neutral page) and anything else is aborted. An init script (injected
by the DevTools protocol, so the page's CSP stays enforced) reports what the page looked
like at the moment the quick exit hid it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Request, Route

QUICK_EXIT_URL = "https://neutral.example/weather"
NEUTRAL_PAGE = "<!doctype html><title>Weather</title><p>Neutral page</p>"
DESKTOP = {"width": 1280, "height": 800}

# Runs in every document before the page's own scripts. When the quick exit marks the
# body, it reports, in that same moment and before any navigation, what a person would
# see: which parts of the page still show, whether the overlay covers the window, the title.
QUICK_EXIT_WATCH = """
(() => {
  const observer = new MutationObserver(() => {
    const body = document.body;
    if (!body || !body.classList.contains('qe-active')) return;
    observer.disconnect();
    const overlay = document.querySelector('.qe-overlay');
    const shown = [...body.children].filter(e => e !== overlay)
      .filter(e => getComputedStyle(e).display !== 'none')
      .filter(e => getComputedStyle(e).visibility !== 'hidden')
      .map(e => e.tagName.toLowerCase() + '.' + e.className);
    const box = overlay ? overlay.getBoundingClientRect() : null;
    const hit = document.elementFromPoint(innerWidth / 2, innerHeight / 2);
    window.reportQuickExit({
      shown: shown,
      overlay: box ? [box.left, box.top, box.width, box.height] : null,
      viewport: [innerWidth, innerHeight],
      centreIsOverlay: hit === overlay && overlay !== null,
      title: document.title,
    });
  });
  observer.observe(document, {subtree: true, attributes: true, attributeFilter: ['class']});
})();
"""


@dataclass(frozen=True)
class StaffLogin:
    """A staff member of the live app; ``code`` gives a TOTP code not used yet."""

    email: str
    password: str
    code: Callable[[], str]


@dataclass(frozen=True)
class LiveSite:
    base_url: str
    host: str
    quick_exit_url: str
    staff: StaffLogin | None = None  # a caseworker of the default team
    editor: StaffLogin | None = None  # an editor (publishing and help lines only)
    admin: StaffLogin | None = None  # an admin (not a key holder of any team)

    def url(self, path: str) -> str:
        return self.base_url + path

    def is_app(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme == "http" and parts.netloc == self.host


@dataclass
class Tab:
    site: LiveSite
    context: BrowserContext
    page: Page = field(init=False)
    requests: list[Request] = field(default_factory=list)
    held_exits: list[Route] = field(default_factory=list)
    exit_reports: list[dict[str, Any]] = field(default_factory=list)

    # -- recording ---------------------------------------------------------------------

    def on_request(self, request: Request) -> None:
        self.requests.append(request)

    def on_foreign(self, route: Route) -> None:
        if route.request.url == self.site.quick_exit_url:
            self.held_exits.append(route)
        else:
            route.abort("blockedbyclient")

    def on_quick_exit_report(self, state: dict[str, Any]) -> None:
        self.exit_reports.append(state)

    # -- for tests ---------------------------------------------------------------------

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

    def assert_only_the_app(self) -> None:
        """No request went to another host, except quick exits a test made on purpose."""
        unexpected = [url for url in self.foreign() if url != self.site.quick_exit_url]
        assert unexpected == [], f"requests to other hosts: {unexpected}"

    def reset(self) -> None:
        """Start of a test: nothing recorded, and no language asked for (a test that sets
        Accept-Language, ``tools.open_visit`` with a visit's ``lang``, leaves it set)."""
        # The round trip first: events of the last test's page (its icon, fetched after
        # the load event) still on their way arrive during it, and are then forgotten.
        self.page.set_extra_http_headers({})
        self.requests.clear()
        self.exit_reports.clear()

    def finish(self) -> None:
        """End of a test: let any held exit arrive, then check where requests went."""
        self.release_exits()
        self.assert_only_the_app()

    def close(self) -> None:
        self.release_exits()
        self.context.close()


def open_tab(browser: Browser, site: LiveSite, *, hold_exits: bool = True, **options: Any) -> Tab:
    """A new context and page; options go to ``browser.new_context``.

    With ``hold_exits`` (the default) every request to another host is routed: the quick
    exit's is held, any other aborted. Playwright then pauses every request of the tab,
    the app's too, to ask whether it matches, which costs about a seventh of a page
    check's CPU; tabs that never press the quick exit pass ``hold_exits=False``. Their
    requests are recorded all the same, and Chromium (``devtools.chromium``) resolves no
    host name but the loopback, so nothing can leave.
    """
    options.setdefault("viewport", DESKTOP)
    options.setdefault("base_url", site.base_url)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    tab = Tab(site, context)
    context.on("request", tab.on_request)
    if hold_exits:
        # A pattern (not a Python predicate): matched in Playwright's driver.
        context.route(re.compile(f"^(?!{re.escape(site.base_url)}/)"), tab.on_foreign)
    context.expose_function("reportQuickExit", tab.on_quick_exit_report)
    context.add_init_script(QUICK_EXIT_WATCH)
    tab.page = context.new_page()
    return tab
