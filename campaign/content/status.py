"""What needs an editor's attention, as plain lines: pages and statements missing, unpublished
or outdated in a language, or with a draft waiting; help lines not confirmed within
``HELPLINE_STALE_DAYS``, or marked unavailable.

``flask content status`` prints these lines; a staff page may show the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.orm import Session

from campaign.content import helplines, publishing
from campaign.models import Helpline, HelplineStatus

NOTHING_TO_REPORT = "Everything is published and current."


def _language_line(name: str, state: publishing.LanguageState, source: str | None) -> str:
    if state.state == publishing.MISSING:
        return f"{name} [{state.lang}]: missing"
    if state.state == publishing.DRAFT:
        return f"{name} [{state.lang}]: draft, not published"
    if state.state == publishing.OUTDATED:
        said = f"outdated: the {source} text was published after this translation"
        return f"{name} [{state.lang}]: {said}" + (", which has a draft" if state.has_draft else "")
    return f"{name} [{state.lang}]: published, with a newer draft"


def page_lines(session: Session, languages: Iterable[str]) -> list[str]:
    """One line per page and language that is missing, a draft, outdated or has a draft."""
    lines: list[str] = []
    for found in publishing.item_states(session, tuple(languages)):
        name = f"{found.item.section}/{found.item.slug}"
        for state in found.languages:
            if state.state != publishing.PUBLISHED or state.has_draft:
                lines.append(_language_line(name, state, found.item.source_lang))
    return lines


def _confirmed(row: Helpline, stale_days: int) -> str:
    if row.last_confirmed is None:
        return "never confirmed"
    when = (
        f"{row.last_confirmed:%Y-%m}"
        if row.last_confirmed_is_month
        else row.last_confirmed.isoformat()
    )
    return f"not confirmed within {stale_days} days, last confirmed {when}"


def _line_name(row: Helpline, today: dt.date, stale_days: int) -> str:
    name = helplines.view(row, today, stale_days).text("name", "en")
    return f"help line {row.key}" + (f" ({name})" if name else "")


def helpline_lines(session: Session, today: dt.date, stale_days: int) -> list[str]:
    """Lines not confirmed within ``stale_days`` (with their last confirmation), then
    those marked unavailable."""
    stale = [
        f"{_line_name(row, today, stale_days)}: stale, {_confirmed(row, stale_days)}"
        for row in helplines.stale_rows(session, today, stale_days)
    ]
    unavailable = [
        f"{_line_name(row, today, stale_days)}: marked unavailable"
        + (", hidden from visitors" if row.hide_when_unavailable else "")
        for row in helplines.rows(session)
        if row.status == HelplineStatus.UNAVAILABLE.value
    ]
    return stale + unavailable


def status_lines(
    session: Session, languages: Iterable[str], today: dt.date, stale_days: int
) -> list[str]:
    """Everything an editor should look at; empty when all is published and current."""
    return page_lines(session, languages) + helpline_lines(session, today, stale_days)
