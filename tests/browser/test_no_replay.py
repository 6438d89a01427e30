"""No replay in a real browser: after sending a request, opening a thread or adding a
message, Back, Reload (accepting any "Confirm Form Resubmission") and Forward never show
her message, contact details or receipt again, and never send anything twice
(campaign/cases/viewonce.py). With and without JavaScript.

These tabs run in a Chromium with its back/forward cache on, as a real one has it
(Playwright turns it off by default): Chromium keeps even no-store pages there, and a page
restored from it is never asked of the server again. Also here: error summary links leave
the field's label and message clear of the sticky exit bar, at 360 px and at 1280 px.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from secrets import token_hex
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, Playwright, expect
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import func, select

from campaign.core.db import db_session
from campaign.models import HelpRequest, RequestMessage
from devtools.chromium import CHROMIUM, CHROMIUM_FLAGS
from tests.browser.conftest import LiveApp
from tests.browser.tab import LiveSite, Tab, open_tab
from tests.browser.tools import RECEIPT, assert_no_axe_violations, open_request, send_help_request

pytestmark = pytest.mark.browser

MESSAGE = "Nobody may read this again. BROWSER-REPLAY-MARKER"
PHONE = "+375 29 765 43 21"
CODE_WORD = "CODEWORD-QX"
SAFE_TIMES = "SAFE-TIMES-MARKER mornings"
REPLY = "A reply of mine. REPLY-REPLAY-MARKER"
CLOSED = "This page was shown once and is closed, for your safety."
WAIT_MS = 5000


@pytest.fixture(scope="module")
def bfcache_browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Chromium as people have it: with the back/forward cache."""
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM),
        args=list(CHROMIUM_FLAGS),
        headless=True,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield chromium
    chromium.close()


@pytest.fixture(params=["js", "nojs"])
def tab(request: pytest.FixtureRequest, bfcache_browser: Browser, site: LiveSite) -> Iterator[Tab]:
    made = open_tab(bfcache_browser, site, java_script_enabled=request.param == "js")
    made.page.on("dialog", accept)  # "Confirm Form Resubmission", if asked as a dialog
    yield made
    made.close()
    made.assert_only_the_app()


def accept(dialog: Dialog) -> None:
    dialog.accept()


def count(live_app: LiveApp, model: Any) -> int:
    with live_app.app.app_context():
        return int(db_session().scalar(select(func.count()).select_from(model)) or 0)


def step(page: Page, move: Callable[..., Any]) -> None:
    """Back, Forward or Reload, whatever the page comes from (a page restored from the
    back/forward cache, or Chromium's own "Confirm Form Resubmission" page, gives no load
    event Playwright can wait for): until the document shown is parsed.

    The document left is marked with a token first, so that the wait is for another one
    (a page restored from the cache was left earlier: another token; a reloaded page has
    none), not for the one still shown. A move may also leave the same document (a
    resubmission not made): after a second without another, that one is looked at."""
    token = token_hex(8)
    page.evaluate("token => { window.stepToken = token; }", token)
    with contextlib.suppress(PlaywrightError):
        move(wait_until="commit", timeout=WAIT_MS)
    with contextlib.suppress(PlaywrightError):
        page.wait_for_function("token => window.stepToken !== token", arg=token, timeout=1000)
    # A document still loading after that (a slow reload under load, once in CI) is looked
    # at as it is: what it shows so far must hold no secret either.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_function("document.readyState !== 'loading'", timeout=WAIT_MS)


def what_shows(page: Page) -> str:
    """The page's HTML and the values in its fields (typed or restored by the browser)."""
    html = page.content()
    fields = page.locator("textarea, input:not([type=hidden]):not([type=radio])")
    values = [fields.nth(i).input_value() for i in range(fields.count())]
    return html + "\n" + "\n".join(values)


class Secrets:
    def __init__(self, *texts: str) -> None:
        self.texts = [text for text in texts if text]

    def add(self, *texts: str) -> None:
        self.texts.extend(text for text in texts if text)

    def assert_none_in(self, page: Page, where: str) -> None:
        shown = what_shows(page)
        for text in self.texts:
            assert text not in shown, f"{text!r} shown again after {where} at {page.url}"


def resubmitted(tab: Tab, path: str) -> bool:
    """A Reload sent a POST to ``path`` again (the test reached a POST's history entry)."""
    return any(r.method == "POST" and r.url == tab.site.url(path) for r in tab.requests)


