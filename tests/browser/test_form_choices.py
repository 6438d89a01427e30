"""The help form in Chromium: contact fields that follow the chosen method, words that
follow "Who are you asking for?", the Shift hint only where there is a keyboard, and
screenshots of the form and the receipt at 360 px in Russian (``screenshots/``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from campaign.cases import crypto, intake
from campaign.core.db import db_session
from campaign.models import HelpRequest
from tests.browser.conftest import LiveApp, TabFactory
from tests.browser.tab import Tab
from tests.browser.tools import ROOT, send_help_request

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = ROOT / "screenshots"
PHONE = {"width": 360, "height": 640}

# Which contact field (its first control) shows for which method.
CONTROLS = {
    "phone": "#phone",
    "email": "#email",
    "messenger": "#messenger",
    "may_leave_message": "#may_leave_message-0",
    "safe_times": "#safe_times",
    "code_word": "#code_word",
    "contact_notes": "#contact_notes",
}
SHOWN_FOR = {
    "receipt": set(),
    "phone": {"phone", "may_leave_message", "safe_times", "code_word", "contact_notes"},
    "email": {"email", "contact_notes"},
    "messenger": {"messenger", "safe_times", "code_word", "contact_notes"},
}
METHOD_RADIO = {"receipt": 0, "phone": 1, "email": 2, "messenger": 3}
NEEDED = {"phone", "email", "messenger"}
NEEDED_IF_RU = {
    "phone": "Заполните, если выбрали звонок по телефону.",
    "email": "Заполните, если выбрали электронную почту.",
    "messenger": "Заполните, если выбрали мессенджер.",
}


def is_required(page: Page, selector: str) -> bool:
    return bool(page.locator(selector).evaluate("e => e.required"))


def is_disabled(page: Page, selector: str) -> bool:
    return bool(page.locator(selector).evaluate("e => e.disabled"))


def newest_contact(live_app: LiveApp) -> dict[str, str]:
    with live_app.app.app_context():
        request = db_session().scalars(select(HelpRequest).order_by(HelpRequest.id.desc())).first()
        assert request is not None
        return intake.read_contact(request, crypto.parse_recovery_key(live_app.team_key))


def shoot(page: Page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.wait_for_load_state("load")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)
    return path


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_with_javascript_only_the_chosen_methods_fields_show(js_tab: Tab, lang: str) -> None:
    page = js_tab.page
    page.goto(f"/{lang}/help/")
    for method in ("receipt", "phone", "email", "messenger", "receipt"):
        page.check(f"#contact_method-{METHOD_RADIO[method]}")
        for name, selector in CONTROLS.items():
            shown = name in SHOWN_FOR[method]
            assert page.locator(selector).is_visible() == shown, (method, name)
            # A hidden field is disabled: nothing typed in it is sent.
            assert is_disabled(page, selector) == (not shown), (method, name)
            if name in NEEDED:
                assert is_required(page, selector) == (name == method), (method, name)
                mark = page.locator(f"label[for={name}] [data-needed-mark]")
                assert mark.is_visible() == (name == method), (method, name)


def test_the_chosen_field_is_marked_required_in_its_label(js_tab: Tab) -> None:
    page = js_tab.page
    page.goto("/ru/help/")
    page.check("#contact_method-1")
    assert page.locator("label[for=phone]").inner_text() == "Номер телефона (обязательно)"
    assert page.locator("#phone-hint").inner_text() == NEEDED_IF_RU["phone"]


def test_what_a_hidden_field_holds_is_not_sent(js_tab: Tab, live_app: LiveApp) -> None:
    page = js_tab.page
    page.goto("/en/help/")
    page.fill("#message", "Changed my mind about the phone.")
    page.check("#contact_method-1")
    page.fill("#phone", "+375 29 555 55 55")
    page.fill("#safe_times", "mornings")
    page.check("#contact_method-2")
    page.fill("#email", "me@example.org")
    page.click("form.help-form button[type=submit]")
    page.locator(".receipt strong").wait_for()
    assert newest_contact(live_app) == {
        "method": "email",
        "for_whom": "",
        "email": "me@example.org",
    }


def test_an_error_round_shows_the_chosen_methods_field(js_tab: Tab) -> None:
    page = js_tab.page
    page.goto("/ru/help/")
    page.fill("#message", "Позвоните мне.")
    page.check("#contact_method-3")
    page.click("form.help-form button[type=submit]")
    summary = page.locator(".error-summary")
    assert "Вы выбрали мессенджер" in summary.inner_text()
    # The summary is in the page before the deferred script has run: wait for the script's
    # work rather than reading it the moment the summary appears.
    messenger = page.locator("#messenger")
    expect(messenger).to_have_js_property("required", True)
    expect(messenger).to_be_visible()
    expect(page.locator("#phone")).to_be_hidden()
    summary.locator("a").click()
    expect(messenger).to_be_focused()


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_without_javascript_every_field_shows_with_its_hint(nojs_tab: Tab, lang: str) -> None:
    page = nojs_tab.page
    page.goto(f"/{lang}/help/")
    for name, selector in CONTROLS.items():
        control = page.locator(selector)
        assert control.is_visible(), name
        assert not is_required(page, selector) and not is_disabled(page, selector), name
        hint = page.locator(f"#{name}-hint")
        assert hint.is_visible() and hint.inner_text(), name
    for name in NEEDED:
        assert not page.locator(f"label[for={name}] [data-needed-mark]").is_visible()
    if lang == "ru":
        for name, text in NEEDED_IF_RU.items():
            assert page.locator(f"#{name}-hint").inner_text() == text
    # Only the lead for whoever writes shows, and the note for someone writing for another.
    leads = page.locator("p.lead:visible")
    assert leads.count() == 1
    assert leads.first.get_attribute("data-for-whom") == "none"
    assert page.locator("[data-contact] [data-for-whom]").is_visible()


def test_without_javascript_the_form_is_sent_with_a_phone(nojs_tab: Tab, live_app: LiveApp) -> None:
    page = nojs_tab.page
    page.goto("/ru/help/")
    page.check("#for_whom-1")
    page.fill("#message", "Пишу о соседке.")
    page.check("#contact_method-1")
    page.fill("#phone", "+375 29 444 44 44")
    page.fill("#email", "not-sent@example.org")
    page.click("form.help-form button[type=submit]")
    page.locator(".receipt strong").wait_for()
    assert page.locator(".receipt-words strong").inner_text().count(" ") == 5
    contact = newest_contact(live_app)
    assert contact["method"] == "phone" and contact["phone"] == "+375 29 444 44 44"
    assert contact["for_whom"] == "someone-else"
    assert "email" not in contact


def test_words_follow_who_the_request_is_for(js_tab: Tab) -> None:
    page = js_tab.page
    page.goto("/ru/help/")
    note = page.locator("[data-contact] [data-for-whom]")

    def lead() -> str | None:
        visible = page.locator("p.lead:visible")
        assert visible.count() == 1
        return visible.first.get_attribute("data-for-whom")

    assert lead() == "none" and not note.is_visible()  # no contact questions: no note
    page.check("#contact_method-1")
    assert note.is_visible()
    page.check("#for_whom-1")
    assert lead() == "someone-else" and note.is_visible()
    assert "Спасибо" in page.locator("p.lead:visible").inner_text()
    page.check("#for_whom-0")
    assert lead() == "myself" and not note.is_visible()
    assert "нет вашей вины" in page.locator("p.lead:visible").inner_text()


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_on_a_phone_the_sent_page_opens_at_the_receipt(new_tab: TabFactory, lang: str) -> None:
    """The menu and the safety notice fill a phone's first screen; the receipt, shown only
    this once, must be what she sees on arrival: from its heading to the digits, below the
    exit bar (the words follow them, a scroll away on the smallest phones)."""
    tab = new_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    page = tab.page
    send_help_request(page, lang, "Where is my receipt?")
    page.wait_for_load_state("load")
    assert page.url.endswith("#receipt")
    expect(page.locator("#receipt h1")).to_be_in_viewport()
    bar = page.locator(".exit-bar").bounding_box()
    top = page.locator("#receipt h1").bounding_box()
    digits = page.locator(".receipt").bounding_box()
    assert bar is not None and top is not None and digits is not None
    assert top["y"] >= bar["y"] + bar["height"], (top, bar)
    assert digits["y"] + digits["height"] <= PHONE["height"], digits


@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_on_a_phone_a_notice_after_sending_is_brought_into_view(
    new_tab: TabFactory, lang: str
) -> None:
    """A notice that says what went wrong (here: no request with this number) stands at the
    top of the main content, below a first screen of menu and safety notice: the script
    moves focus to it, as to an error summary, so that she sees it without scrolling."""
    tab = new_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    page = tab.page
    page.goto(f"/{lang}/help/check")
    page.fill("#receipt", "1111 2222 3333 4444")
    page.click("main form button[type=submit]")
    notice = page.locator(".notice--warn")
    expect(notice).to_be_focused()
    expect(notice).to_be_in_viewport()
    bar = page.locator(".exit-bar").bounding_box()
    box = notice.bounding_box()
    assert bar is not None and box is not None
    assert box["y"] >= bar["y"] + bar["height"], (box, bar)


def test_shift_hint_only_with_a_keyboard(new_tab: TabFactory) -> None:
    desktop = new_tab()
    desktop.page.goto("/ru/")
    assert desktop.page.locator(".keyboard-hint").is_visible()
    touch = new_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    touch.page.goto("/ru/")
    assert not touch.page.locator(".keyboard-hint").is_visible()
    assert touch.page.locator("[data-quick-exit]").is_visible()
    # Without the script, Shift does nothing: no hint either.
    plain = new_tab(java_script_enabled=False)
    plain.page.goto("/ru/")
    assert not plain.page.locator(".keyboard-hint").is_visible()


@pytest.mark.screenshots
def test_screenshots_of_the_form_and_receipt_at_360_px_in_russian(new_tab: TabFactory) -> None:
    """For people to look at: the form without a choice, with a phone call chosen, without
    JavaScript, and the page with the receipt."""
    tab = new_tab(viewport=PHONE)
    page = tab.page
    page.goto("/ru/help/")
    shoot(page, "help-form-choices-ru-360")
    page.check("#for_whom-0")
    page.check("#contact_method-1")
    shoot(page, "help-form-phone-ru-360")
    page.fill("#message", "Снимок экрана для проверки.")
    page.fill("#phone", "+375 29 000 00 00")
    page.click("form.help-form button[type=submit]")
    page.locator(".receipt-words strong").wait_for()
    shoot(page, "help-sent-ru-360")
    page.goto("/ru/help/check")
    shoot(page, "help-check-ru-360")

    plain = new_tab(viewport=PHONE, java_script_enabled=False)
    plain.page.goto("/ru/help/")
    shoot(plain.page, "help-form-nojs-ru-360")


@pytest.mark.parametrize("width", [360, 320])
@pytest.mark.parametrize("lang", ["be", "ru", "en"])
def test_labelled_top_bar_fits_its_room(new_tab: TabFactory, lang: str, width: int) -> None:
    """The labels do not make the sticky bar taller than the scroll padding assumes (so
    focus never hides under it) or wider than the window."""
    tab = new_tab(viewport={"width": width, "height": 640})
    page = tab.page
    page.goto(f"/{lang}/")
    sizes = page.evaluate(
        """() => {
      const bar = document.querySelector('.exit-bar').getBoundingClientRect();
      const probe = document.createElement('div');
      probe.style.height = 'var(--bar-h)';
      document.body.appendChild(probe);
      const room = probe.getBoundingClientRect().height;
      probe.remove();
      return {bar: bar.height, room: room, scroll: document.documentElement.scrollWidth};
    }"""
    )
    assert sizes["bar"] <= sizes["room"] + 1, sizes  # + its bottom border
    assert sizes["scroll"] <= width, sizes
