"""Which pages the browser suite visits: one line per page.

Every test module iterates these lists, so a page added here gets every check that applies
to it (quick exit, no-JS rendering, axe, focus, network, weight). Staff pages go in
``STAFF_VISITS``; one whose view needs a signed-in member names a ``prepare`` step, a
function ``(page, site) -> None`` that signs in through the real login form before the page
is opened, as ``staff_sign_in`` does for the inbox (the caseworker), ``editor_sign_in``
for the publishing and help line pages (the editor) and ``admin_sign_in`` for the admin pages.
Staff URLs carry no language: a staff visit's ``lang`` is sent as Accept-Language (the
members of the live app have no saved language, so the browser's decides).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from weakref import WeakKeyDictionary

from playwright.sync_api import BrowserContext, Page

from tests.browser.tab import LiveSite, StaffLogin
from tests.test_public_pages import public_paths

Prepare = Callable[[Page, LiveSite], None]


@dataclass(frozen=True)
class Visit:
    """One page to open: its path and what must happen before (e.g. signing in)."""

    path: str
    prepare: Prepare | None = None
    # Public pages carry the quick exit and must work without JavaScript.
    public: bool = True
    # Told apart in test ids when one page is visited twice (as two members).
    name: str = ""
    # A staff page's language, asked for with Accept-Language ("": the browser's own).
    lang: str = ""

    @property
    def id(self) -> str:
        path = self.path.strip("/").replace("/", "-") or "root"
        return "-".join(part for part in (path, self.name, self.lang) if part)


PUBLIC_VISITS: list[Visit] = [Visit(path) for path in public_paths()]


# Who each tab is signed in as, and with which session cookie: a tab (one browser context,
# shared between tests) goes from caseworker pages to editor pages and back. A member is
# taken as signed in only while the cookie made by their login is still the one the tab
# holds; anything else (another member, a logout, cleared cookies) means a fresh login.
SIGNED_IN: WeakKeyDictionary[BrowserContext, tuple[str, str]] = WeakKeyDictionary()
SESSION_COOKIE = "staff_session"


def session_cookie(page: Page, site: LiveSite) -> str | None:
    for cookie in page.context.cookies(site.url("/staff/")):
        if cookie.get("name") == SESSION_COOKIE:
            return cookie.get("value")
    return None


def sign_in(page: Page, site: LiveSite, member: StaffLogin | None, home: str) -> None:
    """Sign ``member`` in through the login form (it lands on ``home``), unless this tab's
    session is theirs already; another member's session is ended first (cookies cleared)."""
    assert member is not None, "the live site has no such member"
    cookie = session_cookie(page, site)
    if cookie is not None and SIGNED_IN.get(page.context) == (member.email, cookie):
        return
    page.context.clear_cookies()
    SIGNED_IN.pop(page.context, None)
    page.goto("/staff/login")
    page.fill("#email", member.email)
    page.fill("#password", member.password)
    page.fill("#code", member.code())
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{home}")
    cookie = session_cookie(page, site)
    assert cookie is not None, "signed in without a session cookie"
    SIGNED_IN[page.context] = (member.email, cookie)


def staff_sign_in(page: Page, site: LiveSite) -> None:
    """Sign in as the caseworker (who starts at the inbox), unless signed in already."""
    sign_in(page, site, site.staff, "/staff/")


def editor_sign_in(page: Page, site: LiveSite) -> None:
    """Sign in as the editor (who starts at the publishing list), unless signed in already."""
    sign_in(page, site, site.editor, "/staff/publishing/")


def admin_sign_in(page: Page, site: LiveSite) -> None:
    """Sign in as the admin (who starts at the inbox), unless signed in already."""
    sign_in(page, site, site.admin, "/staff/")


def staff_sign_out(page: Page, site: LiveSite) -> None:
    """Make sure no staff session is open (the login page would send one to the inbox)."""
    page.context.clear_cookies()
    SIGNED_IN.pop(page.context, None)


# The shipped English statement (it has a draft in the live app, see conftest.py) and its
# Belarusian translation; every staff page an editor uses, and the caseworker's help lines.
STATEMENT = "/staff/publishing/statements/2020-08-suspension"
# An open invitation of the live app (conftest.py stores it under this token) and the saved
# reply it makes for the default team (the first one, so number 1).
INVITE_TOKEN = "browser-suite-open-invitation"
SAVED_REPLY = "/staff/replies/1"
DEFAULT_TEAM = "/staff/admin/teams/1"


