"""Statistics for admins: requests per week for a date range, by category, region and answer
language, with the median time to the first staff reply and the open backlog at the end of
each week; the rule that makes the figures safe to take away; the audit of a download.

Only routing metadata and timestamps are read (``help_request`` and the times of
``request_message`` rows); nothing is decrypted. Writing the figures out (CSV, SVG) is
``campaign.cases.stats_files``.

Weeks run Monday to Sunday in the organisation's time zone (``BABEL_DEFAULT_TIMEZONE``); a
range is widened to whole weeks. A time is put on its local day with the zone's standard UTC
offset, the same for every range (Minsk keeps UTC+3 all year; in a zone with summer time the
days run from 01:00 to 01:00 in summer). Taking the offset at the start of the range, as
this once did, made a week's counts depend on the range asked for.

Efficiency: three grouped queries whatever the length of the range (requests per local day
and category, region and language; closings per local day; the open backlog before the
range) and one more for first replies, which returns one short row per answered request of
the range. Days are folded into weeks in Python.

**Small counts (the rule written on the page and at the top of the CSV).** A count of
requests is never published as it is:

- a count under 5 (0 included) is written ``<5``;
- every other count is rounded to the nearest multiple of 5.

**Only weekly figures, the same in every range.** Every figure published (page, CSV, chart)
is one week's cell: a count of that week, its median, its backlog. A week's cells depend on
that week alone, never on the range asked for, so a download of any range is the weekly rows
of its weeks and nothing else; no choice or combination of ranges tells more than the weekly
cells already do. There is therefore no total, median or other figure over the range. A range
total rounded per range leaked: Grodno with 4, 3 and 1 requests in weeks 1-3 shows "<5" in
each week, but weeks 1-2 summed to 7 ("5") and weeks 1-3 to 8 ("10"), so week 3 had at least
one request, and weeks 2-3 ("<5") narrowed it to 1-3. A total made from the published cells
is no better: "<5" may be 0 to 4 and "5" stands for 5 to 7, so it is not a count, and a bound
("at least N") helps nobody more than the cells themselves. Reading across weeks, the rows of
a longer range are those of the shorter one plus the weeks added (the test
``test_overlapping_ranges_tell_nothing_the_weekly_cells_do_not``).

Within a week the figures overlap: the total and the three breakdowns (category, region,
language) count the same requests. Why rounding and not only a second suppressed cell: an
exact total can be rebuilt from any breakdown whose cells are all 5 or more, and a single
suppressed region would then be "total minus the other regions". Suppressing a second cell
does not close that: the two cells' sum is still known, and since the second is at least 5
the first can be pinned down (a sum of 6 leaves 1). With every count rounded, the total and
the other cells are each known only to within a few, which hides a region's count in most
weeks but **not always**: a week of 8 requests, 7 from Gomel and 1 from Brest, shows a total
of "10" (at least 8), Gomel "5" (at most 7) and Brest "<5", so the hidden regions hold at
least one request between them. What rounding guarantees is that no published figure is
exact; it does not guarantee that a hidden cell could be zero. (Closing that needs rounding
that keeps the cells adding up to the total, or noise: a change of method, not of this page.)

The backlog is a count and follows the same rule; a week's backlog is the requests that
arrived before the end of that week and were not closed by then, whatever the range. Medians
are of one week only and shown only for a week with at least 5 answered requests; a median
is the time of a real reply (the middle one of an odd count), but not whose. The chart draws
the same rounded weekly totals, on a scale chosen from them.

What the figures cannot say: purged requests are no longer counted; a request that was
closed and then reopened counts as open since it arrived (only the last closing is stored);
the median is over the requests of that week that have a staff reply so far; a request whose
category, region or language is no longer offered counts in the week's total only (the
columns are the vocabularies as they are, the same for every range, see above).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Date, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from campaign.cases import audit
from campaign.cases.vocabulary import ANSWER_LANGUAGES, CATEGORIES, REGIONS, Choice
from campaign.core.settings import optional_setting
from campaign.models import HelpRequest, RequestMessage, StaffUser
from campaign.models.base import as_utc

SMALL = 5  # counts under this are written "<5"
ROUND_TO = 5  # every other count is rounded to a multiple of this
MAX_WEEKS = 105  # two years and a bit: a chart that still reads
DEFAULT_WEEKS = 12
DIMENSIONS = ("category", "region", "language")
FORMATS = ("csv", "svg")
AUDIT_ACTION = "stats-downloaded"
STAFF_AUTHOR = "staff"  # RequestMessage.author of a staff reply (campaign.cases.intake.STAFF)


def published(count: int) -> str:
    """A count as it may leave the building: ``<5``, or rounded to the nearest 5."""
    if count < SMALL:
        return f"<{SMALL}"
    return str((count + ROUND_TO // 2) // ROUND_TO * ROUND_TO)


def published_value(count: int) -> int:
    """The height a published count is drawn at: 0 for ``<5``, else the rounded count."""
    return 0 if count < SMALL else int(published(count))


class RangeError(ValueError):
    """A date range that cannot be counted; the message says why, in the reader's words."""


