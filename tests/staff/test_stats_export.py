"""Statistics to take away, on SQLite and PostgreSQL: the weekly figures of a known data set
(counts, medians, backlog, Minsk weeks), the small-count rule with its differencing case, no
figure over a range (two overlapping ranges tell nothing the weekly cells do not), the CSV and
SVG files, admins only, each download audited, a bad range a clear 400 page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from campaign.cases import stats, stats_files
from campaign.core.db import db_session, engine
from campaign.models import AuditEvent, HelpRequest, RequestMessage, Team
from tests.maintenance.rows import add_request
from tests.pagecheck import find
from tests.staff.staffclient import Member, logged_in_reading, login, make_member

SVG = "{http://www.w3.org/2000/svg}"
RANGE = {"from": "2026-03-02", "to": "2026-03-15"}  # two weeks, Monday to Sunday (Minsk)
WEEK_A, WEEK_B = dt.date(2026, 3, 2), dt.date(2026, 3, 9)
MINUTE = dt.timedelta(minutes=1)


def utc(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


def seed(app: Flask) -> None:
    """Week A (2-8 March, Minsk): 12 requests, 11 from Gomel and 1 from Brest, 6 physical and
    6 psychological; 5 answered after 10, 20, 30, 40 minutes and 5 hours; 4 closed that week.
    Week B (9-15 March): 3 requests, 2 answered, 2 of them and one from before closed."""
    with app.app_context():
        session = db_session()
        team = Team(name="Hotline", public_key=bytes(32), is_default=True)
        session.add(team)
        session.flush()

        def request(created: dt.datetime, category: str, region: str, **more: object) -> int:
            row: HelpRequest = add_request(
                session, team_id=team.id, created_at=created, category=category, region=region
            )
            for name, value in more.items():
                setattr(row, name, value)
            session.flush()
            return row.id

        def message(request_id: int, at: dt.datetime, author: str = "staff") -> None:
            session.add(
                RequestMessage(request_id=request_id, author=author, body=b"x", created_at=at)
            )

        closed = {"status": "closed"}
        # Before the range: one still open, one closed before it, one closed during it.
        request(utc(2, 20), "other", "unspecified")
        request(utc(2, 21), "other", "unspecified", closed_at=utc(2, 25), **closed)
        request(utc(2, 22), "other", "unspecified", closed_at=utc(3, 10), **closed)
        # Week A. Sunday 22:00 UTC is Monday 01:00 in Minsk: this one is in week A.
        request(utc(3, 1, 22), "physical", "gomel")
        answered = []
        for i in range(5):
            close = {"closed_at": utc(3, 6), **closed} if i < 4 else {}
            answered.append(request(utc(3, 3, 9 + i), "physical", "gomel", **close))
        for wait, request_id in zip((10, 20, 30, 40, 300), answered, strict=True):
            created = utc(3, 3, 9 + answered.index(request_id))
            message(request_id, created + MINUTE, author="person")  # not a reply
            message(request_id, created + wait * MINUTE)
            message(request_id, created + wait * MINUTE + dt.timedelta(hours=2))  # not the first
        for i in range(5):
            request(utc(3, 4, 10 + i), "psychological", "gomel")
        request(utc(3, 5), "psychological", "brest", language="ru")
        # Week B, the first on Monday 01:30 in Minsk (Sunday in UTC).
        b1 = request(utc(3, 8, 22, 30), "physical", "gomel")
        b2 = request(utc(3, 10), "physical", "minsk-city", closed_at=utc(3, 12), **closed)
        request(utc(3, 10, 13), "physical", "minsk-city")
        message(b1, utc(3, 8, 23, 30))
        message(b2, utc(3, 10, 15))
        # Answered in week A, closed on Sunday 15 March at 23:30 in Minsk (week B).
        row = session.get(HelpRequest, answered[4])
        assert row is not None
        row.status, row.closed_at = "closed", utc(3, 15, 20, 30)
        # Monday 16 March 00:30 in Minsk: after the range.
        request(utc(3, 15, 21, 30), "legal", "brest")
        session.commit()


def admin_client(app: Flask, language: str) -> tuple[FlaskClient, Member]:
    """An admin signed in, working in ``language`` (saved on the account, and the browser's)."""
    admin = make_member(app, "coordinator@example.org", "admin")
    return logged_in_reading(app, admin, language), admin


def test_published_counts_hide_small_numbers() -> None:
    shown = {n: stats.published(n) for n in (0, 1, 4, 5, 6, 7, 8, 12, 13, 15, 102)}
    assert shown == {
        **{n: "<5" for n in (0, 1, 4)},
        **{5: "5", 6: "5", 7: "5", 8: "10", 12: "10", 13: "15", 15: "15", 102: "100"},
    }
    assert stats_files.safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert [stats_files.safe_cell(t) for t in ("+1", "-1", "@A1", "<5", "10")] == [
        "'+1",
        "'-1",
        "'@A1",
        "<5",
        "10",
    ]


def test_weeks_are_cut_at_the_standard_offset_whatever_the_range() -> None:
    vilnius = ZoneInfo("Europe/Vilnius")  # summer time: UTC+3 in July, UTC+2 in January
    for moment in (utc(1, 15), utc(7, 15)):
        assert stats.standard_offset(vilnius, moment) == dt.timedelta(hours=2)
    assert stats.standard_offset(ZoneInfo("Europe/Minsk"), utc(7, 15)) == dt.timedelta(hours=3)


def test_weekly_figures_medians_and_backlog(db_app: Flask) -> None:
    seed(db_app)
    with db_app.test_request_context():  # labels need a language
        session = db_session()
        chosen = stats.parse_range(RANGE["from"], RANGE["to"], dt.date(2026, 11, 29))
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(engine(), "before_cursor_execute", count)
        try:
            report = stats.report(session, chosen)
            long_range = stats.parse_range("2025-01-01", "2026-03-15", dt.date(2026, 11, 29))
            before = len(statements)
            stats.report(session, long_range)
        finally:
            event.remove(engine(), "before_cursor_execute", count)
        # Grouped in SQL: the same few queries for 2 weeks as for 63.
        assert before == len(statements) - before <= 4
        assert len(long_range.week_starts) == 63

    week_a, week_b = report.weeks
    assert (week_a.start, week_b.start, week_b.end) == (WEEK_A, WEEK_B, dt.date(2026, 3, 15))
    assert (week_a.total, week_b.total) == (12, 3)
    assert not hasattr(report, "whole")  # no figure over the range: see stats's docstring
    assert week_a.count("category", "physical") == 6
    assert week_a.count("category", "psychological") == 6
    assert (week_a.count("region", "gomel"), week_a.count("region", "brest")) == (11, 1)
    assert (week_a.count("language", "en"), week_a.count("language", "ru")) == (11, 1)
    assert week_b.count("region", "gomel") == 1 and week_b.count("region", "minsk-city") == 2
    assert week_a.median_first_reply == 30 * MINUTE
    assert week_b.answered == 2 and week_b.median_first_reply is None  # fewer than 5
    # Open at the end of A: 2 from before + 12 - 4 closed; of B: 10 + 3 - 3 closed.
    assert (week_a.backlog, week_b.backlog) == (10, 10)


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_and_svg_downloads_are_safe_translated_and_audited(db_app: Flask) -> None:
    seed(db_app)
    client, admin = admin_client(db_app, "ru")
    response = client.get("/staff/admin/stats.csv", query_string=RANGE)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response.data)
    comments = [row for row in rows if row[0].startswith("#")]
    assert len(comments) == 4 and "5" in comments[1][0]
    header, week_a, week_b = rows[len(comments) :]  # the weekly rows and nothing else
    assert len(header) == len(week_a) == len(week_b) == 3 + 7 + 8 + 3 + 2
    assert any("Физическое насилие" in cell for cell in header)  # labels in the admin's language
    cells = dict(zip(header, week_a, strict=True))
    by_key = {key: cells[next(h for h in header if label in h)] for key, label in LABELS.items()}

    # The differencing case: the week's total and Gomel's count are both shown; if they were
    # exact, Brest's 1 would be "total minus the others". Rounded, they give 10 - 10 = 0, and
    # the two categories (6 and 6, both shown) add up to 10, not to the real 12.
    assert (week_a[0], week_a[1], week_a[2]) == ("2026-03-02", "2026-03-08", "10")
    assert by_key == {"gomel": "10", "brest": "<5", "physical": "5", "psychological": "5"}
    assert week_a[-2:] == ["30", "10"]  # median minutes, open at the end of the week
    assert week_b[2] == "<5" and week_b[-2:] == ["", "10"]  # two answered: no median
    assert all(not cell.startswith(stats_files.RISKY_STARTS) for row in rows for cell in row)

    svg_response = client.get("/staff/admin/stats.svg", query_string=RANGE)
    assert svg_response.status_code == 200 and svg_response.mimetype == "image/svg+xml"
    text = svg_response.get_data(as_text=True)
    root = ET.fromstring(text.split("?>", 1)[1])  # noqa: S314 - our own output
    assert root.findtext(f"{SVG}title") and "<5" in (root.findtext(f"{SVG}desc") or "")
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]
    assert len(bars) == 1  # week B is under 5: no bar, its label says "<5"
    assert "<5" in [t.text for t in root.iter(f"{SVG}text")]
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")
        assert not any(n.lower().startswith("on") or "href" in n for n in element.attrib)
        assert "style" not in element.attrib
    assert "http" not in text.replace("http://www.w3.org/2000/svg", "")

    with db_app.app_context():
        events = db_session().scalars(
            select(AuditEvent).where(AuditEvent.action == stats.AUDIT_ACTION)
        )
        entries = [(e.actor_id, e.detail) for e in events]
    assert entries == [
        (admin.id, "csv 2026-03-02..2026-03-15"),
        (admin.id, "svg 2026-03-02..2026-03-15"),
    ]


