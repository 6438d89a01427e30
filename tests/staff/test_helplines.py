"""Help lines in the staff area: editors and admins confirm a line, take a dead one off the
site in one click, edit its texts; caseworkers get a 404; every action is audited; lines
not confirmed lately are flagged at the top of every staff page for those who may publish.

The database holds the shipped lines: hotline (unknown, last confirmed 2020-08, in the top
bar), emergency 112 (in the top bar), police 102, ambulance 103, rescue 101, telegram-bot.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign.content import helpline_edits as edits
from campaign.core.config import LANGUAGES
from campaign.core.db import db_session
from campaign.models import AuditEvent
from tests.pagecheck import find
from tests.staff.staffclient import csrf_of, login, make_member, post_form
from tests.test_public_pages import public_paths

HOTLINE_TEL = "tel:88011008801"
LIST = "/staff/helplines/"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Every request reads the content version: a change shows at once in this process."""
    app_config["CONTENT_CHECK_SECONDS"] = 0
    return app_config


def signed_in(app: Flask, role: str) -> FlaskClient:
    member = make_member(app, f"{role}@example.org", role)
    client = app.test_client()
    assert login(app, client, member).status_code == 302
    return client


@pytest.fixture
def editor(db_app: Flask) -> FlaskClient:
    return signed_in(db_app, "editor")


