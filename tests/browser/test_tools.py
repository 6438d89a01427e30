"""The two private tools in a browser: "Is this abuse?" and the safety plan builder.

Each is filled and sent as a person would: without JavaScript (the result reads, names
what it should, keeps nothing of the answers in the URL, is the POST's own history entry,
offers the quick exit as a plain link; the plan prints alone), with JavaScript (no console
error, only the app contacted) and under axe (no violation, reflows at 320 px). One
language per tool and tab kind: the templates are shared between languages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from playwright.sync_api import ConsoleMessage, Page, Request

from campaign.public.toolforms import KIND_BY_KEY
from tests.browser.conftest import LiveApp
from tests.browser.sitepages import Visit
from tests.browser.tab import Tab
from tests.browser.tools import (
    assert_no_axe_violations,
    assert_reads_without_javascript,
    assert_reflows,
    open_settled,
    wait_for,
)

pytestmark = pytest.mark.browser

SELF_CHECK = "/{lang}/home-without-abuse/is-this-abuse"
SAFETY_PLAN = "/{lang}/home-without-abuse/safety-plan"
SUBMIT = "form.tool-form button[type=submit]"
RESULT_STATUS = 203  # campaign/public/tools.py: kept out of the back/forward cache

# "Is this abuse?": about herself; yes or sometimes to questions of four kinds.
ANSWERS = {"checks": "yes", "afraid": "sometimes", "insults": "sometimes", "hurts": "yes"}
CHOICE_INDEX = {"yes": 0, "sometimes": 1, "no": 2}
KINDS_POINTED = ["control", "fear", "put-downs", "physical"]

# The safety plan: distinctive words to find again in the plan (and never in a URL).
PEOPLE = "Aunt Zinaida keeps my bag and calls 112"
CODE_WORD = "Blue teapot"
TICKED = ["#bag", "#bag-2", "#documents"]  # money, a phone charger, the passport


def kind_titles(live_app: LiveApp, lang: str) -> list[str]:
    """The titles of the kinds the answers point to, in ``lang``, as the app words them."""
    with live_app.app.test_request_context(), force_locale(lang):
        return [str(KIND_BY_KEY[key].title) for key in KINDS_POINTED]


def send_form(page: Page, path: str) -> None:
    """Press the tool's submit button: the answer to that POST is the page now shown."""
    with page.expect_navigation() as navigation:
        page.click(SUBMIT)
    response = navigation.value
    assert response is not None
    assert response.request.method == "POST"
    assert response.status == RESULT_STATUS, (path, response.status)


def answer_self_check(page: Page, lang: str) -> str:
    """Fill "Is this abuse?" (opened already) and send it; returns its path."""
    path = SELF_CHECK.format(lang=lang)
    page.check("#about-0")  # about myself
    for name, answer in ANSWERS.items():
        page.check(f"#{name}-{CHOICE_INDEX[answer]}")
    send_form(page, path)
    return path


def fill_safety_plan(page: Page, lang: str) -> str:
    """Fill part of the safety plan (opened already) and send it; returns its path."""
    path = SAFETY_PLAN.format(lang=lang)
    page.fill("#people", PEOPLE)
    page.fill("#code_word", CODE_WORD)
    for box in TICKED:
        page.check(box)
    send_form(page, path)
    return path


def assert_answer_page(tab: Tab, live_app: LiveApp, lang: str, path: str) -> None:
    """The result of "Is this abuse?": the kinds named, ways to help, nothing in the URL."""
    page = tab.page
    assert_result_url(tab, path, ANSWERS.values())
    headings = page.locator("main h2").all_inner_texts()
    for title in kind_titles(live_app, lang):
        assert title in headings, (title, headings)
    assert page.locator(f"main a[href='/{lang}/help/']").count() >= 1
    assert page.locator("a[href='tel:112']").first.is_visible()


def assert_plan_page(tab: Tab, path: str) -> None:
    """The plan shows what she wrote and ticked, after the warning about printing."""
    page = tab.page
    assert_result_url(tab, path, [PEOPLE, CODE_WORD, "Zinaida", "teapot", "passport"])
    assert page.locator(".plan-warning").is_visible()
    plan = page.locator("article.plan")
    assert plan.is_visible()
    text = plan.inner_text()
    assert PEOPLE in text and CODE_WORD in text
    assert plan.locator("ul li").count() >= len(TICKED)