LABELS = {
    "gomel": "Гомельская",
    "brest": "Брестская",
    "physical": "Физическое",
    "psychological": "Угрозы",
}


def test_page_shows_the_figures_and_bad_ranges_get_a_400_with_the_input_kept(
    db_app: Flask,
) -> None:
    seed(db_app)
    client, _admin = admin_client(db_app, "en")
    page = client.get("/staff/admin/stats", query_string=RANGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:2000]
    assert html.count("<svg") == 1 and "stats-chart-title" in html
    assert find(html, "input", name="from", value="2026-03-02")
    assert "2 March 2026" in html and "15 March 2026" in html  # |staff_date
    assert "30 min" in html and "fewer than 5 answered" in html
    assert "/staff/admin/stats.csv?from=2026-03-02&amp;to=2026-03-15" in html
    assert client.get("/staff/admin/stats").status_code == 200  # the last 12 weeks

    for query, words in (
        ({"from": "2026-03-15", "to": "2026-03-02"}, "The first day is after the last day"),
        ({"from": "banana", "to": "2026-03-02"}, "“banana” is not a date"),
        ({"from": "2026-03-02", "to": ""}, "Enter both dates"),
        ({"from": "2019-01-01", "to": "2026-03-02"}, "at most 105 weeks"),
        ({"from": "2099-01-01", "to": "2099-01-02"}, "in the future"),
    ):
        for url in ("/staff/admin/stats", "/staff/admin/stats.csv"):
            answer = client.get(url, query_string=query)
            body = answer.get_data(as_text=True)
            assert answer.status_code == 400 and words in body, (url, query, body[:3000])
            assert answer.mimetype == "text/html"
            assert find(body, "input", name="from", value=query["from"]), query
            assert find(body, "input", name="to", value=query["to"]), query
    assert client.get("/staff/admin/stats.xlsx", query_string=RANGE).status_code == 404
    with db_app.app_context():
        logged = db_session().scalars(
            select(AuditEvent).where(AuditEvent.action == stats.AUDIT_ACTION)
        )
        assert list(logged) == []  # a refused range downloads nothing and logs nothing


