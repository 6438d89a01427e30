"""The statistics as files to take away: a CSV sheet and a standalone SVG bar chart, both
written from the published (small-count safe) figures of ``campaign.cases.stats``.

CSV choices:

- **UTF-8 with a byte order mark.** Excel on Windows reads a CSV without one in the
  machine's legacy code page (cp1251 on a Belarusian or Russian system, cp1252 elsewhere),
  which turns Cyrillic headers into mojibake; with the BOM it reads UTF-8. LibreOffice
  recognises the BOM too (its import dialog preselects UTF-8), and Python reads it with
  ``encoding="utf-8-sig"``. Comma separated, CRLF line ends (RFC 4180).
- Dates as ``YYYY-MM-DD`` and the median in whole minutes: no decimal separator, which
  differs between locales.
- The first lines start with ``#`` and say what the figures are, the small-count rule and
  that every figure is a week's (no total over the range: see ``campaign.cases.stats``); the
  header row follows, then one row per week and nothing else.
- **Formula injection.** Cells are vocabulary labels from our translations, dates and
  numbers, never anything a visitor typed; still, any text cell that begins with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so no
  spreadsheet runs it as a formula.

The SVG has a ``<title>`` and a ``<desc>`` (which lists every week's figure), generic font
families only, no links, no scripts, no styles, no event attributes: presentation
attributes and escaped text.
"""

from __future__ import annotations

import csv
import io
import math

from flask_babel import format_date, gettext
from markupsafe import Markup, escape

from campaign.cases.stats import SMALL, Column, Figures, Report, published, published_value


def _(text: str, **values: object) -> str:
    return str(gettext(text, **values))


RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
BAR = "#1d70b8"
TEXT = "#0b0c0c"
GRID = "#b1b4b6"


def safe_cell(value: str) -> str:
    """A text cell no spreadsheet will take for a formula."""
    return "'" + value if value.startswith(RISKY_STARTS) else value


def median_minutes(figures: Figures) -> str:
    median = figures.median_first_reply
    return "" if median is None else str(round(median.total_seconds() / 60))


