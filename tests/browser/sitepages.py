"""Which pages the browser suite visits: one line per page.

Every test module iterates these lists, so a page added here gets every check that applies
to it (quick exit, no-JS rendering, axe, focus, network, weight). Staff pages go in
``STAFF_VISITS``; one whose view needs a signed-in member names a ``prepare`` step, a
function ``(page, site) -> None`` that signs in through the real login form before the page
is opened, as ``staff_sign_in`` does for the inbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page

from tests.browser.tab import LiveSite
from tests.test_public_pages import public_paths

Prepare = Callable[[Page, LiveSite], None]


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


def staff_sign_in(page: Page, site: LiveSite) -> None:
    """Sign in as the caseworker through the login form, unless signed in already."""
    assert site.staff is not None
    page.goto("/staff/")
    if "/staff/login" not in page.url:
        return
    page.fill("#email", site.staff.email)
    page.fill("#password", site.staff.password)
    page.fill("#code", site.staff.code())
    page.click("main form button[type=submit]")
    page.wait_for_url("**/staff/")


def staff_sign_out(page: Page, site: LiveSite) -> None:
    """Make sure no staff session is open (the login page would send one to the inbox)."""
    page.context.clear_cookies()


STAFF_VISITS: list[Visit] = [
    Visit("/staff/login", prepare=staff_sign_out, public=False),
    Visit("/staff/", prepare=staff_sign_in, public=False),
]

ALL_VISITS: list[Visit] = PUBLIC_VISITS + STAFF_VISITS


def send_help_form_empty(page: Page) -> None:
    page.click("form.help-form button[type=submit]")
    page.locator(".error-summary").wait_for()


@dataclass(frozen=True)
class Shot:
    """A screenshot: ``screenshots/<name>-<lang>-<width>.png`` (no lang for staff pages).

    ``{lang}`` in the visit's path is filled with each language; ``then`` runs after the
    page is open (e.g. sending the form empty to show its errors).
    """

    name: str
    visit: Visit
    then: Callable[[Page], None] | None = None


SCREENSHOT_WIDTHS = (360, 1280)
SCREENSHOTS: list[Shot] = [
    Shot("home", Visit("/{lang}/")),
    Shot("statement", Visit("/{lang}/statements/2020-08-suspension")),
    Shot("help-form-errors", Visit("/{lang}/help/"), then=send_help_form_empty),
    Shot("inbox", Visit("/staff/", prepare=staff_sign_in, public=False)),
]


def one_language_each(visits: list[Visit]) -> list[Visit]:
    """Each page once, in one language, the languages taken in turn (be, ru, en, be, ...).

    For checks of what every language shares (one template, one script, one stylesheet),
    where the other two languages would repeat the same page with other words: every page
    and every language is still visited. Staff pages (no language) are kept as they are.
    """
    languages = ("be", "ru", "en")
    chosen: list[Visit] = []
    seen: set[str] = set()
    for visit in visits:
        parts = visit.path.split("/", 2)
        if len(parts) < 3 or parts[1] not in languages:
            chosen.append(visit)
            continue
        rest = parts[2]
        if rest in seen:
            continue
        seen.add(rest)
        lang = languages[(len(seen) - 1) % len(languages)]
        chosen.append(Visit(f"/{lang}/{rest}", visit.prepare, visit.public))
    return chosen
