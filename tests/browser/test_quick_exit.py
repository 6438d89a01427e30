"""Quick exit on every public page: the button and Shift three times (the plain link
without JavaScript is in test_without_js.py).

Each leaves for the configured neutral site; the test holds that navigation (there is no
network) and checks the page was hidden at the moment of the press, before it left.
"""

from __future__ import annotations

import pytest

from tests.browser.sitepages import PUBLIC_VISITS, Visit, one_language_each
from tests.browser.tab import Tab
from tests.browser.tools import (
    QUICK_EXIT,
    assert_left_hidden,
    history_length,
    open_settled,
    open_visit,
    type_like_a_person,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("visit", one_language_each(PUBLIC_VISITS), ids=lambda v: v.id)
def test_page_loads_only_from_the_app_and_the_button_leaves_at_once(
    js_tab: Tab, visit: Visit
) -> None:
    """Every public page, each in one language (the languages in turn; the axe test opens
    every page in every language): it loads from the app alone, with no console error (a
    CSP violation is one) and no failed request; then its exit button leaves."""
    open_settled(js_tab, visit)
    history = history_length(js_tab)
    js_tab.page.locator(QUICK_EXIT).click(no_wait_after=True)
    assert_left_hidden(js_tab, history)


@pytest.mark.parametrize("visit", one_language_each(PUBLIC_VISITS), ids=lambda v: v.id)
def test_shift_three_times_leaves_at_once(js_tab: Tab, visit: Visit) -> None:
    """One script on every page: each page once, the languages in turn (the button test
    above opens every page in every language)."""
    open_visit(js_tab.page, js_tab.site, visit)
    history = history_length(js_tab)
    for _ in range(3):
        js_tab.page.keyboard.press("Shift")
    assert_left_hidden(js_tab, history)


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_keyboard_on_the_button_leaves(js_tab: Tab, key: str) -> None:
    js_tab.page.goto("/en/statements/")
    history = history_length(js_tab)
    js_tab.page.locator(QUICK_EXIT).focus()
    js_tab.page.keyboard.press(key)
    assert_left_hidden(js_tab, history)


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_shift_for_capital_letters_does_not_leave(js_tab: Tab, lang: str) -> None:
    page = js_tab.page
    page.goto(f"/{lang}/help/")
    history = history_length(js_tab)
    page.locator("#message").focus()
    # Three capitals within five seconds: three Shift presses, each with a letter.
    type_like_a_person(page, "Hello World Again")
    page.keyboard.press("Shift+Tab")  # Shift with Tab is not an exit either
    page.wait_for_timeout(100)
    assert page.locator("#message").input_value() == "Hello World Again"
    assert js_tab.exits() == [] and js_tab.exit_reports == []
    assert page.url == js_tab.site.url(f"/{lang}/help/")
    assert page.locator("main").is_visible()
    # Shift pressed three times on its own still leaves, even from inside the field.
    page.locator("#message").focus()
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_left_hidden(js_tab, history)
