"""Keyboard only: the whole help flow with Tab, Enter and Space; focus always visible.

At every stop of Tab (and Shift+Tab) the focused element must have a visible focus style
(outline or box-shadow, from the computed style) and must not be covered by the sticky
exit bar. Checked on a phone-sized and a desktop window.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TabFactory
from tests.browser.sitepages import ALL_VISITS, Visit, one_language_each
from tests.browser.tab import Tab
from tests.browser.tools import (
    RECEIPT,
    assert_focus_shown,
    assert_shown,
    focus_stop,
    open_visit,
    tab_to,
    type_like_a_person,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
# How many stops the focus test retraces with Shift+Tab.
BACK_STOPS = 8
DESKTOP = {"width": 1280, "height": 800}


@pytest.mark.parametrize(
    ("viewport", "lang"), [(PHONE, "be"), (DESKTOP, "en")], ids=["360px-be", "1280px-en"]
)
def test_help_flow_by_keyboard_only(
    new_tab: TabFactory, viewport: dict[str, int], lang: str
) -> None:
    tab = new_tab(viewport=viewport)
    page = tab.page
    page.goto(f"/{lang}/")

    # Home: the first stop is the skip link; then on to "Get help" in the menu.
    page.keyboard.press("Tab")
    assert assert_focus_shown(page).name.startswith("#main")
    tab_to(page, f".site-nav a[href='/{lang}/help/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{lang}/help/")

    # The form: send it empty first, and come back from the error summary.
    tab_to(page, "form.help-form button[type=submit]")
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    summary.wait_for()
    # The deferred script moves focus after the summary is in the page: wait for it
    # (it failing to happen times out here) rather than checking at once.
    expect(summary).to_be_focused(timeout=5000)
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")  # the link leads to the field
    expect(page.locator("#message")).to_be_focused()
    assert_focus_shown(page)
    type_like_a_person(page, "I need advice. Written With The Keyboard Only.")

    # Choose a way to be contacted with the arrow keys and Space, then back to no contact.
    tab_to(page, "#contact_method-0")
    page.keyboard.press("ArrowDown")
    assert page.locator("#contact_method-1").is_checked()
    assert_focus_shown(page)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    assert page.locator("#contact_method-0").is_checked()

    tab_to(page, "form.help-form button[type=submit]")
    page.keyboard.press("Space")
    receipt_box = page.locator(".receipt strong")
    receipt = receipt_box.inner_text()
    assert RECEIPT.match(receipt)
    # As a person does, once the page is there: the page opens at #receipt when it has
    # loaded, and Tab goes on from there (pressed earlier, the scroll to it took the focus).
    page.wait_for_load_state("load")

    # The receipt page: on to "Read the answer later".
    tab_to(page, "main a.button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{lang}/help/check")

    tab_to(page, "#receipt")
    page.keyboard.type(receipt)
    page.keyboard.press("Enter")  # sends the form from the field
    expect(page.locator(".thread")).to_contain_text("Keyboard Only")

    tab_to(page, "#message")
    type_like_a_person(page, "Thank You.")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Space")
    page.locator(".notice--ok").wait_for()
    expect(page.locator(".thread__entry")).to_have_count(2)

    # Back up the whole page with Shift+Tab: every stop visible and clear of the bar.
    for _ in range(200):
        page.keyboard.press("Shift+Tab")
        stop = focus_stop(page)
        if stop is None:
            break
        assert_shown(stop)
    assert tab.exits() == [], "Shift with Tab must never count as the quick exit"


BELOW_THE_BAR = """() => {
  const bar = document.querySelector('.exit-bar');
  const first = document.querySelector('main > *').getBoundingClientRect();
  return {barBottom: bar ? bar.getBoundingClientRect().bottom : 0, firstTop: first.top};
}"""


@pytest.mark.parametrize("visit", one_language_each(ALL_VISITS), ids=lambda v: v.id)
def test_every_focus_stop_is_visible_on_a_phone(phone_tab: Tab, visit: Visit) -> None:
    """Tab through the whole page, then back over its last stops: each stop shown, none
    under the sticky bar, and Shift+Tab retraces the same stops in reverse. The first stop
    is the skip link, and Enter on it puts focus on the main content, below the bar.

    Every page, each in one language (the languages in turn): the stops and their styles
    come from one template and one stylesheet; the help flow above goes through the other
    languages. (One load for the walk and the skip link: the skip link is the walk's first
    stop; it is taken again after the walk, from the top of the page.)"""
    page = phone_tab.page
    open_visit(page, phone_tab.site, visit)
    forward: list[str] = []
    for _ in range(300):
        page.keyboard.press("Tab")
        stop = focus_stop(page)
        if stop is None or (forward and stop.name == forward[0]):
            break
        assert_shown(stop)
        forward.append(stop.name)
    assert len(forward) >= 4
    assert forward[0].startswith("#main"), f"the first stop is not the skip link: {forward[0]}"
    # Back over the last stops only (each was shown going forward; what is checked here is
    # that Shift+Tab retraces them: the whole way back doubled the test's time).
    backward: list[str] = []
    expected = forward[::-1][:BACK_STOPS]
    for _ in range(len(expected) + 2):
        page.keyboard.press("Shift+Tab")
        stop = focus_stop(page)
        if stop is None and not backward:
            continue  # from past the last stop (the browser's own controls)
        assert stop is not None, f"focus lost going back after {backward}"
        assert_shown(stop)
        backward.append(stop.name)
        if len(backward) == len(expected):
            break
    assert backward == expected
    assert phone_tab.exits() == []

    # The skip link, as from the first Tab of the page: at the top, focused, then Enter.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator('a[href="#main"]').first.focus()
    assert assert_focus_shown(page).name.startswith("#main")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The main content starts below the sticky bar, not under it, and is not painted
    # over by a focus style meant for links.
    place = page.evaluate(BELOW_THE_BAR)
    assert place["firstTop"] >= place["barBottom"], place
    main = page.locator("main")
    assert main.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
