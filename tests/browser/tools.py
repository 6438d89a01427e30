"""What the browser tests do on a page: open it, run axe, look at focus, count bytes.

Plain functions over a Playwright ``Page``, so every test module (and staff pages added
later) shares them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.messages.pofile import read_po
from playwright.sync_api import CDPSession, ConsoleMessage, Page, Request, ViewportSize

from tests.browser.sitepages import Visit
from tests.browser.tab import LiveSite, Tab

ROOT = Path(__file__).resolve().parent.parent.parent
# axe-core's own axe.min.js (4.12.1), as shipped inside the PyPI package
# axe-playwright-python, pinned in requirements-dev.txt. Only the script is used.
AXE_PACKAGE = "axe-playwright-python"
AXE_SCRIPT = ("axe_playwright_python", "axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def declared_icon(page: Page, site: LiveSite) -> str | None:
    """The absolute URL of the page's icon, if it names one (fetched after the load event)."""
    icon = page.locator("link[rel=icon]")
    href = icon.get_attribute("href") if icon.count() else None
    return site.url(href) if href else None


def ask_for_language(page: Page, lang: str) -> None:
    """Send Accept-Language ``lang`` from now on in this tab ("": the browser's own again).
    The shared tabs are given back the browser's own before each test (``Tab.reset``)."""
    page.set_extra_http_headers({"Accept-Language": lang} if lang else {})


def page_language(page: Page) -> str:
    lang: str = page.evaluate("document.documentElement.lang")
    return lang


def open_visit(page: Page, site: LiveSite, visit: Visit) -> None:
    """Run the visit's preparation (e.g. signing in), then open its page; expect 200.

    A staff visit with a ``lang`` is asked for in that language (Accept-Language, which
    the tab keeps sending afterwards) and must come in it (``<html lang>``)."""
    if visit.prepare is not None:
        visit.prepare(page, site)
    if visit.lang:
        ask_for_language(page, visit.lang)
    response = page.goto(visit.path)
    assert response is not None, visit.path
    assert response.status == 200, (visit.path, response.status, page.url)
    # Not sent elsewhere on the way (a staff page to the login form, when signed out).
    assert urlsplit(page.url).path == urlsplit(visit.path).path, (visit.path, page.url)
    if visit.lang:
        assert page_language(page) == visit.lang, (visit.path, visit.lang)


def open_settled(tab: Tab, visit: Visit) -> None:
    """Open the visit's page and wait until every request it made has ended (its icon's
    too: that is fetched after the load event). Then: only the app was contacted, the
    console shows no error (a CSP violation is one) and no request failed."""
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

    page.on("console", on_console)
    page.on("requestfinished", on_finished)
    page.on("requestfailed", on_failed)
    try:
        open_visit(page, tab.site, visit)
        page.wait_for_load_state("load")
        icon = declared_icon(page, tab.site)
        wait_for(
            page,
            lambda: (
                (icon is None or icon in {r.url for r in settled})
                and all(r in settled for r in tab.requests)
            ),
        )
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("requestfinished", on_finished)
        page.remove_listener("requestfailed", on_failed)
    hosts = {request.url.split("/")[2] for request in tab.requests}
    assert hosts == {tab.site.host}, [r.url for r in tab.requests]
    assert errors == []
    # A navigation (the sign-in form of a staff visit) cancels what the page it leaves was
    # still loading, such as its icon: ERR_ABORTED is the browser's doing, not a failure.
    ours = [
        f"{r.url}: {r.failure}"
        for r in failed
        if r in tab.requests and r.failure != "net::ERR_ABORTED"
    ]
    assert ours == []


# --- quick exit -----------------------------------------------------------------------

QUICK_EXIT = "[data-quick-exit]"


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


def assert_reads_without_javascript(tab: Tab) -> None:
    """The public page open in ``tab`` (JavaScript off) reads well, and its quick exit, a
    plain link then, leaves for the neutral site."""
    page = tab.page
    heading = page.locator("main h1")
    assert heading.count() == 1 and heading.is_visible()
    assert len(page.locator("main").inner_text()) > 100
    # The stylesheet applies (it needs no script): the exit button is a red block, the
    # skip link is off-screen, the sticky bar sticks.
    exit_link = page.locator(QUICK_EXIT)
    assert exit_link.is_visible()
    assert exit_link.get_attribute("role") is None  # the script, which sets it, did not run
    assert exit_link.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(177, 14, 30)"
    assert page.locator(".exit-bar").evaluate("e => getComputedStyle(e).position") == "sticky"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] < 0
    # Nothing the page shows depends on a script.
    assert page.locator("noscript").count() == 0
    # The bar offers 112 always, and the help lines that may be offered now (the shipped
    # hotline is not: its status is unknown, see campaign/content/data/helplines.yaml).
    assert page.locator(".exit-bar a[href='tel:112']").is_visible()
    # The exit is a plain link to the neutral site, and it leaves.
    assert exit_link.get_attribute("href") == tab.site.quick_exit_url
    exit_link.click(no_wait_after=True)
    wait_for(page, lambda: bool(tab.held_exits))
    assert_arrives(tab)


