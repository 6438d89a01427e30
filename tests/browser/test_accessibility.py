"""axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) finds nothing on any page or state.

(And every page reflows at 320 px, WCAG 1.4.10, which axe cannot see.)

Every page in ``sitepages.ALL_VISITS``: public pages in each language, and each staff page
listed there in be, ru and en (one test per page); plus the states of the help flow: the
form with errors, the receipt, the follow-up page with a wrong receipt, the thread, the
thread after a message, and with an error. A 404 page too, and the staff forms' states: a
preview, errors. (A page an editor has just published: test_publishing.py.)
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveApp
from tests.browser.sitepages import (
    PUBLIC_VISITS,
    STAFF_VISITS,
    STATEMENT,
    Visit,
    editor_sign_in,
)
from tests.browser.tab import Tab
from tests.browser.tools import (
    assert_no_axe_violations,
    assert_reflows,
    axe_violations,
    describe_violations,
    english_left,
    open_request,
    open_visit,
    send_help_request,
)

pytestmark = pytest.mark.browser

# English first: the other two are told from it.
STAFF_LANGUAGES = ("en", "be", "ru")


@pytest.mark.parametrize("visit", PUBLIC_VISITS, ids=lambda v: v.id)
def test_page_has_no_axe_violations_and_reflows_at_320_px(axe_tab: Tab, visit: Visit) -> None:
    """axe-core's WCAG 2.2 AA rules find nothing; then, in a 320 px window, the page needs
    no sideways scrolling (the same page, made narrow: one load serves both checks)."""
    page = axe_tab.page
    open_visit(page, axe_tab.site, visit)
    assert_no_axe_violations(page, visit.path)
    assert_reflows(page)


def main_heading(page: Page) -> str:
    heading = page.locator("main h1")
    assert heading.count() == 1, page.url
    return " ".join(heading.inner_text().split())


@pytest.mark.parametrize("visit", STAFF_VISITS, ids=lambda v: v.id)
def test_staff_page_in_three_languages(axe_tab: Tab, visit: Visit) -> None:
    """The staff page in en, be and ru, chosen by Accept-Language (the live app's members
    have no saved language), one after the other in one tab: each comes in the language
    asked for (``<html lang>``, a heading of its own in be and ru, no text that the
    language's catalogue translates left in English), axe finds nothing, and in be and ru
    (longer words than English) nothing needs sideways scrolling at 320 px."""
    page = axe_tab.page
    headings: dict[str, str] = {}
    found: list[str] = []  # every language's findings, so one run reports them all
    for lang in STAFF_LANGUAGES:  # the tab asks for none again before the next test
        open_visit(page, axe_tab.site, replace(visit, lang=lang))  # checks <html lang>
        headings[lang] = main_heading(page)
        violations = axe_violations(page)
        if violations:
            found.append(f"axe, {lang}:\n{describe_violations(violations)}")
        if lang == "en":
            continue  # English, the shortest words, needs no 320 px check of its own
        left = english_left(page, lang)
        if left:
            found.append(f"English left, {lang}: {left}")
        try:
            assert_reflows(page)  # 320 px holds 360 too
        except AssertionError as exc:
            found.append(f"sideways scroll, {lang}: {exc}")
    assert found == [], f"{visit.path}:\n" + "\n".join(found)
    english = headings["en"]
    assert headings["be"] != english and headings["ru"] != english, headings
    assert headings["be"] != headings["ru"], headings


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_help_flow_states_have_no_axe_violations(
    axe_tab: Tab, live_app: LiveApp, lang: str
) -> None:
    page = axe_tab.page
    page.goto(f"/{lang}/help/")
    page.click("form.help-form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page, f"/{lang}/help/ with errors")

    # Contact by email without an address: an error inside the contact fieldset.
    page.fill("#message", "Text")
    page.check("#contact_method-2")
    page.click("form.help-form button[type=submit]")
    expect(page.locator("#email[aria-invalid=true]")).to_have_count(1)
    assert_no_axe_violations(page, f"/{lang}/help/ with a contact error")

    receipt = send_help_request(page, lang, "Accessibility check of the receipt page.")
    assert_no_axe_violations(page, f"/{lang}/help/ receipt")

    page.goto(f"/{lang}/help/check")
    page.fill("#receipt", "0000 0000 0000 0000")
    page.click("main form button[type=submit]")
    expect(page.locator(".notice")).to_be_visible()
    assert_no_axe_violations(page, f"/{lang}/help/check with a wrong receipt")

    page.fill("#receipt", "")
    page.click("main form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page, f"/{lang}/help/check with errors")

    live_app.reply_to_newest_request("We read your message and we can help.")
    open_request(page, lang, receipt)
    expect(page.locator(".thread__entry--staff")).to_have_count(1)
    assert_no_axe_violations(page, f"/{lang}/help/check thread with a reply")

    page.click("main form button[type=submit]")  # an empty message
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page, f"/{lang}/help/check thread with errors")

    page.fill("#message", "A second message.")
    page.click("main form button[type=submit]")
    expect(page.locator(".notice--ok")).to_be_visible()
    assert_no_axe_violations(page, f"/{lang}/help/check thread after a message")


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_not_found_page_has_no_axe_violations(axe_tab: Tab, lang: str) -> None:
    response = axe_tab.page.goto(f"/{lang}/statements/no-such-statement")
    assert response is not None and response.status == 404
    assert_no_axe_violations(axe_tab.page, f"/{lang}/ 404 page")


def test_staff_form_states_have_no_axe_violations(axe_tab: Tab) -> None:
    """The states of the editor's forms that no address opens: the editor with a preview,
    a new statement and a help line refused with their errors. Nothing is saved."""
    page = axe_tab.page
    open_visit(page, axe_tab.site, Visit(f"{STATEMENT}/en", editor_sign_in, public=False))
    page.click("button[name=action][value=preview]")
    page.locator(".preview").wait_for()
    assert_no_axe_violations(page, f"{STATEMENT}/en with a preview")

    page.goto("/staff/publishing/new-statement")
    page.fill("#slug", "")
    page.fill("#body", "## A heading\n\nText of a statement that is never saved.")
    page.click("button[name=action][value=publish]")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#slug[aria-describedby*=slug-error]")).to_have_count(1)
    assert_no_axe_violations(page, "/staff/publishing/new-statement with errors")

    page.goto("/staff/helplines/hotline")
    page.fill("#position", "")
    page.click("main form button[type=submit]")
    expect(page.locator(".error-summary a[href='#position']")).to_be_visible()
    assert_no_axe_violations(page, "/staff/helplines/hotline with errors")
