"""Without JavaScript: every page reads well, its quick exit (a plain link) leaves, and
the whole help flow works. (A page an editor publishes: test_publishing.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.sitepages import PUBLIC_VISITS, Visit, one_language_each
from tests.browser.tab import Tab
from tests.browser.tools import (
    assert_reads_without_javascript,
    open_request,
    open_visit,
    send_help_request,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("visit", one_language_each(PUBLIC_VISITS), ids=lambda v: v.id)
def test_page_reads_without_javascript(nojs_tab: Tab, visit: Visit) -> None:
    """One template and one stylesheet: each page once, the languages in turn (every page
    in every language is read by test_accessibility.py and test_quick_exit.py)."""
    open_visit(nojs_tab.page, nojs_tab.site, visit)
    assert_reads_without_javascript(nojs_tab)


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_help_flow_without_javascript(nojs_tab: Tab, lang: str) -> None:
    page = nojs_tab.page
    # The form with a mistake: errors are shown, the text is kept.
    page.goto(f"/{lang}/help/")
    page.select_option("#category", "economic")
    page.click("form.help-form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator("#category").input_value() == "economic"
    expect(page.locator("#message[aria-invalid=true]")).to_have_count(1)

    receipt = send_help_request(page, lang, f"No-JS request in {lang}. NOJS-MARKER")
    assert page.locator(".panel h1").is_visible()

    # Follow-up: enter the receipt, read the thread, add a message.
    open_request(page, lang, receipt)
    expect(page.locator(".thread")).to_contain_text("NOJS-MARKER")
    page.fill("#message", "A second message. NOJS-SECOND")
    page.click("main form button[type=submit]")
    expect(page.locator(".notice--ok")).to_be_visible()
    entries = page.locator(".thread__entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(1)).to_contain_text("NOJS-SECOND")

    # The language switch on that page (it answers a POST) leads to a page that opens.
    other = "en" if lang != "en" else "be"
    with page.expect_navigation() as navigation:
        page.click(f".langs a[hreflang={other}]")
    response = navigation.value
    assert response is not None and response.status == 200
    assert page.url == nojs_tab.site.url(f"/{other}/help/check")