# --- axe-core -----------------------------------------------------------------------


@cache
def axe_source() -> str:
    package, name = AXE_SCRIPT
    try:
        script = resources.files(package).joinpath(name)
        return script.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise AssertionError(
            f"axe-core's {name} not found ({exc}): pip install -r requirements-dev.txt"
            f" (it comes with {AXE_PACKAGE})"
        ) from exc


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.2 AA rules (axe from a pinned package, never a CDN).

    The shared axe tab has axe in every page from the start (an init script, see
    conftest.py); any other page gets it injected here. The page's CSP forbids inline
    scripts, so its context must be made with ``bypass_csp=True``; only the axe runs do that.
    """
    page.wait_for_load_state("load")  # the stylesheet applied, or contrast means nothing
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    # At the top of the page: axe's target-size rule treats the sticky bar as if it were
    # in the flow, so on a scrolled page it reports links passing under the bar
    # (axe-core issue #3720). Focus under the bar is checked by the keyboard tests.
    page.evaluate("window.scrollTo(0, 0)")
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe found on {what}:\n{describe_violations(violations)}"


OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
  .map(e => e.tagName.toLowerCase() + '.' + e.className)"""
NARROW: ViewportSize = {"width": 320, "height": 640}  # WCAG's width for reflow (1.4.10)


def assert_reflows(page: Page) -> None:
    """In a 320 px window the open page needs no sideways scrolling (WCAG 1.4.10); the
    window is given back its size after."""
    wide = page.viewport_size
    try:
        page.set_viewport_size(NARROW)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= NARROW["width"], (NARROW["width"], page.evaluate(OVERFLOWING))
    finally:
        if wide is not None:
            page.set_viewport_size(wide)


# --- language -------------------------------------------------------------------------

# What the page says in its own language: its text nodes and the attributes read out or
# shown (not inside an element marked with another language, nor a script or style).
PAGE_TEXTS = """() => {
  const own = e => e && e.closest('[lang]') === document.documentElement
    && !e.closest('script, style, noscript, template');
  const texts = [];
  // A parent's text nodes as one text: a word broken by <wbr> ("caseworker<wbr>@example.org")
  // is read as it shows, not as a catalogue word on its own.
  const byParent = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (own(parent)) byParent.set(parent, (byParent.get(parent) || '') + node.textContent);
  }
  texts.push(...byParent.values());
  for (const e of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    if (!own(e)) continue;
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
      if (e.hasAttribute(name)) texts.push(e.getAttribute(name));
    }
  }
  texts.push(document.title);
  return texts;
}"""
CATALOGUES = ROOT / "campaign" / "translations"
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Names that are also catalogue strings: "English" is the language's own name in every
# language menu (as "Беларуская" and "Русский" are), "Hotline" the live app's team.
NAMES = frozenset({"English", "Hotline"})


@cache
def translated_strings(lang: str) -> frozenset[str]:
    """The English strings the catalogue of ``lang`` translates (to something else)."""
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    return frozenset(
        message.id
        for message in catalog
        if isinstance(message.id, str)
        and isinstance(message.string, str)
        and message.string not in ("", message.id)
        and not message.fuzzy
        and ENGLISH_WORD.search(message.id)
    )


def english_left(page: Page, lang: str) -> list[str]:
    """Texts of the open page that are a string its catalogue translates into ``lang``,
    shown in English all the same (a label resolved too early, a missing ``_()``). A part
    of a text joined with " · " counts on its own."""
    english = translated_strings(lang)
    found: dict[str, None] = {}
    for text in page.evaluate(PAGE_TEXTS):
        whole = " ".join(text.split())
        for part in (whole, *whole.split(" · ")):
            if part in english and part not in NAMES:
                found[part] = None
    return list(found)


# --- focus ----------------------------------------------------------------------------

FOCUS_STATE = """
(target) => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const bar = document.querySelector('.exit-bar');
  const transparent = c => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    && !transparent(style.outlineColor);
  // Covered: some point of the element, where it meets the sticky bar, shows the bar.
  let covered = false;
  if (bar && !bar.contains(el)) {
    const b = bar.getBoundingClientRect();
    const left = Math.max(box.left, b.left), right = Math.min(box.right, b.right);
    const top = Math.max(box.top, b.top), bottom = Math.min(box.bottom, b.bottom);
    if (left < right && top < bottom) {
      for (const fx of [0.1, 0.5, 0.9]) {
        for (const fy of [0.1, 0.5, 0.9]) {
          const hit = document.elementFromPoint(
            left + (right - left) * fx, top + (bottom - top) * fy);
          if (hit && bar.contains(hit)) covered = true;
        }
      }
    }
  }
  return {
    tag: el.tagName.toLowerCase(),
    name: (el.getAttribute('name') || el.getAttribute('href') || el.id || '')
      + ' ' + (el.innerText || el.value || '').trim().slice(0, 40),
    outline: outline,
    shadow: style.boxShadow !== 'none',
    covered: covered,
    box: [box.left, box.top, box.right, box.bottom],
    target: target ? el.matches(target) : false,
  };
}
"""


