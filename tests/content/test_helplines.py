"""Help lines as visitors see them: a line is a ``tel:`` call to action only while it is
available and confirmed within ``HELPLINE_STALE_DAYS``; 112 always stands.

The acceptance test of the publishing issue: a help line marked unavailable, and one last
confirmed 91 days ago, never appear as a ``tel:`` call to action on any public page in any
language, and every page still offers 112.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign.content import helpline_edits as edits
from campaign.content.helplines import is_stale, view
from campaign.core.config import LANGUAGES
from campaign.core.db import db_session
from campaign.models import AuditEvent, Helpline, HelplineStatus
from tests.help.test_form_choices import BAR_LABELS, text_of
from tests.pagecheck import find
from tests.test_public_pages import public_paths

HOTLINE_TEL = "tel:88011008801"
CHILDREN_TEL = "tel:88011001611"
STALE_DAYS = 90


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Every request reads the content version: a change shows at once in this process."""
    app_config["CONTENT_CHECK_SECONDS"] = 0
    return app_config


def every_public_page() -> list[str]:
    """Every public URL in every language (as tests/test_public_pages.py lists them), and a
    page that does not exist (its 404 page shows the help numbers too)."""
    return [*public_paths(), *(f"/{lang}/no-such-page" for lang in LANGUAGES)]


def tel_links(html: str) -> list[str]:
    return [a["href"] for a in find(html, "a") if a.get("href", "").startswith("tel:")]


def bar_links(html: str) -> list[tuple[str, str]]:
    """The top bar's calls to action: (href, visible text)."""
    bar = html.split('class="exit-bar"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<a class="tel exit-bar__line" href="([^"]+)">(.*?)</a>', bar, re.S)
    return [(href, text_of(inner)) for href, inner in links]


def line(key: str) -> Helpline:
    found = edits.find_line(db_session(), key)
    assert found is not None, key
    return found


def add_children_line(app: Flask, today: dt.date) -> None:
    """A second phone line, in the top bar, confirmed today (so offered)."""
    with app.app_context():
        added = edits.add_line(
            db_session(),
            None,
            "children-helpline",
            {
                "kind": "hotline",
                "number": "8 801 100 16 11",
                "dial": "88011001611",
                "in_header": True,
                "texts": {"en": {"name": "Children's helpline", "hours": "around the clock"}},
            },
            today,
        )
        edits.confirm_today(db_session(), None, added, today)


