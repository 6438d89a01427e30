"""Quick exit on every public page: the button, Shift three times, and the plain link.

Each leaves for the configured neutral site; the test holds that navigation (there is no
network) and checks the page was hidden at the moment of the press, before it left.
"""

from __future__ import annotations

import pytest

from tests.browser.sitepages import PUBLIC_VISITS, Visit
from tests.browser.tab import Tab
from tests.browser.tools import open_visit, type_like_a_person, wait_for

pytestmark = pytest.mark.browser

EXIT = "[data-quick-exit]"


def history_length(tab: Tab) -> int:
    length: int = tab.page.evaluate("history.length")
    return length


def assert_left_hidden(tab: Tab, history: int) -> None:
    """The page hid itself at once, asked for the neutral site only, and arrives there.

    ``history`` is the tab's history length before the exit: the neutral site replaces
    the page in the history (Back does not return to it), it is not added.
    """
    wait_for(tab.page, lambda: bool(tab.held_exits) and bool(tab.exit_reports))
    (state,) = tab.exit_reports
    assert state["shown"] == [], f"still shown while leaving: {state['shown']}"
    assert state["centreIsOverlay"], state
    assert state["overlay"] == [0, 0, *state["viewport"]], state
    assert state["title"].strip("\u2060") == "", state
    assert_arrives(tab)
    assert history_length(tab) == history


def assert_arrives(tab: Tab) -> None:
    (request,) = tab.exits()
    assert request.is_navigation_request()
    assert "referer" not in request.headers, "the neutral site must not learn where from"
    tab.release_exits()
    tab.page.wait_for_url(tab.site.quick_exit_url)
    assert tab.page.locator("p").inner_text() == "Neutral page"


@pytest.mark.parametrize("visit", PUBLIC_VISITS, ids=lambda v: v.id)
def test_button_click_leaves_at_once(js_tab: Tab, visit: Visit) -> None:
    open_visit(js_tab.page, js_tab.site, visit)
    history = history_length(js_tab)
    js_tab.page.locator(EXIT).click(no_wait_after=True)
    assert_left_hidden(js_tab, history)


@pytest.mark.parametrize("visit", PUBLIC_VISITS, ids=lambda v: v.id)
def test_shift_three_times_leaves_at_once(js_tab: Tab, visit: Visit) -> None:
    open_visit(js_tab.page, js_tab.site, visit)
    history = history_length(js_tab)
    for _ in range(3):
        js_tab.page.keyboard.press("Shift")
    assert_left_hidden(js_tab, history)


@pytest.mark.parametrize("visit", PUBLIC_VISITS, ids=lambda v: v.id)
def test_plain_link_without_javascript_leaves(nojs_tab: Tab, visit: Visit) -> None:
    open_visit(nojs_tab.page, nojs_tab.site, visit)
    link = nojs_tab.page.locator(EXIT)
    assert link.get_attribute("href") == nojs_tab.site.quick_exit_url
    link.click(no_wait_after=True)
    wait_for(nojs_tab.page, lambda: bool(nojs_tab.held_exits))
    assert_arrives(nojs_tab)


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_keyboard_on_the_button_leaves(js_tab: Tab, key: str) -> None:
    js_tab.page.goto("/en/statements/")
    history = history_length(js_tab)
    js_tab.page.locator(EXIT).focus()
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
