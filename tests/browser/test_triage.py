"""The triage inbox and a request page on a phone (360 px): no sideways scrolling, no axe
violations, the inbox as cards with its filters folded, and touch targets of 44 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import ViewportSize

from tests.browser.sitepages import Visit, staff_sign_in
from tests.browser.tab import Tab
from tests.browser.tools import assert_no_axe_violations, open_visit

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 360, "height": 640}
# Controls a finger must hit: every button, field and disclosure of the page, and the
# links that stand alone (top navigation, "Log out", views, request numbers, "Back to
# inbox", the saved-reply links, the phone number); links inside sentences are exempt.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main button, main summary, main select, main input:not([type=hidden]), main textarea,'
    + ' .views a, .inbox__number a, .site-nav a, .site-header .link-button, main .touch-link,'
    + ' main a.tel')]
  .filter(e => e.getClientRects().length)
  .map(e => [e.tagName.toLowerCase() + '.' + e.className, e.getBoundingClientRect().height])
  .filter(([, h]) => h < 44)"""


@pytest.mark.parametrize("path", ["/staff/", "/staff/requests/1"])
def test_triage_pages_fit_a_phone(axe_tab: Tab, path: str) -> None:
    page = axe_tab.page
    wide = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        open_visit(page, axe_tab.site, Visit(path, prepare=staff_sign_in, public=False))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_no_axe_violations(page, f"{path} at 360 px")
        assert page.evaluate(SMALL_TARGETS) == []
        if path == "/staff/":
            assert page.locator("details.filters-fold").get_attribute("open") is None
            assert not page.locator(".filters select").first.is_visible()
            header = page.locator(".inbox thead").bounding_box()
            assert header is not None and header["height"] <= 1  # cards, not a table
            card = page.locator(".inbox tbody tr").first
            for label in ("Why", "Status", "Assignee", "Received", "Last action"):
                assert card.locator(f'td[data-label="{label}"]').is_visible(), label
            page.click("details.filters-fold summary")  # opens without JavaScript's help
            assert page.locator(".filters select").first.is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        if wide is not None:
            page.set_viewport_size(wide)
