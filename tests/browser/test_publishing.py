"""An editor publishes through the staff pages in Chromium; readers get the new page at once.

With JavaScript and without it (the staff pages need none): the editor writes a new
statement (saved as a draft), changes its English text, presses Preview (the text shown as
readers will get it, nothing published), then Publish; the public page then shows the new
text and passes the public pages' checks: axe, reflow at 320 px, only the app contacted, no
console error, and its quick exit (the button, or the plain link without JavaScript).

A statement of its own per run (dated 2019, so it is not the newest on the home page), so
that the shipped pages the other browser tests open stay as they are. The staff pages
themselves get the suite's page checks through ``sitepages.STAFF_VISITS``; the order of the
editor's fields and buttons for the keyboard is checked here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.sitepages import STATEMENT, Visit, editor_sign_in
from tests.browser.tab import Tab
from tests.browser.tools import (
    QUICK_EXIT,
    assert_left_hidden,
    assert_no_axe_violations,
    assert_reads_without_javascript,
    assert_reflows,
    assert_shown,
    focus_stop,
    history_length,
    open_settled,
    open_visit,
    tab_to,
)

pytestmark = pytest.mark.browser

FIRST = {
    "title": "A statement written in the browser",
    "summary": "The first words of it, saved as a draft.",
    "body": "The first draft of the statement.",
}
EDITED = {
    "title": "Statement published from the browser",
    "summary": "What an editor changed and published in Chromium.",
    "body": (
        "## What changed\n\n"
        "The text was changed in the editor, **previewed** and then published. Readers see"
        " it at once, and can read more on [staying safe online](/en/safety).\n\n"
        "- It was written in Markdown.\n- It is rendered on the server."
    ),
}
BUTTON = "button[name=action][value={}]"


def state_tag(page: Page) -> str:
    """The editor's "State" fact: published, draft, missing or outdated."""
    return page.locator(".facts .tag").first.inner_text()


def public_status(tab: Tab, path: str) -> int:
    """What a reader gets at ``path`` now (a request of its own: the page stays as it is)."""
    return tab.page.request.get(tab.site.url(path), max_redirects=0).status


def write_new_statement(page: Page, slug: str) -> None:
    page.goto("/staff/publishing/new-statement")
    page.select_option("#lang", "en")
    page.fill("#slug", slug)
    page.fill("#date", "2019-01-02")
    page.fill("#title", FIRST["title"])
    page.fill("#summary", FIRST["summary"])
    page.fill("#body", FIRST["body"])
    page.click(BUTTON.format("draft"))
    page.wait_for_url(f"**/staff/publishing/statements/{slug}/en")
    assert "saved as a draft" in page.locator(".notice--ok").inner_text()
    assert state_tag(page) == "draft"


def fill_text(page: Page, text: dict[str, str]) -> None:
    for field, value in text.items():
        page.fill(f"#{field}", value)


@pytest.mark.parametrize("kind", ["js", "nojs"])
def test_editor_previews_and_publishes_a_statement_that_readers_then_get(
    request: pytest.FixtureRequest, axe_tab: Tab, kind: str
) -> None:
    tab: Tab = request.getfixturevalue(f"{kind}_tab")
    page = tab.page
    slug = f"published-in-chromium-{kind}"
    public = f"/en/statements/{slug}"
    editor_sign_in(page, tab.site)
    write_new_statement(page, slug)
    assert public_status(tab, public) == 404

    # Preview: the same page again, the typed text kept and rendered; nothing saved.
    fill_text(page, EDITED)
    page.click(BUTTON.format("preview"))
    preview = page.locator(".preview")
    preview.wait_for()
    assert page.title().startswith("Preview: ")
    assert page.locator(".preview-link a").get_attribute("href") == "#preview-heading"
    assert preview.locator(".preview__title").inner_text() == EDITED["title"]
    prose = preview.locator(".prose")
    assert prose.get_attribute("lang") == "en"  # read out in the text's language
    assert prose.locator("h2").first.inner_text() == "What changed"
    assert prose.locator("strong").inner_text() == "previewed"
    assert prose.locator("a[href='/en/safety']").inner_text() == "staying safe online"
    expect(prose.locator("li")).to_have_count(2)
    assert "**" not in prose.inner_text() and "##" not in prose.inner_text()
    assert page.locator("#body").input_value() == EDITED["body"]
    assert state_tag(page) == "draft"
    assert public_status(tab, public) == 404

    # Publish: back to the editor, the language now published.
    page.click(BUTTON.format("publish"))
    page.locator(".notice--ok").wait_for()
    assert "Published revision" in page.locator(".notice--ok").inner_text()
    assert state_tag(page) == "published"
    expect(page.locator(f".facts a[href$='{public}']")).to_have_count(1)

    # The reader's page, at once (CONTENT_CHECK_SECONDS is 0 in the live app): the new
    # text, from the app alone, with no console error and no failed request.
    tab.finish()
    tab.reset()
    open_settled(tab, Visit(public))
    assert page.locator("main h1").inner_text() == EDITED["title"]
    assert page.locator("main .prose h2").first.inner_text() == "What changed"
    assert "rendered on the server" in page.locator("main .prose").inner_text()
    assert FIRST["body"] not in page.locator("main").inner_text()
    if kind == "js":
        history = history_length(tab)
        page.locator(QUICK_EXIT).click(no_wait_after=True)
        assert_left_hidden(tab, history)
    else:
        assert_reads_without_javascript(tab)

    # axe finds nothing on it, and it reflows at 320 px.
    open_visit(axe_tab.page, axe_tab.site, Visit(public))
    assert axe_tab.page.locator("main h1").inner_text() == EDITED["title"]
    assert_no_axe_violations(axe_tab.page, public)
    assert_reflows(axe_tab.page)


EDITOR_ORDER = [
    ("#title", "Title"),
    ("#summary", "Summary"),
    ("#body", "Text"),
    (BUTTON.format("preview"), "Preview"),
    (BUTTON.format("draft"), "Save draft"),
    (BUTTON.format("publish"), "Publish"),
]


def test_editor_fields_and_buttons_in_order_by_keyboard(phone_tab: Tab) -> None:
    """On a phone: Tab reaches Title, Summary, Text, Preview, Save draft and Publish, one
    after the other, each with a visible focus style. Enter in a field previews (the first
    button): a stray Enter never saves or publishes."""
    page = phone_tab.page
    editor = Visit(f"{STATEMENT}/en", prepare=editor_sign_in, public=False)
    open_visit(page, phone_tab.site, editor)
    state = state_tag(page)
    (first, _), *rest = EDITOR_ORDER
    tab_to(page, first)
    for selector, what in rest:
        page.keyboard.press("Tab")
        stop = assert_shown(focus_stop(page, selector))
        assert stop.target, f"Tab after the field before went to {stop}, not {what}"
    tab_to(page, "#title", backwards=True)
    page.keyboard.press("Enter")
    page.locator(".preview").wait_for()
    assert state_tag(page) == state
    assert page.locator(".notice--ok").count() == 0
