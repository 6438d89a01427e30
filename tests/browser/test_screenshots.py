"""Screenshots of the main pages at a phone's and a desktop's width, for people to look at.

Written to ``screenshots/`` at the project root (git-ignored; the README names it) as
``<name>-<lang>-<width>.png``, full page (a staff page: the language its shot asks for, if
any). The test checks each file is a PNG of the width asked for; looking at them is for
people, so they are taken only when asked: ``pytest --screenshots -m screenshots``.
"""

from __future__ import annotations

import struct
from dataclasses import replace
from pathlib import Path

import pytest

from campaign.core.config import LANGUAGES
from tests.browser.conftest import TabFactory
from tests.browser.sitepages import SCREENSHOT_WIDTHS, SCREENSHOTS, Shot
from tests.browser.tab import Tab
from tests.browser.tools import ROOT, open_visit

pytestmark = [pytest.mark.browser, pytest.mark.screenshots]

SCREENSHOT_DIR = ROOT / "screenshots"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


# The session's shared tabs of these widths (conftest.TAB_KINDS): a fresh context, and a
# sign-in for a staff page, cost about as much as the shot. Other widths get a tab each.
SHARED_TAB_OF_WIDTH = {360: "phone_tab", 1280: "js_tab"}


@pytest.mark.parametrize("width", SCREENSHOT_WIDTHS)
# Staff pages' shots are told apart by name (``-k staff`` runs them with the staff checks).
@pytest.mark.parametrize(
    "shot", SCREENSHOTS, ids=lambda s: s.name if s.visit.public else f"staff-{s.name}"
)
def test_screenshots(
    request: pytest.FixtureRequest, new_tab: TabFactory, shot: Shot, width: int
) -> None:
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    kind = SHARED_TAB_OF_WIDTH.get(width)
    tab: Tab = (
        request.getfixturevalue(kind) if kind else new_tab(viewport={"width": width, "height": 800})
    )
    viewport = tab.page.viewport_size
    assert viewport is not None and viewport["width"] == width
    languages = LANGUAGES if "{lang}" in shot.visit.path else ("",)
    for lang in languages:
        visit = replace(shot.visit, path=shot.visit.path.format(lang=lang))
        open_visit(tab.page, tab.site, visit)  # a staff visit's lang: asked for, checked
        if shot.then is not None:
            shot.then(tab.page)
        tab.page.wait_for_load_state("load")
        tab.page.evaluate("window.scrollTo(0, 0)")
        name = "-".join(part for part in (shot.name, lang or visit.lang, str(width)) if part)
        path = SCREENSHOT_DIR / f"{name}.png"
        tab.page.screenshot(path=path, full_page=True)
        assert png_size(path)[0] == width