def median_text(figures: Figures) -> str:
    """'3 h 05 min' for the page; a short reason when there is no median."""
    median = figures.median_first_reply
    if median is None:
        return _("fewer than %(n)s answered", n=SMALL)
    minutes = round(median.total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    if hours:
        return _("%(h)s h %(m)s min", h=hours, m=f"{rest:02d}")
    return _("%(m)s min", m=rest)


def rule_lines(report: Report) -> list[str]:
    """What the figures are and how small counts are written (CSV head and the page)."""
    first, last = report.range.first, report.range.last
    return [
        _(
            "Help requests per week, %(first)s to %(last)s; weeks run Monday to Sunday "
            "in the time zone %(zone)s.",
            first=first.isoformat(),
            last=last.isoformat(),
            zone=report.zone,
        ),
        _(
            "Counts under 5 (zero included) are written <5. Every other count, totals "
            "included, is rounded to the nearest 5, so that no count is exact."
        ),
        _(
            "Every figure is one week's and is the same in any range that holds that week. "
            "There are no totals over the range: comparing the totals of two ranges would "
            "show what <5 hides."
        ),
        _(
            "Median first reply: minutes from a request's arrival to the first staff reply, "
            "over that week's requests answered so far; empty when fewer than 5 were answered."
        ),
    ]


def column_header(column: Column) -> str:
    if column.dimension == "category":
        return _("Category: %(label)s", label=column.label)
    if column.dimension == "region":
        return _("Region: %(label)s", label=column.label)
    return _("Answer language: %(label)s", label=column.label)


def header_row(report: Report) -> list[str]:
    return [
        _("Week from"),
        _("Week to"),
        _("Requests"),
        *(column_header(c) for c in report.columns),
        _("Median first reply (minutes)"),
        _("Open at the end of the week"),
    ]


def _row(report: Report, week: Figures) -> list[str]:
    return [
        week.start.isoformat(),
        week.end.isoformat(),
        published(week.total),
        *(published(week.count(c.dimension, c.key)) for c in report.columns),
        median_minutes(week),
        published(week.backlog),
    ]


def csv_bytes(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in rule_lines(report):
        writer.writerow([safe_cell("# " + line)])
    writer.writerow([safe_cell(cell) for cell in header_row(report)])
    for week in report.weeks:  # the weekly rows only: no row over the range
        writer.writerow([safe_cell(cell) for cell in _row(report, week)])
    return (BOM + out.getvalue()).encode("utf-8")


def _scale(maximum: int) -> tuple[int, int]:
    """A top value and a tick step (5, 10, 20, 50, 100...: published counts are multiples
    of 5; at most 5 ticks)."""
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if maximum <= step * 5:
            return max(step, step * math.ceil(maximum / step)), step
    step = 10 ** len(str(maximum // 5))
    return step * math.ceil(maximum / step), step


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def chart_svg(report: Report, standalone: bool = False) -> Markup:
    """Requests per week as bars (the published figures); ``standalone`` adds the XML
    declaration and a white background for a file of its own."""
    weeks = report.weeks
    values = [published_value(w.total) for w in weeks]
    ymax, step = _scale(max(values, default=0))
    left, right, top, plot_height = 44, 12, 40, 200
    plot_width = max(304, 12 * len(weeks))
    slot = plot_width / len(weeks)
    width = left + plot_width + right
    bottom = top + plot_height
    height = bottom + 58
    every = math.ceil(len(weeks) / max(1, plot_width // 56))
    bar = min(slot * 0.7, 40.0)
    title = _("Help requests per week")
    summary = "; ".join(
        _("week of %(day)s: %(n)s", day=format_date(w.start, "d MMM y"), n=published(w.total))
        for w in weeks
    )
    desc = " ".join([*rule_lines(report)[:2], summary + "."])

    def y(value: float) -> float:
        return bottom - value / ymax * plot_height

    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'] if standalone else []
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        'aria-labelledby="stats-chart-title stats-chart-desc" '
        f'font-family="sans-serif" font-size="12" fill="{TEXT}">'
        f'<title id="stats-chart-title">{escape(title)}</title>'
        f'<desc id="stats-chart-desc">{escape(desc)}</desc>'
    )
    if standalone:
        out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    out.append(f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>')
    for tick in range(0, ymax + 1, step):
        out.append(
            f'<line x1="{left}" y1="{_n(y(tick))}" x2="{width - right}" y2="{_n(y(tick))}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_n(y(tick) + 4)}" text-anchor="end">{tick}</text>'
        )
    for index, (week, value) in enumerate(zip(weeks, values, strict=True)):
        centre = left + index * slot + slot / 2
        label = published(week.total)
        if value:
            tip = _("Week of %(day)s: %(n)s", day=format_date(week.start, "d MMM y"), n=label)
            out.append(
                f'<rect class="bar" x="{_n(centre - bar / 2)}" y="{_n(y(value))}" '
                f'width="{_n(bar)}" height="{_n(bottom - y(value))}" fill="{BAR}">'
                f"<title>{escape(tip)}</title></rect>"
            )
        if slot >= 28:  # room for the figure over every bar
            out.append(
                f'<text x="{_n(centre)}" y="{_n(y(value) - 4)}" text-anchor="middle" '
                f'font-size="11">{escape(label)}</text>'
            )
        if index % every == 0:
            out.append(
                f'<text x="{_n(centre)}" y="{bottom + 16}" text-anchor="middle" '
                f'font-size="11">{escape(format_date(week.start, "d MMM"))}</text>'
            )
    axis_label = _("Week starting (Monday)")
    no_bar_note = _("No bar: fewer than 5 requests that week.")
    out.append(
        f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
        f'<text x="{left}" y="{bottom + 34}">{escape(axis_label)}</text>'
        f'<text x="{left}" y="{bottom + 50}" font-size="11">'
        f"{escape(no_bar_note)}</text>"
        "</svg>"
    )
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above