def receipt_shown(page: Page, secrets: Secrets) -> str:
    receipt = page.locator(".receipt strong").inner_text()
    assert RECEIPT.match(receipt), receipt
    secrets.add(receipt, receipt.replace(" ", ""))
    words = page.locator(".receipt-words strong")
    expect(words).to_have_count(1)
    secrets.add(words.inner_text())
    return receipt


def wander(page: Page, secrets: Secrets, moves: int) -> None:
    """Back ``moves`` times, Reload at each stop, then Forward as far, Reload again."""
    for _ in range(moves):
        step(page, page.go_back)
        secrets.assert_none_in(page, "Back")
        step(page, page.reload)
        secrets.assert_none_in(page, "Back and Reload")
    for _ in range(moves):
        step(page, page.go_forward)
        secrets.assert_none_in(page, "Forward")
        step(page, page.reload)
        secrets.assert_none_in(page, "Forward and Reload")


def send_with_an_error_round(page: Page, secrets: Secrets) -> str:
    page.goto("/en/help/")
    page.fill("#message", MESSAGE)
    page.check("input[name=contact_method][value=phone]")
    page.click("form.help-form button[type=submit]")  # no phone number: an error round
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator("#message").input_value() == MESSAGE  # her text kept
    page.fill("#phone", PHONE)
    page.fill("#safe_times", SAFE_TIMES)
    page.fill("#code_word", CODE_WORD)
    page.click("form.help-form button[type=submit]")
    page.locator(".receipt strong").wait_for()
    assert "/en/help/sent/" in page.url  # a GET after a redirect, not the POST's answer
    return receipt_shown(page, secrets)


def test_sending_leaves_nothing_to_bring_back(tab: Tab, live_app: LiveApp) -> None:
    page = tab.page
    requests_before = count(live_app, HelpRequest)
    secrets = Secrets(MESSAGE, "BROWSER-REPLAY-MARKER", PHONE, CODE_WORD, SAFE_TIMES)
    send_with_an_error_round(page, secrets)
    assert count(live_app, HelpRequest) == requests_before + 1

    page.click("main a[href='/en/help/check']")  # "Read the answer later"
    page.wait_for_url("**/en/help/check")
    step(page, page.go_back)
    assert CLOSED in page.content()
    assert "Your request was sent." in page.content()
    secrets.assert_none_in(page, "Back")
    # Back past the sent page: the error round (a POST), then the empty form.
    tab.reset()
    wander(page, secrets, 3)
    assert resubmitted(tab, "/en/help/"), "the error round's POST was never sent again"
    assert count(live_app, HelpRequest) == requests_before + 1


def test_reading_and_writing_back_leaves_nothing_to_bring_back(tab: Tab, live_app: LiveApp) -> None:
    page = tab.page
    secrets = Secrets(MESSAGE, "BROWSER-REPLAY-MARKER", PHONE, CODE_WORD, REPLY)
    receipt = send_with_an_error_round(page, secrets)
    requests_before = count(live_app, HelpRequest)
    messages_before = count(live_app, RequestMessage)

    page.goto("/en/help/check")
    page.fill("#receipt", receipt)
    page.click("main form button[type=submit]")
    expect(page.locator(".thread")).to_contain_text("BROWSER-REPLAY-MARKER")
    page.click("main form button[type=submit]")  # an empty reply: an error round
    expect(page.locator(".error-summary")).to_be_visible()
    page.fill("#message", REPLY)
    page.click("main form button[type=submit]")
    page.locator(".notice--ok").wait_for()
    expect(page.locator(".thread")).to_contain_text("REPLY-REPLAY-MARKER")
    assert count(live_app, RequestMessage) == messages_before + 1

    page.click(".site-nav a[href='/en/statements/']")
    page.wait_for_url("**/en/statements/")
    step(page, page.go_back)
    assert CLOSED in page.content()
    assert "Enter your receipt again to read the answers" in page.content()
    secrets.assert_none_in(page, "Back")
    # Back past it: the reply with errors (a POST), the first thread view, the receipt form.
    tab.reset()
    wander(page, secrets, 4)
    assert resubmitted(tab, "/en/help/check/message")
    assert count(live_app, RequestMessage) == messages_before + 1
    assert count(live_app, HelpRequest) == requests_before


