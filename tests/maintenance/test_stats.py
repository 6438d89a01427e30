"""Weekly statistics on SQLite and PostgreSQL, and the chart and table they are shown with."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from flask import Flask

from campaign.cases import stats
from campaign.core.db import db_session
from campaign.models import Team
from tests.maintenance.rows import add_request

SVG = "{http://www.w3.org/2000/svg}"
NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)  # a Wednesday in ISO week 11
MINSK = dt.timezone(dt.timedelta(hours=3))
W08, W09, W10, W11 = (dt.date(2026, 2, 16) + dt.timedelta(weeks=i) for i in range(4))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def seed(app: Flask) -> None:
    with app.app_context():
        session = db_session()
        team = Team(name="Hotline", public_key=bytes(32), is_default=True)
        other = Team(name="Lawyers", public_key=bytes(32))
        session.add_all([team, other])
        session.flush()
        for created, category, region in [
            (utc(2026, 3, 9, 0, 30), "physical", "gomel"),
            (utc(2026, 3, 10, 8, 0), "physical", "gomel"),
            (utc(2026, 3, 11, 11, 0), "economic", "brest"),
            (utc(2026, 3, 8, 23, 30), "legal", "minsk-city"),  # Sunday in UTC, Monday in Minsk
            (utc(2026, 2, 16, 0, 0), "sexual", "brest"),  # the first instant of the window
            (utc(2026, 2, 15, 23, 59), "other", "unspecified"),  # before it (UTC)
            (utc(2026, 3, 16, 0, 0), "other", "unspecified"),  # after it
        ]:
            add_request(
                session, team_id=team.id, created_at=created, category=category, region=region
            )
        add_request(session, team_id=other.id, created_at=utc(2026, 3, 2, 9), category="legal")
        session.commit()


def test_counts_per_week_by_category_and_region(db_app: Flask) -> None:
    seed(db_app)
    with db_app.app_context():
        session = db_session()
        counts = stats.weekly_counts(session, weeks=4, now=NOW)
        assert [w.start for w in counts.weeks] == [W08, W09, W10, W11]
        assert [w.label for w in counts.weeks] == ["W08", "W09", "W10", "W11"]
        by_category = counts.by_category
        assert [s.key for s in by_category.series][:2] == ["physical", "psychological"]
        assert by_category.series[0].label == "Physical violence: hitting, pushing, choking"
        assert by_category.count("physical", W11) == 2
        assert by_category.count("economic", W11) == 1
        assert by_category.count("legal", W10) == 2  # one per team
        assert by_category.count("sexual", W08) == 1
        assert sum(s.total for s in by_category.series if s.key == "other") == 0
        assert by_category.totals == (1, 0, 2, 3)
        assert counts.by_region.count("gomel", W11) == 2
        assert counts.by_region.count("brest", W08) == 1
        assert counts.by_region.count("minsk-city", W10) == 1
        assert counts.by_region.count("unspecified", W10) == 1  # the other team's request
        assert counts.by_region.totals == by_category.totals

        one_team = stats.weekly_counts(session, weeks=4, now=NOW, team_ids=[1])
        assert one_team.by_category.count("legal", W10) == 1

        # Weeks in Minsk time (UTC+3): Sunday 23:30 UTC is Monday; the window opens earlier.
        minsk = stats.weekly_counts(session, weeks=4, now=NOW, tz=MINSK)
        assert minsk.by_category.count("legal", W11) == 1
        assert minsk.by_category.count("other", W08) == 1
        assert minsk.by_category.totals == (2, 0, 1, 4)

        russian = stats.weekly_counts(session, weeks=4, now=NOW, locale="ru")
        assert russian.by_category.series[0].label.startswith("Физическое насилие")


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own output


def test_chart_is_an_accessible_svg_without_styles_or_scripts(db_app: Flask) -> None:
    seed(db_app)
    with db_app.app_context():
        counts = stats.weekly_counts(db_session(), weeks=4, now=NOW)
    svg_text = str(stats.chart_svg(counts.by_category, "Requests by category"))
    root = parse(svg_text)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 360 ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Requests by category"
    assert desc is not None and "2026-02-16 to 2026-03-15" in (desc.text or "")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"

    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    # One segment per non-empty (week, category): W08 sexual; W10 legal; W11 physical, economic.
    assert len(bars) == 4
    tips = sorted((bar.findtext(f"{SVG}title") or "") for bar in bars)
    assert any("W11" in tip and "Physical violence" in tip and tip.endswith(": 2") for tip in tips)
    assert all(bar.get("fill", "").startswith("#") for bar in bars)
    heights = {bar.findtext(f"{SVG}title"): float(bar.get("height", "0")) for bar in bars}
    physical = next(h for t, h in heights.items() if t and "Physical" in t)
    economic = next(h for t, h in heights.items() if t and "Control of money" in t)
    assert abs(physical - 2 * economic) < 0.01

    legend = root.find(f"{SVG}g[@class='legend']")
    assert legend is not None
    entries = [t.text for t in legend.iter(f"{SVG}text")]
    assert entries == [
        "Physical violence: hitting, pushing, choking (2)",
        "Sexual violence or pressure into sex (1)",
        "Control of money, documents or work (1)",
        "A legal question: protective order, police, court (2)",
    ]
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert {"W08", "W09", "W10", "W11", "Requests"} <= set(texts)

    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.lower().startswith("on") for name in element.attrib)
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}foreignObject")
    assert "style" not in svg_text.lower() and "script" not in svg_text.lower()
    assert "href" not in svg_text  # nothing loaded from anywhere


def test_empty_weeks_and_hostile_labels_still_make_valid_svg() -> None:
    weeks = tuple(
        stats.Week(2026, 10 + i, dt.date(2026, 3, 2) + dt.timedelta(weeks=i)) for i in range(2)
    )
    empty = stats.Breakdown("region", weeks, (stats.Series("x", "X", (0, 0)),))
    root = parse(str(stats.chart_svg(empty)))
    assert "No requests in these weeks." in [t.text for t in root.iter(f"{SVG}text")]
    hostile = stats.Breakdown(
        "category", weeks, (stats.Series("x", '<script>alert("x")</script> & "', (3, 0)),)
    )
    svg = str(stats.chart_svg(hostile, title="<b>title</b>"))
    root = parse(svg)
    assert "<script>" not in svg and root.findtext(f"{SVG}title") == "<b>title</b>"
    table = parse(str(stats.data_table(hostile)))
    assert table.findtext("thead/tr/th[2]") == '<script>alert("x")</script> & "'


def test_data_table_has_the_same_figures(db_app: Flask) -> None:
    seed(db_app)
    with db_app.app_context():
        counts = stats.weekly_counts(db_session(), weeks=4, now=NOW)
    table = parse(str(stats.data_table(counts.by_region, "Requests by region")))
    assert table.findtext("caption") == "Requests by region"
    headers = [th.text for th in table.findall("thead/tr/th")]
    assert headers[0] == "Week" and headers[-1] == "Total"
    assert "Gomel Region" in headers and len(headers) == 2 + 8
    rows = table.findall("tbody/tr")
    assert [row.findtext("th") for row in rows][-1] == "2026-W11 (from 2026-03-09)"
    gomel = headers.index("Gomel Region") - 1
    last = [int(td.text or "0") for td in rows[-1].findall("td")]
    assert last[gomel] == 2 and last[-1] == 3
    assert [int(td.text or "0") for td in table.findall("tfoot/tr/td")][-1] == 6