@dataclass(frozen=True)
class DateRange:
    """The dates as asked (text kept for the form) and the whole weeks they fall in."""

    asked_from: dt.date
    asked_to: dt.date

    @property
    def first(self) -> dt.date:  # the Monday of the first week
        return self.asked_from - dt.timedelta(days=self.asked_from.weekday())

    @property
    def last(self) -> dt.date:  # the Sunday of the last week
        return self.asked_to + dt.timedelta(days=6 - self.asked_to.weekday())

    @property
    def week_starts(self) -> list[dt.date]:
        weeks = (self.last - self.first).days // 7 + 1
        return [self.first + dt.timedelta(weeks=i) for i in range(weeks)]

    def describe(self) -> str:
        """For the audit log: ``2026-03-02..2026-03-15``."""
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def default_range(today: dt.date) -> DateRange:
    """The last ``DEFAULT_WEEKS`` weeks, this one included."""
    return DateRange(today - dt.timedelta(weeks=DEFAULT_WEEKS - 1), today)


def _parse_day(text: str, first: bool) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        message = (
            _(
                "The first day “%(text)s” is not a date. Write it as year-month-day, "
                "for example 2026-03-02.",
                text=text[:40],
            )
            if first
            else _(
                "The last day “%(text)s” is not a date. Write it as year-month-day, "
                "for example 2026-03-15.",
                text=text[:40],
            )
        )
        raise RangeError(message) from None


def parse_range(from_text: str, to_text: str, today: dt.date) -> DateRange:
    """The range asked for in the form, or a :class:`RangeError` saying what to change."""
    from_text, to_text = from_text.strip(), to_text.strip()
    if not from_text and not to_text:
        return default_range(today)
    if not from_text or not to_text:
        raise RangeError(_("Enter both dates: the first day and the last day to count."))
    asked_from = _parse_day(from_text, first=True)
    asked_to = _parse_day(to_text, first=False)
    if asked_from > asked_to:
        raise RangeError(_("The first day is after the last day. Swap them, or change one."))
    if asked_from > today:
        raise RangeError(_("The first day is in the future. Choose a day up to today."))
    if asked_from.year < 2000:
        raise RangeError(_("Choose a first day in the year 2000 or later."))
    chosen = DateRange(asked_from, asked_to)
    if len(chosen.week_starts) > MAX_WEEKS:
        raise RangeError(
            _("The range is too long: choose at most %(n)s weeks at a time.", n=MAX_WEEKS)
        )
    return chosen


@dataclass(frozen=True)
class Column:
    """One breakdown column: a stored value and its label in the reader's language."""

    dimension: str
    key: str
    label: str


@dataclass
class Figures:
    """The figures of one week (there are none for the range as a whole: see above)."""

    start: dt.date
    total: int = 0
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (dimension, key)
    reply_times: list[dt.timedelta] = field(default_factory=list)
    backlog: int = 0  # open at the end of the week

    @property
    def end(self) -> dt.date:  # the Sunday
        return self.start + dt.timedelta(days=6)

    @property
    def answered(self) -> int:
        return len(self.reply_times)

    @property
    def median_first_reply(self) -> dt.timedelta | None:
        """The median time to the first staff reply, if at least 5 requests had one."""
        if len(self.reply_times) < SMALL:
            return None
        return dt.timedelta(seconds=statistics.median(t.total_seconds() for t in self.reply_times))

    def count(self, dimension: str, key: str) -> int:
        return self.counts.get((dimension, key), 0)


@dataclass(frozen=True)
class Report:
    range: DateRange
    zone: str
    columns: tuple[Column, ...]
    weeks: tuple[Figures, ...]

    def columns_of(self, dimension: str) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.dimension == dimension)


def _zone() -> tuple[str, dt.tzinfo]:
    name = str(optional_setting("BABEL_DEFAULT_TIMEZONE") or "UTC")
    return name, ZoneInfo(name)


def standard_offset(zone: dt.tzinfo, now: dt.datetime | None = None) -> dt.timedelta:
    """The zone's UTC offset without summer time: the same whatever range is asked for (it
    changes only if the zone's standard time does)."""
    moment = as_utc(now).astimezone(zone)
    return (moment.utcoffset() or dt.timedelta(0)) - (moment.dst() or dt.timedelta(0))


