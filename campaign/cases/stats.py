"""Statistics for admins: requests per ISO week by category and by region, as data, as an
inline SVG stacked bar chart and as a plain HTML table (the accessible twin of the chart).

Counting happens in SQL (one ``GROUP BY day, category, region`` query over the window, on
SQLite and PostgreSQL alike); days are folded into ISO weeks in Python, so at most
``7 * weeks * categories * regions`` small rows cross the wire, however many requests exist.
Weeks start on Monday in the time zone given (UTC by default); the shift to local time is
the zone's UTC offset at ``now``, so in zones with summer time a request within an hour of a
change may land one hour off, which weekly figures can bear.

The chart is built by hand: no JavaScript, no third-party library, no ``style`` attribute
or ``<style>`` element (the Content-Security-Policy forbids inline styles), colours and
sizes as presentation attributes only. It scales to the width of its container through
``viewBox`` and ``width="100%"`` and stays legible at 360 px.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from markupsafe import Markup, escape
from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

from campaign.cases.vocabulary import CATEGORIES, REGIONS, Choice
from campaign.models import HelpRequest
from campaign.models.base import as_utc

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
TEXT = "#222222"
GRID = "#d0d0d0"


@dataclass(frozen=True)
class Week:
    year: int
    number: int
    start: dt.date  # the Monday

    @property
    def label(self) -> str:
        return f"W{self.number:02d}"

    @property
    def long_label(self) -> str:
        return f"{self.year}-W{self.number:02d} (from {self.start.isoformat()})"


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    counts: tuple[int, ...]  # one per week, oldest first

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Breakdown:
    dimension: str  # "category" or "region"
    weeks: tuple[Week, ...]
    series: tuple[Series, ...]  # in the order of the form's choices, zeros included

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*(s.counts for s in self.series), strict=True))

    def count(self, key: str, week_start: dt.date) -> int:
        index = [w.start for w in self.weeks].index(week_start)
        return next(s.counts[index] for s in self.series if s.key == key)


@dataclass(frozen=True)
class WeeklyCounts:
    weeks: tuple[Week, ...]
    by_category: Breakdown
    by_region: Breakdown


def _labels(choices: Sequence[Choice], locale: str) -> list[tuple[str, str]]:
    with force_locale(locale):
        return [(str(choice.value), str(choice.label)) for choice in choices]


def _day_expression(session: Session, offset: dt.timedelta) -> Any:
    minutes = int(offset.total_seconds() // 60)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return func.date(HelpRequest.created_at, f"{minutes:+d} minutes")
    if dialect == "postgresql":
        local = func.timezone("UTC", HelpRequest.created_at) + offset
        return cast(local, Date)
    raise NotImplementedError(f"weekly counts are written for SQLite and PostgreSQL, not {dialect}")


def week_starts(weeks: int, now: dt.datetime, tz: dt.tzinfo) -> list[dt.date]:
    """The Mondays of the last ``weeks`` ISO weeks, the one holding ``now`` last."""
    today = now.astimezone(tz).date()
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def weekly_counts(
    session: Session,
    weeks: int = 12,
    now: dt.datetime | None = None,
    *,
    tz: dt.tzinfo = dt.UTC,
    locale: str = "en",
    team_ids: Collection[int] | None = None,
) -> WeeklyCounts:
    """Requests per ISO week (the last ``weeks``, including the current one), by category
    and by region, optionally only for some teams. Needs an app context (for labels)."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    now = as_utc(now)
    starts = week_starts(weeks, now, tz)
    offset = now.astimezone(tz).utcoffset() or dt.timedelta(0)
    window_start = dt.datetime.combine(starts[0], dt.time(), tzinfo=dt.UTC) - offset
    window_end = window_start + dt.timedelta(weeks=weeks)
    day = _day_expression(session, offset).label("day")
    query = (
        select(day, HelpRequest.category, HelpRequest.region, func.count(HelpRequest.id))
        .where(HelpRequest.created_at >= window_start, HelpRequest.created_at < window_end)
        .group_by(day, HelpRequest.category, HelpRequest.region)
    )
    if team_ids is not None:
        query = query.where(HelpRequest.team_id.in_(list(team_ids)))
    index = {start: i for i, start in enumerate(starts)}
    categories = _labels(CATEGORIES, locale)
    regions = _labels(REGIONS, locale)
    by_category = {key: [0] * weeks for key, _ in categories}
    by_region = {key: [0] * weeks for key, _ in regions}
    for day_value, category, region, count in session.execute(query):
        date = dt.date.fromisoformat(day_value) if isinstance(day_value, str) else day_value
        slot = index.get(date - dt.timedelta(days=date.weekday()))
        if slot is None:
            continue
        by_category.setdefault(category, [0] * weeks)[slot] += int(count)
        by_region.setdefault(region, [0] * weeks)[slot] += int(count)
    week_list = tuple(Week(*s.isocalendar()[:2], start=s) for s in starts)
    return WeeklyCounts(
        weeks=week_list,
        by_category=_breakdown("category", week_list, categories, by_category),
        by_region=_breakdown("region", week_list, regions, by_region),
    )


def _breakdown(
    dimension: str,
    weeks: tuple[Week, ...],
    labels: list[tuple[str, str]],
    counts: dict[str, list[int]],
) -> Breakdown:
    known = dict(labels)
    keys = [key for key, _ in labels] + sorted(k for k in counts if k not in known)
    series = tuple(Series(k, known.get(k, k), tuple(counts[k])) for k in keys)
    return Breakdown(dimension, weeks, series)


