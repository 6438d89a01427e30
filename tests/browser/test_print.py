"""What Chromium prints: every public page, on paper, still shows 112 and the help lines
that may be offered, and none of the screen-only parts (the exit bar, the buttons).

Print media is emulated on the shared tab (the same rules as a real print), one language
per page in turn (the templates are shared; ``sitepages.one_language_each``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.sitepages import PUBLIC_VISITS, Visit, one_language_each
from tests.browser.tab import Tab
from tests.browser.tools import open_visit

pytestmark = pytest.mark.browser

PRINTED_NUMBERS = ("112", "102", "103", "101")


@pytest.fixture
def print_tab(js_tab: Tab) -> Iterator[Tab]:
    js_tab.page.emulate_media(media="print")
    try:
        yield js_tab
    finally:
        js_tab.page.emulate_media(media="screen")


@pytest.mark.parametrize("visit", one_language_each(PUBLIC_VISITS), ids=lambda v: v.id)
def test_print_shows_112_and_the_offered_lines(print_tab: Tab, visit: Visit) -> None:
    page = print_tab.page
    open_visit(page, print_tab.site, visit)
    assert not page.locator(".exit-bar").is_visible()
    printed = page.locator(".print-lines, ul.helplines, .plan").first
    assert printed.is_visible(), "no help lines on paper"
    text = printed.inner_text()
    for number in PRINTED_NUMBERS:
        assert number in text, number
    # The shipped hotline is not confirmed: it is never printed as a number to call.
    assert "8 801 100 8 801" not in " ".join(page.locator(".print-lines").all_inner_texts())
