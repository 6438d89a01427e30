"""Which pages the browser suite visits: one line per page.

Every test module iterates these lists, so a page added here gets every check that applies
to it (quick exit, no-JS rendering, axe, focus, network, weight). Staff pages go in
``STAFF_VISITS``; one whose view needs a signed-in member names a ``prepare`` step, a
function ``(page, site) -> None`` that signs in through the real login form before the page
is opened, for example::

    STAFF_VISITS = [
        Visit("/staff/login"),
        Visit("/staff/inbox", prepare=staff_sign_in),
    ]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from campaign.config import LANGUAGES
from tests.test_public_pages import public_paths

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveSite

Prepare = Callable[["Page", "LiveSite"], None]


@dataclass(frozen=True)
class Visit:
    """One page to open: its path and what must happen before (e.g. signing in)."""

    path: str
    prepare: Prepare | None = None
    # Public pages carry the quick exit and must work without JavaScript.
    public: bool = True

    @property
    def id(self) -> str:
        return self.path.strip("/").replace("/", "-") or "root"


PUBLIC_VISITS: list[Visit] = [Visit(path) for path in public_paths()]

STAFF_VISITS: list[Visit] = [
    # Staff pages (login, inbox): add one line each, with public=False, e.g.
    # Visit("/staff/login", public=False),
    # Visit("/staff/inbox", prepare=staff_sign_in, public=False),
]

ALL_VISITS: list[Visit] = PUBLIC_VISITS + STAFF_VISITS

# Screenshots at each width: (file name stem, page). The help form is shown with errors.
SCREENSHOT_WIDTHS = (360, 1280)
SCREENSHOT_LANGUAGES: tuple[str, ...] = LANGUAGES
HELP_FORM_WITH_ERRORS = "help-errors"
SCREENSHOTS: list[tuple[str, str]] = [
    ("home", "/{lang}/"),
    ("statement", "/{lang}/statements/2020-08-suspension"),
    (HELP_FORM_WITH_ERRORS, "/{lang}/help/"),
    # ("inbox", "/staff/inbox"),  # with a prepare step, once the staff pages exist
]