def _nice_scale(maximum: int) -> tuple[int, int]:
    """A top value and a tick step (1, 2 or 5 times a power of ten; at most 5 ticks)."""
    if maximum <= 0:
        return 1, 1
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if maximum <= step * 5:
                return step * -(-maximum // step), step
        magnitude *= 10


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def chart_svg(
    breakdown: Breakdown,
    title: str | None = None,
    *,
    chart_id: str | None = None,
    description: str | None = None,
) -> Markup:
    """A stacked bar chart (one bar per week, one colour per category or region)."""
    chart_id = chart_id or f"chart-{breakdown.dimension}"
    title = title or f"Requests per week by {breakdown.dimension}"
    weeks = breakdown.weeks
    totals = breakdown.totals
    shown = [(i, s) for i, s in enumerate(breakdown.series) if s.total > 0]
    if description is None:
        description = _describe(breakdown, shown)

    width, left, right, top, plot_height, font = 360, 30, 6, 34, 180, 12
    plot_width = width - left - right
    bottom = top + plot_height
    legend_top = bottom + 44
    height = legend_top + 18 * max(1, len(shown)) + 4
    slot = plot_width / len(weeks)
    bar = min(28.0, slot * 0.7)
    ymax, step = _nice_scale(max(totals, default=0))

    def y(value: float) -> float:
        return bottom - value / ymax * plot_height

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-size="{font}" fill="{TEXT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        '<text x="4" y="14">Requests</text>',
    ]
    for tick in range(0, ymax + 1, step):
        ty = _fmt(y(tick))
        out.append(
            f'<line x1="{left}" y1="{ty}" x2="{width - right}" y2="{ty}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(f'<text x="{left - 6}" y="{_fmt(y(tick) + 4)}" text-anchor="end">{tick}</text>')
    for w, week in enumerate(weeks):
        x = left + w * slot + (slot - bar) / 2
        stacked = 0
        for key_index, series in shown:
            count = series.counts[w]
            if not count:
                continue
            top_y, bar_h = y(stacked + count), count / ymax * plot_height
            stacked += count
            tooltip = f"{week.long_label}: {series.label}: {count}"
            out.append(
                f'<rect class="bar" x="{_fmt(x)}" y="{_fmt(top_y)}" width="{_fmt(bar)}" '
                f'height="{_fmt(bar_h)}" fill="{PALETTE[key_index % len(PALETTE)]}" '
                f'stroke="#ffffff" stroke-width="0.5"><title>{escape(tooltip)}</title></rect>'
            )
        centre = _fmt(left + w * slot + slot / 2)
        if totals[w]:
            out.append(
                f'<text x="{centre}" y="{_fmt(y(totals[w]) - 3)}" text-anchor="middle" '
                f'font-size="11">{totals[w]}</text>'
            )
        out.append(
            f'<text x="{centre}" y="{bottom + 16}" text-anchor="middle" '
            f'font-size="11">{week.label}</text>'
        )
    out.append(
        f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
    )
    out.append(
        f'<text x="{left + plot_width / 2:.0f}" y="{bottom + 32}" text-anchor="middle">'
        f"ISO week ({escape(_span(weeks))})</text>"
    )
    out.append('<g class="legend">')
    if not shown:
        out.append(f'<text x="4" y="{legend_top + 10}">No requests in these weeks.</text>')
    for row, (key_index, series) in enumerate(shown):
        ly = legend_top + row * 18
        out.append(
            f'<rect x="4" y="{ly}" width="12" height="12" '
            f'fill="{PALETTE[key_index % len(PALETTE)]}" stroke="{TEXT}" stroke-width="0.5"/>'
            f'<text x="20" y="{ly + 10}" font-size="11">'
            f"{escape(series.label)} ({series.total})</text>"
        )
    out.append("</g></svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above


def _span(weeks: Sequence[Week]) -> str:
    first, last = weeks[0], weeks[-1]
    return f"{first.start.isoformat()} to {(last.start + dt.timedelta(days=6)).isoformat()}"


def _describe(breakdown: Breakdown, shown: list[tuple[int, Series]]) -> str:
    total = sum(breakdown.totals)
    parts = ", ".join(f"{s.label}: {s.total}" for _, s in shown) or "none"
    return (
        f"Stacked bars, one per ISO week from {_span(breakdown.weeks)}, "
        f"{total} requests in all by {breakdown.dimension}: {parts}. "
        "The table with the same figures follows."
    )


def data_table(breakdown: Breakdown, caption: str | None = None) -> Markup:
    """The chart's figures as a plain table: one row per week, one column per series."""
    caption = caption or f"Requests per week by {breakdown.dimension}"
    head = "".join(f'<th scope="col">{escape(s.label)}</th>' for s in breakdown.series)
    rows = []
    for w, week in enumerate(breakdown.weeks):
        cells = "".join(f"<td>{s.counts[w]}</td>" for s in breakdown.series)
        rows.append(
            f'<tr><th scope="row">{escape(week.long_label)}</th>{cells}'
            f"<td>{breakdown.totals[w]}</td></tr>"
        )
    foot = "".join(f"<td>{s.total}</td>" for s in breakdown.series)
    return Markup(  # noqa: S704 - every interpolated text is escaped above
        f'<table class="stats-table"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">Week</th>{head}<th scope="col">Total</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody>"
        f'<tfoot><tr><th scope="row">Total</th>{foot}<td>{sum(breakdown.totals)}</td></tr>'
        "</tfoot></table>"
    )
