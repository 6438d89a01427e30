"""Saved replies in a real browser at a phone's width: a caseworker adds one, inserts it
under a request's reply box and deletes it again, all with JavaScript off; the pages reflow
at 320 px, have no axe violations, and the Insert button lands at the reply box."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ViewportSize, expect
from sqlalchemy import select

from campaign.core.db import db_session
from campaign.models import HelpRequest, SavedReply
from tests.browser.conftest import LiveApp, TabFactory
from tests.browser.sitepages import staff_sign_in
from tests.browser.tab import Tab
from tests.browser.tools import ROOT, assert_no_axe_violations, assert_reflows

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 360, "height": 640}
TEMPLATE = "Здравствуйте. Мы прочитали ваше сообщение.\nМы рядом."
TYPED = "Добрый день,\n  спасибо, что написали."


def shot(tab: Tab, name: str) -> None:
    """Full-page screenshots at 360 and 1280 px for people to look at (screenshots/ is
    git-ignored); the window is given back its phone size after."""
    folder: Path = ROOT / "screenshots"
    folder.mkdir(exist_ok=True)
    for width in (360, 1280):
        tab.page.set_viewport_size(ViewportSize(width=width, height=PHONE["height"]))
        path = folder / f"saved-replies-{name}-{width}.png"
        tab.page.screenshot(path=path, full_page=True)
    tab.page.set_viewport_size(PHONE)


def test_add_insert_delete_without_javascript(
    new_tab: TabFactory, axe_tab: Tab, live_app: LiveApp
) -> None:
    with live_app.app.app_context():
        russian = (
            db_session().scalars(select(HelpRequest.id).where(HelpRequest.language == "ru")).first()
        )
    assert russian is not None
    tab = new_tab(java_script_enabled=False, viewport=PHONE, hold_exits=False)
    page = tab.page
    staff_sign_in(page, tab.site)

    page.click("nav >> text=Saved replies")
    page.click("text=Add a saved reply")
    page.select_option("#language", "ru")
    page.fill("#title", "First answer")
    page.fill("#body", TEMPLATE)
    page.wait_for_load_state("load")
    assert_reflows(page)
    shot(tab, "edit")
    page.click("main form button[type=submit]")
    assert page.url.endswith("/staff/replies/#team-1")
    expect(page.locator("main")).to_contain_text("Saved reply added: First answer")
    page.wait_for_load_state("load")  # the stylesheet applied: reflow means something
    assert_reflows(page)
    shot(tab, "list")

    page.goto(f"/staff/requests/{russian}")
    assert page.locator("#reply-saved optgroup").first.get_attribute("label") == "Русский"
    page.fill("#reply-text", TYPED)
    page.click("button[name=insert]")
    assert page.url.endswith(f"/staff/requests/{russian}/reply/insert#reply-text")
    assert page.input_value("#reply-text") == TYPED + "\n\n" + TEMPLATE
    page.wait_for_load_state("load")  # the stylesheet applied and the page scrolled
    expect(page.locator("#reply-text")).to_be_in_viewport()
    box = page.locator("#reply-text").bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"]  # scrolled to the reply box
    insert = page.locator("button[name=insert]").bounding_box()
    assert insert is not None and insert["height"] >= 44
    assert_reflows(page)
    shot(tab, "inserted")

    for path in ("/staff/replies/", f"/staff/requests/{russian}"):
        staff_sign_in(axe_tab.page, axe_tab.site)
        axe_tab.page.goto(path)
        assert_no_axe_violations(axe_tab.page, path)

    page.goto("/staff/replies/")
    # This one's Delete (the live app has a saved reply of its own, see conftest.py).
    page.click("a.touch-link:has-text('Delete: First answer')")
    expect(page.locator("h1")).to_contain_text("Delete this saved reply?")
    page.wait_for_load_state("load")
    assert_reflows(page)
    page.click("text=Yes, delete it")
    expect(page.locator("main")).to_contain_text("Saved reply deleted: First answer")
    with live_app.app.app_context():
        left = select(SavedReply).where(SavedReply.title == "First answer")
        assert db_session().scalars(left).first() is None