def _day(session: Session, column: Any, offset: dt.timedelta) -> ColumnElement[Any]:
    """The local day of a stored UTC time, in SQL (SQLite and PostgreSQL)."""
    minutes = int(offset.total_seconds() // 60)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return func.date(column, f"{minutes:+d} minutes")
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column) + offset, Date)
    raise NotImplementedError(f"statistics are written for SQLite and PostgreSQL, not {dialect}")


def _as_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _columns() -> tuple[Column, ...]:
    vocabularies: Sequence[tuple[str, Sequence[Choice]]] = (
        ("category", CATEGORIES),
        ("region", REGIONS),
        ("language", ANSWER_LANGUAGES),
    )
    return tuple(
        Column(dimension, choice.value, str(choice.label))
        for dimension, choices in vocabularies
        for choice in choices
    )


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the organisation's time zone."""
    return as_utc(now).astimezone(_zone()[1]).date()


def report(session: Session, chosen: DateRange) -> Report:
    """The figures of every week of ``chosen`` (the current week's backlog is as of now:
    nothing later is stored). Needs an app context (time zone, labels)."""
    zone_name, zone = _zone()
    starts = chosen.week_starts
    offset = standard_offset(zone)
    window_start = dt.datetime.combine(chosen.first, dt.time(), tzinfo=dt.UTC) - offset
    window_end = window_start + dt.timedelta(weeks=len(starts))
    slot_of = {start: i for i, start in enumerate(starts)}
    weeks = [Figures(start) for start in starts]

    def slot(day_value: Any) -> int | None:
        day = _as_date(day_value)
        return slot_of.get(day - dt.timedelta(days=day.weekday()))

    created = _day(session, HelpRequest.created_at, offset).label("day")
    in_window = (HelpRequest.created_at >= window_start, HelpRequest.created_at < window_end)
    rows = session.execute(
        select(
            created,
            HelpRequest.category,
            HelpRequest.region,
            HelpRequest.language,
            func.count(HelpRequest.id),
        )
        .where(*in_window)
        .group_by(created, HelpRequest.category, HelpRequest.region, HelpRequest.language)
    )
    created_per_week = [0] * len(starts)
    for day_value, category, region, language, count in rows:
        index = slot(day_value)
        if index is None:
            continue
        week = weeks[index]
        week.total += int(count)
        created_per_week[index] += int(count)
        for key in zip(DIMENSIONS, (category, region, language), strict=True):
            week.counts[key] = week.counts.get(key, 0) + int(count)

    # The backlog: open before the range, plus arrivals, minus closings, week by week.
    open_before = session.scalar(
        select(func.count(HelpRequest.id)).where(
            HelpRequest.created_at < window_start,
            or_(HelpRequest.closed_at.is_(None), HelpRequest.closed_at >= window_start),
        )
    )
    closed = _day(session, HelpRequest.closed_at, offset).label("day")
    closed_per_week = [0] * len(starts)
    for day_value, count in session.execute(
        select(closed, func.count(HelpRequest.id))
        .where(HelpRequest.closed_at >= window_start, HelpRequest.closed_at < window_end)
        .group_by(closed)
    ):
        index = slot(day_value)
        if index is not None:
            closed_per_week[index] += int(count)
    backlog = int(open_before or 0)
    for index, week in enumerate(weeks):
        backlog += created_per_week[index] - closed_per_week[index]
        week.backlog = backlog

    first_reply = (
        select(
            RequestMessage.request_id.label("request_id"),
            func.min(RequestMessage.created_at).label("at"),
        )
        .where(RequestMessage.author == STAFF_AUTHOR)
        .group_by(RequestMessage.request_id)
        .subquery()
    )
    for day_value, asked_at, replied_at in session.execute(
        select(created, HelpRequest.created_at, first_reply.c.at)
        .join(first_reply, first_reply.c.request_id == HelpRequest.id)
        .where(*in_window)
    ):
        index = slot(day_value)
        if index is None:
            continue
        waited = max(as_utc(replied_at) - as_utc(asked_at), dt.timedelta(0))
        weeks[index].reply_times.append(waited)

    # The columns are the vocabularies, the same for every range: a column shown only when
    # some week of the range had a value would itself say that week had one.
    return Report(chosen, zone_name, _columns(), tuple(weeks))


def record_download(session: Session, actor: StaffUser, chosen: DateRange, fmt: str) -> None:
    """Audit one download (who, which weeks, which format), in a transaction of its own."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a download's audit entry is committed with nothing else")
    audit.record(session, actor, AUDIT_ACTION, detail=f"{fmt} {chosen.describe()}")
    session.commit()