def test_everyone_but_admins_gets_a_404(db_app: Flask, team_key: str) -> None:
    urls = ["/staff/admin/stats", "/staff/admin/stats.csv", "/staff/admin/stats.svg"]
    for role in ("caseworker", "editor"):
        member = make_member(db_app, f"{role}@example.org", role)
        client = db_app.test_client()
        assert login(db_app, client, member).status_code == 302
        for url in urls:
            answer = client.get(url, query_string=RANGE)
            assert answer.status_code == 404, (role, url)
            assert "There is nothing here" in answer.get_data(as_text=True)
    stranger = db_app.test_client()
    assert [stranger.get(url).status_code for url in urls] == [302, 302, 302]  # to the login
    with db_app.app_context():
        assert (
            db_session().scalar(
                select(AuditEvent.id).where(AuditEvent.action == stats.AUDIT_ACTION)
            )
            is None
        )


GRODNO_MONDAYS = [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)]


def test_overlapping_ranges_tell_nothing_the_weekly_cells_do_not(db_app: Flask) -> None:
    """A reviewer's differencing attack. Grodno had 4, 3 and 1 requests in weeks 1, 2 and 3:
    every weekly cell is "<5". A range total rounded per range (weeks 1-2: 7 -> "5", weeks 1-3:
    8 -> "10") told whoever held both files that week 3 had at least one Grodno request, and
    weeks 2-3 ("<5") that it had 1 to 3. Every published figure must be a weekly cell, the same
    in every range that holds that week: a longer range only adds that week's rows."""
    with db_app.app_context():
        session = db_session()
        team = Team(name="Stats team", public_key=bytes(32))
        session.add(team)
        session.flush()
        for monday, n in zip(GRODNO_MONDAYS, (4, 3, 1), strict=True):
            for i in range(n):
                at = dt.datetime.combine(monday + dt.timedelta(days=2), dt.time(9 + i), dt.UTC)
                add_request(session, team_id=team.id, created_at=at, region="grodno")
        session.commit()
    client, _admin = admin_client(db_app, "en")
    sunday = dt.timedelta(days=6)

    def figures(first: int, last: int) -> tuple[list[str], list[list[str]]]:
        query = {
            "from": GRODNO_MONDAYS[first].isoformat(),
            "to": (GRODNO_MONDAYS[last] + sunday).isoformat(),
        }
        answer = client.get("/staff/admin/stats.csv", query_string=query)
        assert answer.status_code == 200
        rows = [row for row in read_csv(answer.data) if not row[0].startswith("#")]
        header, body = rows[0], rows[1:]
        grodno = header.index("Region: Grodno Region")
        assert [row[grodno] for row in body if row[0][:4] == "2026"] == ["<5"] * (last - first + 1)
        page = client.get("/staff/admin/stats", query_string=query).get_data(as_text=True)
        assert "All weeks" not in page and "<tfoot" not in page
        return header, body

    head_12, weeks_12 = figures(0, 1)
    head_13, weeks_13 = figures(0, 2)
    head_23, weeks_23 = figures(1, 2)
    assert head_12 == head_13 == head_23
    # Nothing but the weekly rows, and each week's row the same whatever the range.
    assert [row[0] for row in weeks_13] == [m.isoformat() for m in GRODNO_MONDAYS]
    assert weeks_13[:2] == weeks_12 and weeks_13[1:] == weeks_23