def assert_result_url(tab: Tab, path: str, words: Iterable[str]) -> None:
    """The page is the POST's answer at the tool's own address: no query string, no
    redirect, none of the answers in the URL."""
    url = tab.page.url
    assert url == tab.site.url(path), url
    assert urlsplit(url).query == ""
    for word in words:
        assert word not in url


# --- without JavaScript -----------------------------------------------------------------


def test_self_check_without_javascript(nojs_tab: Tab, live_app: LiveApp) -> None:
    page = nojs_tab.page
    response = page.goto(SELF_CHECK.format(lang="en"))
    assert response is not None and response.status == 200
    path = answer_self_check(page, "en")
    assert_answer_page(nojs_tab, live_app, "en", path)
    # The quick exit is a plain link on the result page too, and it leaves.
    assert_reads_without_javascript(nojs_tab)


def test_safety_plan_without_javascript_prints_only_the_plan(nojs_tab: Tab) -> None:
    page = nojs_tab.page
    response = page.goto(SAFETY_PLAN.format(lang="en"))
    assert response is not None and response.status == 200
    path = fill_safety_plan(page, "en")
    assert_plan_page(nojs_tab, path)

    page.emulate_media(media="print")
    try:
        plan = page.locator("article.plan")
        assert plan.is_visible()
        assert PEOPLE in plan.inner_text()
        for hidden in (".exit-bar", "[data-quick-exit]", ".plan-warning", "main h1"):
            assert not page.locator(hidden).is_visible(), hidden
        buttons = page.locator("button, .button")
        assert buttons.count() >= 1
        for index in range(buttons.count()):
            assert not buttons.nth(index).is_visible()
        assert not page.locator(".plan-actions").is_visible()
    finally:
        page.emulate_media(media="screen")
    assert page.locator(".exit-bar").is_visible()

    assert_reads_without_javascript(nojs_tab)


# --- with JavaScript ----------------------------------------------------------------------


def submit_settled(tab: Tab, send: Callable[[], object]) -> None:
    """Run ``send`` (fill and submit), wait until every request has ended; then: no
    console error, no failed request, only the app contacted (as ``open_settled``)."""
    page = tab.page
    errors: list[str] = []
    settled: list[Request] = []
    failed: list[Request] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_finished(request: Request) -> None:
        settled.append(request)

    def on_failed(request: Request) -> None:
        failed.append(request)
        settled.append(request)

    tab.reset()
    page.on("console", on_console)
    page.on("requestfinished", on_finished)
    page.on("requestfailed", on_failed)
    try:
        send()
        page.wait_for_load_state("load")
        wait_for(page, lambda: all(r in settled for r in tab.requests))
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("requestfinished", on_finished)
        page.remove_listener("requestfailed", on_failed)
    assert tab.requests, "the form was not sent"
    hosts = {request.url.split("/")[2] for request in tab.requests}
    assert hosts == {tab.site.host}, [r.url for r in tab.requests]
    assert errors == []
    assert [f"{r.url}: {r.failure}" for r in failed] == []


def test_self_check_with_javascript(js_tab: Tab, live_app: LiveApp) -> None:
    lang = "be"
    open_settled(js_tab, Visit(SELF_CHECK.format(lang=lang)))
    paths: list[str] = []
    submit_settled(js_tab, lambda: paths.append(answer_self_check(js_tab.page, lang)))
    assert_answer_page(js_tab, live_app, lang, paths[0])


def test_safety_plan_with_javascript(js_tab: Tab) -> None:
    lang = "ru"
    open_settled(js_tab, Visit(SAFETY_PLAN.format(lang=lang)))
    paths: list[str] = []
    submit_settled(js_tab, lambda: paths.append(fill_safety_plan(js_tab.page, lang)))
    assert_plan_page(js_tab, paths[0])


# --- axe and reflow -----------------------------------------------------------------------


def test_self_check_answer_has_no_axe_violations_and_reflows(
    axe_tab: Tab, live_app: LiveApp
) -> None:
    lang = "ru"
    page = axe_tab.page
    page.goto(SELF_CHECK.format(lang=lang))
    path = answer_self_check(page, lang)
    assert_answer_page(axe_tab, live_app, lang, path)
    assert_no_axe_violations(page, f"{path} result")
    assert_reflows(page)


def test_safety_plan_result_has_no_axe_violations_and_reflows(axe_tab: Tab) -> None:
    lang = "be"
    page = axe_tab.page
    page.goto(SAFETY_PLAN.format(lang=lang))
    path = fill_safety_plan(page, lang)
    assert_plan_page(axe_tab, path)
    assert_no_axe_violations(page, f"{path} result")
    assert_reflows(page)