class FormReader(HTMLParser):
    """The values a browser would send for the page's last form with a Save button:
    inputs, checked checkboxes, selected options, textareas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[name] = a.get("value") or "y"
            else:
                self.values[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str) -> dict[str, str]:
    form = html.split('<form method="post" novalidate', 1)[1].split("</form>", 1)[0]
    reader = FormReader()
    reader.feed("<form " + form)
    # A textarea's first newline is not part of its value (as in a browser).
    return {k: v.removeprefix("\r\n").removeprefix("\n") for k, v in reader.values.items()}


def tel_links(html: str) -> list[str]:
    return [a["href"] for a in find(html, "a") if a.get("href", "").startswith("tel:")]


def audit(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        events = db_session().scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.actor_label, e.action, e.detail) for e in events if "help line" in e.action]


def hotline_status(app: Flask) -> tuple[str, dt.date | None, bool]:
    with app.app_context():
        found = edits.find_line(db_session(), "hotline")
        assert found is not None
        return found.status, found.last_confirmed, found.last_confirmed_is_month


def click(client: FlaskClient, key: str, what: str) -> str:
    """Press a one-click button of the list; the list page after the redirect."""
    response = post_form(client, LIST, f"/staff/helplines/{key}/{what}", {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(LIST)
    return client.get(LIST).get_data(as_text=True)


# -- confirming and taking off ---------------------------------------------------------


def test_editor_confirms_the_hotline_and_every_page_offers_it(
    db_app: Flask, editor: FlaskClient
) -> None:
    public = db_app.test_client()
    assert HOTLINE_TEL not in public.get("/en/").get_data(as_text=True)
    listing = editor.get(LIST).get_data(as_text=True)
    assert "National Domestic Violence Hotline" in listing
    assert "shown with a warning" in listing

    page = click(editor, "hotline", "answered")
    assert "National Domestic Violence Hotline: confirmed as answering today." in page
    assert hotline_status(db_app) == ("available", dt.date.today(), False)

    for lang in LANGUAGES:
        home = public.get(f"/{lang}/").get_data(as_text=True)
        bar = home.split('class="exit-bar"', 1)[1].split("</div>", 1)[0]
        assert HOTLINE_TEL in tel_links(bar), lang
        assert HOTLINE_TEL in tel_links(public.get(f"/{lang}/help/").get_data(as_text=True))
    assert audit(db_app) == [
        ("editor@example.org", "help line confirmed", "hotline: status unknown->available")
    ]


def test_it_did_not_answer_takes_the_line_off_every_page_at_once(
    db_app: Flask, editor: FlaskClient
) -> None:
    public = db_app.test_client()
    click(editor, "hotline", "answered")
    assert HOTLINE_TEL in tel_links(public.get("/ru/").get_data(as_text=True))

    page = click(editor, "hotline", "not-answered")
    assert "marked as not answering" in page
    assert "shown as unavailable" in page
    assert hotline_status(db_app)[0] == "unavailable"
    for path in public_paths():
        html = public.get(path).get_data(as_text=True)
        assert HOTLINE_TEL not in html, path
        assert "tel:112" in tel_links(html), path
    assert [action for _who, action, _detail in audit(db_app)] == [
        "help line confirmed",
        "help line marked unavailable",
    ]
    assert audit(db_app)[-1][2] == "hotline: status available->unavailable"


def test_an_admin_may_do_it_too(db_app: Flask) -> None:
    admin = signed_in(db_app, "admin")
    assert admin.get(LIST).status_code == 200
    click(admin, "telegram-bot", "not-answered")
    assert audit(db_app) == [
        (
            "admin@example.org",
            "help line marked unavailable",
            "telegram-bot: status unknown->unavailable",
        )
    ]


def test_an_expired_button_changes_nothing(db_app: Flask, editor: FlaskClient) -> None:
    response = editor.post("/staff/helplines/hotline/not-answered", data={"csrf_token": "old"})
    assert response.status_code == 302
    assert "nothing was changed" in editor.get(LIST).get_data(as_text=True)
    assert hotline_status(db_app)[0] == "unknown"
    assert audit(db_app) == []


# -- the edit form ---------------------------------------------------------------------


def test_editing_the_russian_hours_shows_on_the_russian_help_page(
    db_app: Flask, editor: FlaskClient
) -> None:
    click(editor, "hotline", "answered")
    page = editor.get("/staff/helplines/hotline").get_data(as_text=True)
    values = form_values(page)
    assert values["hours_ru"] == "ежедневно, 8:00–20:00"
    assert values["dial"] == "88011008801"
    assert values["status"] == "available"
    assert values["in_header"] == "y"
    values["hours_ru"] = "по будням, 9:00–18:00"
    response = editor.post("/staff/helplines/hotline", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "National Domestic Violence Hotline: saved." in editor.get(LIST).get_data(as_text=True)

    public = db_app.test_client()
    assert "по будням, 9:00–18:00" in public.get("/ru/help/").get_data(as_text=True)
    assert "штодня, 8:00–20:00" in public.get("/be/help/").get_data(as_text=True)
    assert "every day, 8:00–20:00" in public.get("/en/help/").get_data(as_text=True)
    assert audit(db_app)[-1] == ("editor@example.org", "help line changed", "hotline: hours[ru]")

    # Sending the same form again changes nothing and writes nothing.
    again = form_values(editor.get("/staff/helplines/hotline").get_data(as_text=True))
    assert editor.post("/staff/helplines/hotline", data=again).status_code == 302
    assert "nothing changed" in editor.get(LIST).get_data(as_text=True)
    assert len(audit(db_app)) == 2


def test_a_bad_dial_string_shows_the_form_again_with_what_was_typed(
    db_app: Flask, editor: FlaskClient
) -> None:
    values = form_values(editor.get("/staff/helplines/hotline").get_data(as_text=True))
    values.update(dial="call 8801", hours_en="Mondays only", note="Called on Tuesday")
    response = editor.post("/staff/helplines/hotline", data=values)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "The number to dial may hold only digits" in html
    kept = form_values(html)
    assert kept["dial"] == "call 8801"
    assert kept["hours_en"] == "Mondays only"
    assert kept["note"] == "Called on Tuesday"
    assert kept["name_ru"] == values["name_ru"]
    with db_app.app_context():
        stored = edits.find_line(db_session(), "hotline")
        assert stored is not None and stored.dial == "88011008801"
        assert stored.texts["en"]["hours"] == "every day, 8:00–20:00"
    assert audit(db_app) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_confirmed", "August", "YYYY-MM-DD"),
        ("last_confirmed", "2999-01-01", "cannot be later than today"),
        ("position", "first", "Give a whole number"),
        ("number", "8" * 41, "at most 40 characters"),
        ("status", "perhaps", "Not a valid choice"),
        ("kind", "pigeon", "Not a valid choice"),
        ("name_en", "x" * 201, "at most 200 characters"),
    ],
)
def test_bad_values_are_refused_with_a_message(
    db_app: Flask, editor: FlaskClient, field: str, value: str, message: str
) -> None:
    values = form_values(editor.get("/staff/helplines/hotline").get_data(as_text=True))
    values[field] = value
    response = editor.post("/staff/helplines/hotline", data=values)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    if field not in ("status", "kind"):  # a select can only show its own options
        assert form_values(html)[field] == value


def test_a_line_needs_a_name(db_app: Flask, editor: FlaskClient) -> None:
    values = form_values(editor.get("/staff/helplines/hotline").get_data(as_text=True))
    for lang in LANGUAGES:
        values[f"name_{lang}"] = ""
    response = editor.post("/staff/helplines/hotline", data=values)
    assert response.status_code == 400
    assert "needs a name in at least one language" in response.get_data(as_text=True)


def test_an_expired_form_keeps_what_was_typed(db_app: Flask, editor: FlaskClient) -> None:
    values = form_values(editor.get("/staff/helplines/hotline").get_data(as_text=True))
    values.update(csrf_token="expired", hours_en="Weekends")
    response = editor.post("/staff/helplines/hotline", data=values)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The form had expired" in html
    assert form_values(html)["hours_en"] == "Weekends"


def test_a_new_line(db_app: Flask, editor: FlaskClient) -> None:
    page = editor.get("/staff/helplines/new").get_data(as_text=True)
    values = form_values(page)
    values.update(
        key="children-helpline",
        kind="hotline",
        number="8 801 100 16 11",
        dial="8 801 100 16 11",
        name_en="Children's helpline",
        name_ru="Детская телефонная линия",
        hours_en="around the clock",
    )
    response = editor.post("/staff/helplines/new", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)
    listing = editor.get(LIST).get_data(as_text=True)
    assert "Children&#39;s helpline: added." in listing
    with db_app.app_context():
        added = edits.find_line(db_session(), "children-helpline")
        assert added is not None
        assert (added.dial, added.status, added.position) == ("88011001611", "unknown", 7)
    # Not offered until someone confirms it answers.
    public = db_app.test_client()
    assert "tel:88011001611" not in public.get("/en/help/").get_data(as_text=True)
    click(editor, "children-helpline", "answered")
    assert "tel:88011001611" in tel_links(public.get("/en/help/").get_data(as_text=True))
    assert audit(db_app)[0] == (
        "editor@example.org",
        "help line added",
        "children-helpline: kind hotline, status unknown",
    )

    # The same short name again, or one that is not a slug: the form again, 400.
    for key, message in (("children-helpline", "exists already"), ("Kids Line!", "Latin letters")):
        values["key"] = key
        response = editor.post("/staff/helplines/new", data=values)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert form_values(response.get_data(as_text=True))["key"] == key


def test_an_unknown_line_is_404(editor: FlaskClient) -> None:
    assert editor.get("/staff/helplines/no-such-line").status_code == 404
    assert editor.get("/staff/helplines/" + "x" * 500).status_code == 404
    page = editor.get(LIST).get_data(as_text=True)
    token = csrf_of(page)
    response = editor.post("/staff/helplines/no-such-line/answered", data={"csrf_token": token})
    assert response.status_code == 404


# -- who may --------------------------------------------------------------------------


HELPLINE_URLS = [
    ("GET", "/staff/helplines/hotline"),
    ("POST", "/staff/helplines/hotline"),
    ("GET", "/staff/helplines/new"),
    ("POST", "/staff/helplines/new"),
    ("POST", "/staff/helplines/hotline/answered"),
]


def test_caseworkers_get_404_on_every_help_line_url_but_the_list(db_app: Flask) -> None:
    """Caseworkers may not offer or change a line (404), only see the list and take a line
    off (see the next test)."""
    caseworker = signed_in(db_app, "caseworker")
    token = csrf_of(caseworker.get("/staff/account").get_data(as_text=True))
    for method, url in HELPLINE_URLS:
        if method == "GET":
            response = caseworker.get(url)
        else:
            response = caseworker.post(url, data={"csrf_token": token, "status": "unavailable"})
        assert response.status_code == 404, (method, url)
    assert hotline_status(db_app)[0] == "unknown"
    assert audit(db_app) == []


def test_a_caseworker_can_take_a_dead_line_off_the_site(db_app: Flask) -> None:
    caseworker = signed_in(db_app, "caseworker")
    page = caseworker.get(LIST).get_data(as_text=True)
    assert "It did not answer" in page
    assert "It answered today" not in page and "/staff/helplines/new" not in page
    assert '/staff/helplines/hotline"' not in page  # no edit link
    token = csrf_of(page)
    response = caseworker.post("/staff/helplines/hotline/not-answered", data={"csrf_token": token})
    assert response.status_code == 302
    assert hotline_status(db_app)[0] == "unavailable"
    assert [(label, action) for label, action, _detail in audit(db_app)] == [
        ("caseworker@example.org", "help line marked unavailable")
    ]


def test_anonymous_visitors_are_sent_to_the_login(db_app: Flask) -> None:
    anonymous = db_app.test_client()
    assert anonymous.get(LIST).status_code == 302
    assert anonymous.post("/staff/helplines/hotline/not-answered").status_code in (400, 401)
    assert hotline_status(db_app)[0] == "unknown"


# -- the notice of stale lines ---------------------------------------------------------


def test_stale_lines_are_flagged_for_editors_and_admins_only(db_app: Flask) -> None:
    notice = "2 help lines have not been confirmed in the last 90 days"
    for role in ("editor", "admin"):
        client = signed_in(db_app, role)
        html = client.get("/staff/account").get_data(as_text=True)
        assert notice in html, role
        assert "National Domestic Violence Hotline, Hotline Telegram bot" in html
        assert find(html, "a", href=LIST), role
    caseworker = signed_in(db_app, "caseworker")
    html = caseworker.get("/staff/account").get_data(as_text=True)
    assert "have not been confirmed" not in html
    assert len(find(html, "a", href=LIST)) == 1  # the nav link only, no notice

    # Confirming one leaves one; marking the other unavailable leaves none.
    admin = client
    click(admin, "hotline", "answered")
    html = admin.get("/staff/account").get_data(as_text=True)
    assert "1 help line has not been confirmed in the last 90 days: Hotline Telegram bot." in html
    click(admin, "telegram-bot", "not-answered")
    assert "have not been confirmed" not in admin.get("/staff/account").get_data(as_text=True)


def test_112_always_stands(db_app: Flask, editor: FlaskClient) -> None:
    listing = editor.get(LIST).get_data(as_text=True)
    assert "112 always stands" in listing
    assert not find(listing, "form", action="/staff/helplines/emergency/not-answered")
    response = post_form(editor, LIST, "/staff/helplines/emergency/not-answered", {})
    assert response.status_code == 302
    assert "cannot be marked unavailable" in editor.get(LIST).get_data(as_text=True)

    values = form_values(editor.get("/staff/helplines/emergency").get_data(as_text=True))
    values["status"] = "unavailable"
    response = editor.post("/staff/helplines/emergency", data=values)
    assert response.status_code == 400
    assert "cannot be marked unavailable" in response.get_data(as_text=True)
    with db_app.app_context():
        emergency = edits.find_line(db_session(), "emergency")
        assert emergency is not None and emergency.status == "available"
    assert audit(db_app) == []