def staff(path: str, prepare: Prepare, name: str = "", lang: str = "") -> Visit:
    return Visit(path, prepare=prepare, public=False, name=name, lang=lang)


STAFF_VISITS: list[Visit] = [
    staff("/staff/login", staff_sign_out),
    staff(f"/staff/invite/{INVITE_TOKEN}", staff_sign_out),
    staff("/staff/", staff_sign_in),
    staff("/staff/requests/1", staff_sign_in),
    staff("/staff/replies/", staff_sign_in),
    staff("/staff/replies/new", staff_sign_in),
    staff(SAVED_REPLY, staff_sign_in),
    staff(f"{SAVED_REPLY}/delete", staff_sign_in),
    staff("/staff/account", staff_sign_in),
    staff("/staff/helplines/", staff_sign_in, name="caseworker"),
    staff("/staff/admin/users", admin_sign_in),
    staff("/staff/admin/teams", admin_sign_in),
    staff(DEFAULT_TEAM, admin_sign_in),
    staff("/staff/admin/routing", admin_sign_in),
    staff("/staff/admin/audit", admin_sign_in),
    staff("/staff/admin/retention", admin_sign_in),
    staff("/staff/admin/stats", admin_sign_in),
    staff("/staff/publishing/", editor_sign_in),
    staff(f"{STATEMENT}/en", editor_sign_in),
    staff(f"{STATEMENT}/en/history", editor_sign_in),
    staff(f"{STATEMENT}/be", editor_sign_in),
    staff(f"{STATEMENT}/details", editor_sign_in),
    staff("/staff/publishing/new-statement", editor_sign_in),
    staff("/staff/helplines/", editor_sign_in, name="editor"),
    staff("/staff/helplines/hotline", editor_sign_in),
]

ALL_VISITS: list[Visit] = PUBLIC_VISITS + STAFF_VISITS


def send_help_form_empty(page: Page) -> None:
    page.click("form.help-form button[type=submit]")
    page.locator(".error-summary").wait_for()


def press_preview(page: Page) -> None:
    """The editor's Preview button: the same page again, the text rendered below the form."""
    page.click("button[name=action][value=preview]")
    page.locator(".preview").wait_for()


@dataclass(frozen=True)
class Shot:
    """A screenshot: ``screenshots/<name>-<lang>-<width>.png`` (a staff page: its visit's
    ``lang``, or none).

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
    Shot("inbox", staff("/staff/", staff_sign_in)),
    Shot("request", staff("/staff/requests/1", staff_sign_in)),
    Shot("publishing", staff("/staff/publishing/", editor_sign_in)),
    Shot(
        "publishing-editor-preview",
        staff(f"{STATEMENT}/en", editor_sign_in),
        then=press_preview,
    ),
    Shot(
        "publishing-history",
        staff(f"{STATEMENT}/en/history", editor_sign_in),
    ),
    Shot("helplines", staff("/staff/helplines/", editor_sign_in)),
    Shot("account", staff("/staff/account", staff_sign_in, lang="ru")),
    Shot("admin-users", staff("/staff/admin/users", admin_sign_in, lang="be")),
]


LANGUAGES = ("be", "ru", "en")


def one_language_each(visits: list[Visit]) -> list[Visit]:
    """Each page once, in one language, the languages taken in turn (be, ru, en, be, ...).

    For checks of what every language shares (one template, one script, one stylesheet),
    where the other two languages would repeat the same page with other words: every page
    and every language is still visited. Staff pages (no language in their address) take
    the languages in turn too, as their visit's ``lang`` (sent as Accept-Language).
    """
    chosen: list[Visit] = []
    seen: set[str] = set()
    staff_pages = 0
    for visit in visits:
        parts = visit.path.split("/", 2)
        if len(parts) < 3 or parts[1] not in LANGUAGES:
            if visit.public:
                chosen.append(visit)
            else:
                chosen.append(replace(visit, lang=LANGUAGES[staff_pages % len(LANGUAGES)]))
                staff_pages += 1
            continue
        rest = parts[2]
        if rest in seen:
            continue
        seen.add(rest)
        lang = LANGUAGES[(len(seen) - 1) % len(LANGUAGES)]
        chosen.append(replace(visit, path=f"/{lang}/{rest}"))
    return chosen
