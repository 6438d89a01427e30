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

from playwright.sync_api import CDPSession, Page

from tests.browser.sitepages import Visit
from tests.browser.tab import LiveSite

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


def open_visit(page: Page, site: LiveSite, visit: Visit) -> None:
    """Run the visit's preparation (e.g. signing in), then open its page; expect 200."""
    if visit.prepare is not None:
        visit.prepare(page, site)
    response = page.goto(visit.path)
    assert response is not None, visit.path
    assert response.status == 200, (visit.path, response.status, page.url)


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
    """Inject axe-core (from a pinned package, never a CDN) and run the WCAG 2.2 AA rules.

    The page's CSP forbids inline scripts, so the context must be made with
    ``bypass_csp=True``; only the axe runs do that.
    """
    page.wait_for_load_state("load")  # the stylesheet applied, or contrast means nothing
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


# --- focus ----------------------------------------------------------------------------

FOCUS_STATE = """
() => {
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

    def visible_indicator(self) -> bool:
        return self.outline or self.shadow


def focus_stop(page: Page) -> FocusStop | None:
    state: dict[str, Any] | None = page.evaluate(FOCUS_STATE)
    return None if state is None else FocusStop(**state)


def assert_focus_shown(page: Page) -> FocusStop:
    """The focused element has a visible focus style and is not under the sticky bar."""
    stop = focus_stop(page)
    assert stop is not None, "nothing has focus"
    assert stop.visible_indicator(), f"no visible focus indicator on {stop}"
    assert not stop.covered, f"focused element hidden under the sticky bar: {stop}"
    return stop


def tab_to(page: Page, selector: str, limit: int = 80, backwards: bool = False) -> FocusStop:
    """Press Tab until the element matching ``selector`` has focus, checking every stop."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        stop = assert_focus_shown(page)
        if target.evaluate("el => el === document.activeElement"):
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
    assert page.locator(".thread__entry").count() >= 1