def test_this_chromium_keeps_pages_in_its_back_forward_cache(tab: Tab) -> None:
    """Without that, the tests above would prove less than they say."""
    page = tab.page
    page.goto("/en/")
    page.click(".site-nav a[href='/en/statements/']")
    page.wait_for_url("**/en/statements/")
    tab.reset()
    step(page, page.go_back)
    assert page.url.endswith("/en/")
    assert [r.url for r in tab.requests if r.url.endswith("/en/")] == []  # not fetched again


# --- the error summary and the sticky bar ----------------------------------------------------

IN_VIEW = """(id) => {
  const bar = document.querySelector('.exit-bar').getBoundingClientRect().bottom;
  const control = document.getElementById(id);
  const field = control.closest('.field');
  const label = field.querySelector('.label');
  const error = field.querySelector('.error-message');
  return {
    bar: bar,
    label: label.getBoundingClientRect().top,
    error: error.getBoundingClientRect().top,
    control: control.getBoundingClientRect().top,
    height: innerHeight,
    focused: document.activeElement === control,
  };
}"""


def settled_box(page: Page, target: str) -> dict[str, Any]:
    """Where the field is once the scroll to it has ended: the same place twice running
    (a fragment's scroll comes in a later frame; a page without JavaScript runs no
    requestAnimationFrame callback to wait with)."""
    box: dict[str, Any] = page.evaluate(IN_VIEW, target)
    for _ in range(40):
        page.wait_for_timeout(25)
        again: dict[str, Any] = page.evaluate(IN_VIEW, target)
        if again == box:
            return box
        box = again
    return box


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_error_links_leave_label_and_message_clear_of_the_bar(
    bfcache_browser: Browser, site: LiveSite, width: int, javascript: bool
) -> None:
    viewport = {"width": width, "height": 640 if width < 400 else 800}
    tab = open_tab(bfcache_browser, site, viewport=viewport, java_script_enabled=javascript)
    try:
        page = tab.page
        page.goto("/en/help/")
        page.check("input[name=contact_method][value=phone]")
        page.fill("#safe_times", "x" * 300)
        page.fill("#code_word", "y" * 150)
        page.click("form.help-form button[type=submit]")
        page.wait_for_load_state("load")  # the stylesheet applied, the script run
        summary = page.locator(".error-summary")
        links = summary.locator("a")
        expect(links).to_have_count(4)
        for index in range(links.count()):
            target = (links.nth(index).get_attribute("href") or "#")[1:]
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            links.nth(index).click()
            expect(page.locator(f"#{target}")).to_be_focused()
            box = settled_box(page, target)
            assert box["focused"], target
            assert box["label"] >= box["bar"], (width, target, box)
            assert box["error"] >= box["bar"], (width, target, box)
            assert box["control"] < box["height"], (width, target, box)
        # The summary itself, focused from anywhere on the page, is not under the bar.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        summary.focus()
        top = page.evaluate(
            "() => document.querySelector('.error-summary').getBoundingClientRect().top"
            " - document.querySelector('.exit-bar').getBoundingClientRect().bottom"
        )
        assert top >= 0
        assert summary.locator("h2").inner_text() == "There are 4 problems"
    finally:
        tab.close()


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_the_receipt_fields_error_link_leaves_its_label_clear_of_the_bar(
    bfcache_browser: Browser, site: LiveSite, lang: str
) -> None:
    """The check page's field is #receipt too, as is the sent page's panel: a rule for the
    panel must not take the field's room for its label, hint and error on a phone."""
    tab = open_tab(bfcache_browser, site, viewport={"width": 360, "height": 640})
    try:
        page = tab.page
        page.goto(f"/{lang}/help/check")
        page.click("main form button[type=submit]")  # empty: an error round
        page.wait_for_load_state("load")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.locator(".error-summary a").first.click()
        expect(page.locator("#receipt")).to_be_focused()
        box = settled_box(page, "receipt")
        assert box["label"] >= box["bar"], box
        assert box["error"] >= box["bar"], box
        assert box["control"] < box["height"], box
    finally:
        tab.close()


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_the_closed_pages_have_no_axe_violations(axe_tab: Tab, lang: str) -> None:
    page = axe_tab.page
    receipt = send_help_request(page, lang, "Accessibility of the closed pages.")
    page.reload()
    assert page.locator("main h1").count() == 1
    assert page.locator("html").get_attribute("lang") == lang
    assert_no_axe_violations(page, f"/{lang}/help/sent/ shown already")
    open_request(page, lang, receipt)
    page.reload()
    assert page.locator(".thread").count() == 0
    assert_no_axe_violations(page, f"/{lang}/help/thread/ shown already")
