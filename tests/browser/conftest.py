"""The browser suite's fixtures: one live app and one Chromium per session.

The app runs as a real HTTP server (Werkzeug, threaded) on 127.0.0.1 and a free port, on
a temporary SQLite database made by the migrations, with a default team, a caseworker of
that team, an editor and an admin (for the staff pages; none has a saved language, so
Accept-Language chooses theirs), an open invitation and a saved reply of the team (for
their pages), a draft of the English statement (so that its editor shows a draft and its
history a diff with Restore) and a few requests, no minimum fill time and high rate
limits. Its quick exit points to a neutral address that no
request ever reaches (see ``tests/browser/tab.py``).

Chromium is Debian's (/usr/bin/chromium), started with the flags of ``devtools.chromium``
(the Lighthouse benchmark uses the same) and driven by Playwright; the tests skip only when
that binary is absent (``.ci/run`` installs it). Under pytest-xdist each worker that runs
browser tests has its own live app and Chromium. Tabs of the usual kinds (JavaScript
on, JavaScript off, and CSP bypassed for axe) are made once and reused by every test, for
speed (also a 360 px wide one); ``new_tab`` makes a fresh one with other
options (viewport, CDP metering).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Playwright, sync_playwright
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from campaign import create_app
from campaign.cases import accounts, crypto, intake, saved_replies
from campaign.cases.teams import create_team
from campaign.content import publishing
from campaign.content.publishing import Text
from campaign.core import migrate
from campaign.core.db import db_session, engine
from campaign.models import HelpRequest, StaffUser, Team
from devtools.chromium import CHROMIUM, CHROMIUM_FLAGS, chromium_missing
from tests.browser.sitepages import INVITE_TOKEN, SAVED_REPLY
from tests.browser.tab import QUICK_EXIT_URL, LiveSite, StaffLogin, Tab, open_tab
from tests.browser.tools import axe_source
from tests.conftest import TEST_CONFIG, seed_content
from tests.staff.staffclient import Member, fresh_code, grant, make_member

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

TAB_KINDS: dict[str, dict[str, Any]] = {
    "js": {},
    "nojs": {"java_script_enabled": False},
    # Only for axe: it is injected as an inline script, which the site's CSP forbids.
    # These two never press the quick exit (``tab.open_tab``: hold_exits).
    "axe": {"bypass_csp": True, "hold_exits": False},
    "phone": {"viewport": {"width": 360, "height": 640}, "hold_exits": False},
}


SEEDED_REQUESTS = [
    ("physical", "minsk-city", "be"),
    ("economic", "gomel", "ru"),
    ("someone-else", "unspecified", "en"),
]


class QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def whole_bodies(app: WSGIApplication) -> WSGIApplication:
    """Read each response whole and close the app's iterable before a byte is sent.

    Werkzeug's development server drains the socket before it calls ``close()`` on the
    response; when Chromium drops a connection (a tab closed mid-favicon), that drain
    raises and the static file is never closed: an unraisable ResourceWarning that the
    suite's ``filterwarnings = error`` turns into a failure of whichever test runs next.
    Every response of this site is small, so holding one in memory costs nothing.
    """

    def wrapped(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wrapped


@dataclass(frozen=True)
class LiveApp:
    app: Flask
    team_key: str
    caseworker: Member
    editor: Member
    admin: Member

    def login_of(self, member: Member) -> StaffLogin:
        return StaffLogin(member.email, member.password, lambda: fresh_code(self.app, member))

    def staff_login(self) -> StaffLogin:
        return self.login_of(self.caseworker)

    def editor_login(self) -> StaffLogin:
        return self.login_of(self.editor)

    def admin_login(self) -> StaffLogin:
        return self.login_of(self.admin)

    def reply_to_newest_request(self, text: str) -> None:
        """Answer the most recent help request as its team would (with the team key)."""
        with self.app.app_context():
            session = db_session()
            request = session.scalars(select(HelpRequest).order_by(HelpRequest.id.desc())).first()
            assert request is not None
            private = crypto.parse_recovery_key(self.team_key)
            intake.add_staff_reply(session, request, private, text)


DRAFTED_STATEMENT = ("statements", "2020-08-suspension", "en")


def save_statement_draft(app: Flask) -> None:
    """A draft of the English statement, a few lines changed: readers still get the
    published text, the staff pages show "has a draft", the history a diff to restore."""
    section, slug, lang = DRAFTED_STATEMENT
    with app.app_context():
        session = db_session()
        item = publishing.find_item(session, section, slug)
        assert item is not None, slug
        latest = publishing.latest_revision(publishing.language(item, lang))
        assert latest is not None
        body = latest.body.replace("\n\n", "\n\nA paragraph added in a draft.\n\n", 1)
        text = Text(latest.title + " (draft)", latest.summary, body)
        assert publishing.save_draft(session, None, item, lang, text) is not None


def open_invitation(app: Flask, admin: Member) -> None:
    """An invitation of a caseworker to the default team, not yet accepted, whose link
    is ``/staff/invite/<INVITE_TOKEN>`` (a fixed token: test ids name the page)."""
    with app.app_context():
        session = db_session()
        by = session.get(StaffUser, admin.id)
        team = session.scalar(select(Team).where(Team.is_default.is_(True)))
        assert by is not None and team is not None
        token = accounts.create_invitation(
            session, by=by, email="invited@example.org", name="Ivy Invited", team_ids=[team.id]
        )
        invitation = accounts.open_invitation(session, token)
        assert invitation is not None
        invitation.token_hash = accounts._token_hash(INVITE_TOKEN)
        session.commit()
        assert accounts.open_invitation(session, INVITE_TOKEN) is not None


def save_reply(app: Flask, caseworker: Member) -> None:
    """A saved reply of the default team, in Belarusian (its edit page: ``SAVED_REPLY``)."""
    with app.app_context():
        session = db_session()
        author = session.get(StaffUser, caseworker.id)
        team = session.scalar(select(Team).where(Team.is_default.is_(True)))
        assert author is not None and team is not None
        title, body = "Першы адказ", "Добры дзень. Мы прачыталі ваша паведамленне."
        reply = saved_replies.create(session, author, team, "be", title, body)
        assert f"/staff/replies/{reply.id}" == SAVED_REPLY, reply.id


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    database = tmp_path_factory.mktemp("browser") / "campaign.db"
    app = create_app(
        {
            **TEST_CONFIG,
            "TESTING": False,
            "DATABASE_URL": f"sqlite:///{database}",
            "QUICK_EXIT_URL": QUICK_EXIT_URL,
            "MIN_FILL_SECONDS": 0,
            "CONTENT_CHECK_SECONDS": 0,  # a publish in a test shows on the next page load
            "SUBMIT_RATE_LIMIT": "10000 per hour",
            "CHECK_RATE_LIMIT": "10000 per hour",
            "LOGIN_RATE_LIMIT": "10000 per hour",
        }
    )
    with app.app_context():
        migrate.upgrade(engine())
    seed_content(app)
    with app.app_context():
        _team, team_key = create_team(db_session(), "Hotline", default=True)
    caseworker = make_member(app, "caseworker@example.org", name="Casey Worker")
    grant(app, "Hotline", caseworker, team_key)
    editor = make_member(app, "editor@example.org", role="editor", name="Edith Editor")
    admin = make_member(app, "admin@example.org", role="admin", name="Ada Admin")
    open_invitation(app, admin)
    save_reply(app, caseworker)
    save_statement_draft(app)
    live = LiveApp(app, team_key, caseworker, editor, admin)
    with app.app_context():  # so the inbox has something to show
        for category, region, language in SEEDED_REQUESTS:
            submission = intake.Submission(category, region, language, "A seeded request.")
            intake.submit(db_session(), submission)
    live.reply_to_newest_request("We can help. Call us when it is safe.")
    yield live
    with app.app_context():
        engine().dispose()


@pytest.fixture(scope="session")
def site(live_app: LiveApp) -> Iterator[LiveSite]:
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, whole_bodies(live_app.app), threaded=True, request_handler=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="browser-app", daemon=True)
    thread.start()
    host = f"127.0.0.1:{server.server_port}"
    try:
        yield LiveSite(
            f"http://{host}",
            host,
            QUICK_EXIT_URL,
            live_app.staff_login(),
            live_app.editor_login(),
            live_app.admin_login(),
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    missing = chromium_missing()
    if missing:
        pytest.skip(missing)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS), headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def shared_tabs(browser: Browser, site: LiveSite) -> Iterator[dict[str, Tab]]:
    tabs: dict[str, Tab] = {}
    yield tabs
    for tab in tabs.values():
        tab.close()


def _shared_tab(kind: str, doc: str) -> Any:
    """The fixture ``<kind>_tab``: the session's tab of that kind (``TAB_KINDS``), made on
    first use, reset before each test and checked after it (``Tab.finish``)."""

    def use(shared_tabs: dict[str, Tab], browser: Browser, site: LiveSite) -> Iterator[Tab]:
        tab = shared_tabs.get(kind)
        if tab is None or tab.page.is_closed():
            tab = shared_tabs[kind] = open_tab(browser, site, **TAB_KINDS[kind])
            if kind == "axe":
                # axe-core in every document of this tab from its start, as the page's
                # scripts are: sent and compiled once per page load, not injected after.
                tab.context.add_init_script(axe_source())
        tab.reset()
        yield tab
        tab.finish()

    use.__name__ = use.__qualname__ = f"{kind}_tab"
    use.__doc__ = doc
    return pytest.fixture(name=f"{kind}_tab")(use)


js_tab = _shared_tab("js", "JavaScript on, the site's Content-Security-Policy enforced.")
nojs_tab = _shared_tab("nojs", "JavaScript off.")
axe_tab = _shared_tab("axe", "JavaScript on, CSP bypassed so that axe-core can be injected.")
phone_tab = _shared_tab("phone", "JavaScript on, CSP enforced, a 360 by 640 window.")


TabFactory = Callable[..., Tab]


@pytest.fixture
def new_tab(browser: Browser, site: LiveSite) -> Iterator[TabFactory]:
    """Make fresh tabs (options go to ``browser.new_context``), closed after the test."""
    made: list[Tab] = []

    def make(**options: Any) -> Tab:
        tab = open_tab(browser, site, **options)
        made.append(tab)
        return tab

    yield make
    for tab in made:
        tab.close()
    for tab in made:
        tab.assert_only_the_app()