@dataclass(frozen=True)
class FocusStop:
    tag: str
    name: str
    outline: bool
    shadow: bool
    covered: bool
    box: list[float]
    target: bool = False  # the element matches the selector asked about (``tab_to``)

    def visible_indicator(self) -> bool:
        return self.outline or self.shadow


def focus_stop(page: Page, target: str | None = None) -> FocusStop | None:
    """Where focus is now (one round trip to the page), or None on the document itself."""
    state: dict[str, Any] | None = page.evaluate(FOCUS_STATE, target)
    return None if state is None else FocusStop(**state)


def assert_shown(stop: FocusStop | None) -> FocusStop:
    """The stop has a visible focus style and is not under the sticky bar."""
    assert stop is not None, "nothing has focus"
    assert stop.visible_indicator(), f"no visible focus indicator on {stop}"
    assert not stop.covered, f"focused element hidden under the sticky bar: {stop}"
    return stop


def assert_focus_shown(page: Page) -> FocusStop:
    """The focused element has a visible focus style and is not under the sticky bar."""
    return assert_shown(focus_stop(page))


def tab_to(page: Page, selector: str, limit: int = 80, backwards: bool = False) -> FocusStop:
    """Press Tab until the element matching ``selector`` has focus, checking every stop."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        stop = assert_shown(focus_stop(page, selector))
        if stop.target:
            return stop
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


# --- weight ---------------------------------------------------------------------------


@dataclass
class Weight:
    """Bytes the browser received for one page load: on the wire and decoded bodies."""

    transferred: int = 0
    bodies: int = 0
    responses: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class WeightMeter:
    """Counts bytes with the DevTools protocol (``Network.loadingFinished``)."""

    def __init__(self, cdp: CDPSession) -> None:
        self.weight = Weight()
        self._urls: dict[str, str] = {}
        self._pending: set[str] = set()
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def reset(self) -> None:
        self.weight = Weight()
        self._pending.clear()

    def settled(self) -> bool:
        """Something loaded, and nothing is still loading."""
        return bool(self.weight.responses) and not self._pending

    def _sent(self, event: dict[str, Any]) -> None:
        self._pending.add(event["requestId"])

    def _response(self, event: dict[str, Any]) -> None:
        self._urls[event["requestId"]] = event["response"]["url"]

    def _data(self, event: dict[str, Any]) -> None:
        self.weight.bodies += int(event["dataLength"])

    def _finished(self, event: dict[str, Any]) -> None:
        self._pending.discard(event["requestId"])
        self.weight.transferred += int(event["encodedDataLength"])
        self.weight.responses.append(self._urls.get(event["requestId"], "?"))

    def _failed(self, event: dict[str, Any]) -> None:
        self._pending.discard(event["requestId"])
        self.weight.failed.append(self._urls.get(event["requestId"], event["requestId"]))


# --- waiting and typing ----------------------------------------------------------------


def wait_for(page: Page, condition: Callable[[], bool], timeout_ms: int = 5000) -> None:
    """Let the browser's events arrive until ``condition`` holds."""
    for _ in range(timeout_ms // 25):
        if condition():
            return
        page.wait_for_timeout(25)
    raise AssertionError("condition not met in time")


def type_like_a_person(page: Page, text: str) -> None:
    """Type with the Shift key held for each capital letter, as a keyboard does."""
    for char in text:
        if char.isascii() and char.isalpha() and char.isupper():
            page.keyboard.press(f"Shift+Key{char}")
        else:
            page.keyboard.type(char)


# --- the help flow --------------------------------------------------------------------

RECEIPT = re.compile(r"^\d{4} \d{4} \d{4} \d{4}$")


def send_help_request(page: Page, lang: str, message: str) -> str:
    """Fill and send the help form; returns the receipt shown."""
    page.goto(f"/{lang}/help/")
    page.fill("#message", message)
    page.click("form.help-form button[type=submit]")
    receipt = page.locator(".receipt strong").inner_text()
    assert RECEIPT.match(receipt), receipt
    return receipt


def open_request(page: Page, lang: str, receipt: str) -> None:
    """Enter the receipt on the follow-up page; the thread opens."""
    page.goto(f"/{lang}/help/check")
    page.fill("#receipt", receipt)
    page.click("main form button[type=submit]")
    # The click returns once the POST is sent; wait for the thread page it ends on
    # (a count taken at once could run before that document is parsed).
    page.locator(".thread__entry").first.wait_for(state="attached")
