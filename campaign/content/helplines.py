"""Help lines as visitors see them: read from the database (``models.Helpline``), each with
what it may be offered as.

A line is *offered* (a ``tel:`` call to action: the top bar, the "Need help now?" box, page
prose through ``[[line:KEY]]``) only when its status is "available" and someone confirmed it
within ``HELPLINE_STALE_DAYS``. Emergency numbers (112, 101-103) are the state's and do not
go stale; an editor can still mark one unavailable. A line that is not offered is shown as
text with what is known: "unavailable", or "not confirmed since <month>"; an unavailable
line with ``hide_when_unavailable`` is not shown at all.

The shipped ``data/helplines.yaml`` is only the first import (``content/importer.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.models import Helpline as HelplineRow
from campaign.models import HelplineStatus

EMERGENCY = "emergency"


@dataclass(frozen=True)
class Helpline:
    """One help line as pages show it, on a given day; text fields are per language."""

    key: str
    kind: str
    number: str
    dial: str
    handle: str
    status: str
    hidden: bool
    in_header: bool
    stale: bool
    last_confirmed: dt.date | None
    last_confirmed_is_month: bool
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    def text(self, name: str, lang: str) -> str:
        for code in (lang, "en", *self.texts):
            value = self.texts.get(code, {}).get(name)
            if value:
                return value
        return ""

    @property
    def id(self) -> str:
        return self.key

    @property
    def available(self) -> bool:
        return self.status == HelplineStatus.AVAILABLE.value

    @property
    def unavailable(self) -> bool:
        return self.status == HelplineStatus.UNAVAILABLE.value

    @property
    def offered(self) -> bool:
        """May be offered as a call to action (a ``tel:`` link)."""
        return self.available and not self.stale and bool(self.dial or self.handle)

    @property
    def tel(self) -> str:
        return f"tel:{self.dial}" if self.dial and self.offered else ""


def is_stale(row: HelplineRow, today: dt.date, stale_days: int) -> bool:
    if row.kind == EMERGENCY:
        return False
    if row.last_confirmed is None:
        return True
    confirmed = row.last_confirmed
    if row.last_confirmed_is_month:  # "2020-08": count from the month's last day
        next_month = (confirmed.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        confirmed = next_month - dt.timedelta(days=1)
    return (today - confirmed).days > stale_days


def view(row: HelplineRow, today: dt.date, stale_days: int) -> Helpline:
    texts: dict[str, Any] = row.texts or {}
    return Helpline(
        key=row.key,
        kind=row.kind,
        number=row.number,
        dial=row.dial,
        handle=row.handle,
        status=row.status,
        hidden=row.status == HelplineStatus.UNAVAILABLE.value and row.hide_when_unavailable,
        in_header=row.in_header,
        stale=is_stale(row, today, stale_days),
        last_confirmed=row.last_confirmed,
        last_confirmed_is_month=row.last_confirmed_is_month,
        texts={str(k): {str(n): str(v) for n, v in (t or {}).items()} for k, t in texts.items()},
    )


def rows(session: Session) -> list[HelplineRow]:
    return list(session.scalars(select(HelplineRow).order_by(HelplineRow.position, HelplineRow.id)))


def load(session: Session, today: dt.date, stale_days: int) -> list[Helpline]:
    return [view(row, today, stale_days) for row in rows(session)]


def stale_rows(session: Session, today: dt.date, stale_days: int) -> list[HelplineRow]:
    """Lines an editor should look at: not confirmed within the limit (and not marked
    unavailable, which already says what is known)."""
    return [
        row
        for row in rows(session)
        if row.status != HelplineStatus.UNAVAILABLE.value and is_stale(row, today, stale_days)
    ]


def header_lines(lines: list[Helpline]) -> list[Helpline]:
    """The top bar's calls to action: offered lines marked ``in_header``; when none of the
    non-emergency ones is offered, the emergency number alone (112 takes the place)."""
    return [line for line in lines if line.in_header and line.offered]