def get_ok(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    wanted = 404 if path.endswith("/no-such-page") else 200
    assert response.status_code == wanted, path
    return response.get_data(as_text=True)


# -- the acceptance test ---------------------------------------------------------------


def test_unavailable_and_stale_lines_are_never_offered_and_112_always_is(db_app: Flask) -> None:
    today = dt.date.today()
    client = db_app.test_client()
    add_children_line(db_app, today)
    with db_app.app_context():
        edits.confirm_today(db_session(), None, line("hotline"), today)

    # Both are offered while confirmed and available: the check below can fail.
    for lang in LANGUAGES:
        links = tel_links(get_ok(client, f"/{lang}/help/"))
        assert HOTLINE_TEL in links and CHILDREN_TEL in links, lang

    with db_app.app_context():
        edits.update_line(
            db_session(),
            None,
            line("hotline"),
            {"last_confirmed": today - dt.timedelta(days=91), "last_confirmed_is_month": False},
            today,
        )
        edits.set_status(
            db_session(), None, line("children-helpline"), HelplineStatus.UNAVAILABLE.value
        )

    paths = every_public_page()
    assert len(paths) > 30
    for path in paths:
        html = get_ok(client, path)
        links = tel_links(html)
        assert HOTLINE_TEL not in links, path
        assert CHILDREN_TEL not in links, path
        assert HOTLINE_TEL not in html and CHILDREN_TEL not in html, path
        assert "tel:112" in links, path
        assert [href for href, _text in bar_links(html)] == ["tel:112"], path

    # What is known is still said, without a call to action.
    help_page = get_ok(client, "/en/help/")
    assert "8 801 100 8 801" in help_page
    assert "8 801 100 16 11" in help_page
    assert "Not available at the moment." in help_page


def test_a_hidden_unavailable_line_is_not_listed_at_all(db_app: Flask) -> None:
    today = dt.date.today()
    add_children_line(db_app, today)
    with db_app.app_context():
        children = line("children-helpline")
        edits.update_line(db_session(), None, children, {"hide_when_unavailable": True}, today)
        edits.set_status(db_session(), None, children, HelplineStatus.UNAVAILABLE.value)
    client = db_app.test_client()
    for lang in LANGUAGES:
        html = get_ok(client, f"/{lang}/help/")
        assert "8 801 100 16 11" not in html, lang
        assert "tel:112" in tel_links(html), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_line_confirmed_today_is_offered_in_the_top_bar(db_app: Flask, lang: str) -> None:
    with db_app.app_context():
        edits.confirm_today(db_session(), None, line("hotline"), dt.date.today())
    client = db_app.test_client()
    hotline, emergency = BAR_LABELS[lang]
    html = get_ok(client, f"/{lang}/")
    assert bar_links(html) == [
        (HOTLINE_TEL, f"{hotline} 8 801 100 8 801"),
        ("tel:112", f"{emergency} 112"),
    ]
    assert HOTLINE_TEL in tel_links(get_ok(client, f"/{lang}/help/"))


# -- is_stale at its boundary ----------------------------------------------------------


def row(kind: str = "hotline", confirmed: dt.date | None = None, month: bool = False) -> Helpline:
    return Helpline(
        key="x",
        kind=kind,
        number="1",
        dial="1",
        handle="",
        status=HelplineStatus.AVAILABLE.value,
        hide_when_unavailable=False,
        in_header=False,
        last_confirmed=confirmed,
        last_confirmed_is_month=month,
        texts={},
    )


def test_stale_after_the_limit_not_on_it() -> None:
    today = dt.date(2026, 3, 15)
    assert not is_stale(row(confirmed=today), today, STALE_DAYS)
    assert not is_stale(row(confirmed=today - dt.timedelta(days=90)), today, STALE_DAYS)
    assert is_stale(row(confirmed=today - dt.timedelta(days=91)), today, STALE_DAYS)


def test_never_confirmed_is_stale() -> None:
    assert is_stale(row(confirmed=None), dt.date(2026, 3, 15), STALE_DAYS)


def test_a_month_counts_from_its_last_day() -> None:
    august = row(confirmed=dt.date(2020, 8, 1), month=True)
    last_day = dt.date(2020, 8, 31)
    assert not is_stale(august, last_day + dt.timedelta(days=90), STALE_DAYS)
    assert is_stale(august, last_day + dt.timedelta(days=91), STALE_DAYS)
    # December rolls into the next year.
    december = row(confirmed=dt.date(2025, 12, 1), month=True)
    assert not is_stale(december, dt.date(2025, 12, 31) + dt.timedelta(days=90), STALE_DAYS)
    assert is_stale(december, dt.date(2025, 12, 31) + dt.timedelta(days=91), STALE_DAYS)


def test_emergency_numbers_never_go_stale() -> None:
    today = dt.date(2026, 3, 15)
    assert not is_stale(row("emergency", dt.date(2020, 8, 1), month=True), today, STALE_DAYS)
    assert not is_stale(row("emergency", None), today, STALE_DAYS)
    assert view(row("emergency", None), today, STALE_DAYS).offered


def test_offered_needs_available_and_recent() -> None:
    today = dt.date(2026, 3, 15)
    fresh = row(confirmed=today)
    assert view(fresh, today, STALE_DAYS).offered
    assert view(fresh, today, STALE_DAYS).tel == "tel:1"
    old = row(confirmed=today - dt.timedelta(days=91))
    assert not view(old, today, STALE_DAYS).offered
    assert view(old, today, STALE_DAYS).tel == ""
    fresh.status = HelplineStatus.UNAVAILABLE.value
    assert not view(fresh, today, STALE_DAYS).offered
    fresh.status = HelplineStatus.UNKNOWN.value
    assert not view(fresh, today, STALE_DAYS).offered


# -- the actions -----------------------------------------------------------------------


def test_an_edit_names_the_line_and_the_fields_it_changed(db_app: Flask) -> None:
    with db_app.app_context():
        dbs = db_session()
        hotline = line("hotline")
        changed = edits.update_line(
            dbs,
            None,
            hotline,
            {"status": "unavailable", "texts": {"ru": {"hours": "  по  будням "}}},
        )
        assert changed == ["status unknown->unavailable", "hours[ru]"]
        event = dbs.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        assert (event.actor_label, event.action, event.detail) == (
            "operator",
            "help line changed",
            "hotline: status unknown->unavailable, hours[ru]",
        )
        stored = line("hotline")
        assert stored.texts["ru"]["hours"] == "по будням"
        assert stored.texts["en"]["hours"] == "every day, 8:00–20:00"
        # The same again changes nothing and writes nothing.
        assert edits.update_line(dbs, None, stored, {"status": "unavailable"}) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dial": "8801abc"}, "dial"),
        ({"dial": "+" + "1" * 20}, "dial"),
        ({"kind": "pigeon"}, "kind"),
        ({"status": "maybe"}, "status"),
        ({"number": "1" * 41}, "number"),
        ({"texts": {"en": {"offers": "x" * 1001}}}, "offers_en"),
        ({"texts": {"en": {"colour": "red"}}}, "texts"),
        ({"texts": {"en": {"name": ""}, "be": {"name": ""}, "ru": {"name": ""}}}, "name_en"),
        ({"position": -1}, "position"),
        ({"last_confirmed": dt.date.today() + dt.timedelta(days=1)}, "last_confirmed"),
    ],
)
def test_bad_values_are_refused_before_anything_changes(
    db_app: Flask, changes: dict[str, object], field: str
) -> None:
    with db_app.app_context():
        with pytest.raises(edits.HelplineError) as refused:
            edits.update_line(db_session(), None, line("hotline"), changes)
        assert refused.value.field == field
        assert not db_session().dirty
        assert line("hotline").dial == "88011008801"


def test_dial_separators_are_dropped(db_app: Flask) -> None:
    with db_app.app_context():
        edits.update_line(db_session(), None, line("hotline"), {"dial": "8 (801) 100-88-01"})
        assert line("hotline").dial == "88011008801"
        edits.update_line(db_session(), None, line("hotline"), {"dial": "+375 17 000 00 00"})
        assert line("hotline").dial == "+375170000000"


def test_new_line_keys_are_slugs_and_unique(db_app: Flask) -> None:
    values = {"texts": {"en": {"name": "A line"}}}
    with db_app.app_context():
        for key in ("Hotline Two", "new", "hotline", "-x", "x" * 41, ""):
            with pytest.raises(edits.HelplineError):
                edits.add_line(db_session(), None, key, values)
        added = edits.add_line(db_session(), None, "line-2", values)
        assert (added.status, added.kind, added.position) == ("unknown", "hotline", 7)
