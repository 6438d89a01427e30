"""Help lines: what editors and admins do to them in the staff area, and how the staff list
shows each line.

Every action is one transaction: the change, its audit entry (the line's key and the names
of the fields that changed, never their text), a raised content version
(``publishing.bump_version``, so every worker renders its pages again within a second) and
the commit. A ``flask`` command may call the same functions with ``actor=None``.

- ``confirm_today``: "It answered today": available, last confirmed today (day precision).
- ``set_status``: "It did not answer" is ``set_status(..., UNAVAILABLE)``: one click takes
  the line off every page as a call to action.
- ``update_line``: the edit form; ``add_line``: a new line. The form never offers a line
  marked unavailable again without a new confirmation (a form opened before someone
  pressed "It did not answer" must not undo it).

Values are checked here, not only in the form, so a command cannot store what the form
refuses; a refusal is a :class:`HelplineError` with a message for the editor, and the name
of the form field it is about (``dial``, ``hours_ru``...).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.content import helplines
from campaign.content.common import date_text
from campaign.content.publishing import bump_version
from campaign.core.texts import N_, RefusalError
from campaign.models import Helpline as HelplineRow
from campaign.models import HelplineStatus, StaffUser
from campaign.models.audit import record
from campaign.models.base import as_utc, utcnow
from campaign.models.content import HELPLINE_KINDS, HELPLINE_TEXTS

KEY_MAX = 40
NUMBER_MAX = 40
DIAL_MAX = 20
HANDLE_MAX = 60
NOTE_MAX = 2000
POSITION_MAX = 10_000
TEXT_MAX = {"name": 200, "hours": 200, "offers": 1000, "cost": 300, "answered_by": 300}
TEXT_LABELS = {
    "name": "name",
    "hours": "hours",
    "offers": "what it offers",
    "cost": "cost",
    "answered_by": "who answers",
}
KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANG_PATTERN = re.compile(r"[a-z]{2,3}")
DIAL_PATTERN = re.compile(r"\+?[0-9]{1,19}")
DIAL_SEPARATORS = re.compile(r"[\s().-]")
ALWAYS_OFFERED = "112"  # the state's emergency number: never taken off the site
RESERVED_KEYS = {"new"}  # /staff/helplines/new is the form for a new line

STATUSES = tuple(status.value for status in HelplineStatus)
FIELDS = (
    "kind",
    "number",
    "dial",
    "handle",
    "status",
    "hide_when_unavailable",
    "in_header",
    "position",
    "last_confirmed",
    "last_confirmed_is_month",
    "note",
    "texts",
)
# Fields whose audit entry says from what to what (values of a fixed vocabulary, never text).
SHOWN_VALUES = ("kind", "status")
FLAGS = ("hide_when_unavailable", "in_header", "last_confirmed_is_month")

# How a line appears to visitors today (the staff list shows it in these words).
OFFERED = "offered"
WARNED = "shown with a warning"
SHOWN_UNAVAILABLE = "shown as unavailable"
HIDDEN = "hidden"


class HelplineError(RefusalError):
    """A value an editor cannot save; the message says why (English marked for the
    catalogues, with its ``values``), ``field`` names the form field."""

    def __init__(self, message: str, field: str = "", **values: object) -> None:
        super().__init__(message, **values)
        self.field = field


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineState:
    """One line as the staff list shows it."""

    row: HelplineRow
    line: helplines.Helpline
    shown_as: str
    days_since_confirmed: int | None

    @property
    def stale(self) -> bool:
        return self.line.stale

    def name(self, lang: str = "en") -> str:
        return self.line.text("name", lang) or self.row.key


def display_name(row: HelplineRow, lang: str = "en") -> str:
    """The line's name in ``lang`` (else English, else any), or its key."""
    texts: Mapping[str, Any] = row.texts or {}
    for code in (lang, "en", *texts):
        name = (texts.get(code) or {}).get("name")
        if name:
            return str(name)
    return row.key


def shown_as(line: helplines.Helpline) -> str:
    if line.hidden:
        return HIDDEN
    if line.offered:
        return OFFERED
    if line.unavailable:
        return SHOWN_UNAVAILABLE
    return WARNED


def line_states(session: Session, today: dt.date, stale_days: int) -> list[LineState]:
    states = []
    for row in helplines.rows(session):
        line = helplines.view(row, today, stale_days)
        since = (today - row.last_confirmed).days if row.last_confirmed else None
        states.append(LineState(row, line, shown_as(line), since))
    return states


def find_line(session: Session, key: str) -> HelplineRow | None:
    if len(key) > KEY_MAX:
        return None
    return session.scalar(select(HelplineRow).where(HelplineRow.key == key))


def stale_names(session: Session, today: dt.date, stale_days: int, lang: str = "en") -> list[str]:
    """The names of the lines an editor should check (``helplines.stale_rows``)."""
    found = helplines.stale_rows(session, today, stale_days)
    return [display_name(row, lang) for row in found]


def parse_confirmed(text: str) -> tuple[dt.date | None, bool]:
    """``YYYY-MM-DD`` or ``YYYY-MM`` (only the month known) or empty: the date and whether
    only its month is known."""
    text = text.strip()
    if not text:
        return None, False
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return dt.date.fromisoformat(text + "-01"), True
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text), False
    except ValueError:
        pass
    raise HelplineError(
        N_(
            "Write the date of the last confirmation as YYYY-MM-DD (for example 2026-03-14),"
            " or YYYY-MM when only the month is known."
        ),
        "last_confirmed",
    )


def format_confirmed(row: HelplineRow) -> str:
    """The last confirmation as the form shows it (what ``parse_confirmed`` reads)."""
    return date_text(row.last_confirmed, row.last_confirmed_is_month)


# -- checking --------------------------------------------------------------------------


def _text(value: object, field: str, limit: int, what: str) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise HelplineError(  # shown beside the field ``what`` names (its label)
            N_("It can be at most %(max)d characters long."), field, max=limit, what=what
        )
    return text


def _dial(value: object) -> str:
    dial = DIAL_SEPARATORS.sub("", str(value or ""))
    if dial and (len(dial) > DIAL_MAX or not DIAL_PATTERN.fullmatch(dial)):
        raise HelplineError(
            N_(
                "The number to dial may hold only digits, with a + in front for an"
                " international number, at most %(limit)d digits (for example 88011008801"
                " or 112)."
            ),
            "dial",
            limit=DIAL_MAX - 1,
        )
    return dial


def _texts(old: Mapping[str, Any], value: object) -> dict[str, dict[str, str]]:
    """The texts after the change: each (language, name) given replaces the old one; an
    empty one is removed (pages then fall back to English)."""
    if not isinstance(value, Mapping):
        raise HelplineError(N_("The texts must be given per language."), "texts")
    merged: dict[str, dict[str, str]] = {
        str(lang): {str(k): str(v) for k, v in (texts or {}).items() if v}
        for lang, texts in old.items()
    }
    for lang, texts in value.items():
        if not isinstance(lang, str) or not LANG_PATTERN.fullmatch(lang):
            raise HelplineError(N_("There is no language %(lang)r."), "texts", lang=str(lang)[:10])
        if not isinstance(texts, Mapping):
            raise HelplineError(N_("The texts must be given per language."), "texts")
        for name, raw in texts.items():
            if name not in HELPLINE_TEXTS:
                raise HelplineError(
                    N_("A help line has no text %(name)r."), "texts", name=str(name)[:20]
                )
            label = f"{TEXT_LABELS[name]} ({lang})"
            text = _text(raw, f"{name}_{lang}", TEXT_MAX[name], label)
            if text:
                merged.setdefault(lang, {})[name] = text
            else:
                merged.get(lang, {}).pop(name, None)
    return {lang: texts for lang, texts in merged.items() if texts}


def _position(value: object) -> int:
    try:
        position = int(str(value))
    except ValueError:
        position = -1
    if not 0 <= position <= POSITION_MAX:
        raise HelplineError(
            N_("The position must be a whole number from 0 to %(max)d."),
            "position",
            max=POSITION_MAX,
        )
    return position


def check(
    changes: Mapping[str, object], today: dt.date, old_texts: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The changes, checked and tidied (whitespace, separators in the dial string)."""
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "kind":
            if value not in HELPLINE_KINDS:
                raise HelplineError(N_("Choose what kind of line this is."), "kind")
            clean[name] = value
        elif name == "status":
            if value not in STATUSES:
                raise HelplineError(N_("Choose available, unavailable or unknown."), "status")
            clean[name] = value
        elif name == "number":
            clean[name] = _text(value, name, NUMBER_MAX, "number as people read it")
        elif name == "dial":
            clean[name] = _dial(value)
        elif name == "handle":
            clean[name] = _text(value, name, HANDLE_MAX, "messenger handle")
        elif name == "note":
            note = str(value or "").replace("\r\n", "\n").strip()
            if len(note) > NOTE_MAX:
                raise HelplineError(
                    N_("The note can be at most %(max)d characters long."), name, max=NOTE_MAX
                )
            clean[name] = note
        elif name in FLAGS:
            clean[name] = bool(value)
        elif name == "position":
            clean[name] = _position(value)
        elif name == "last_confirmed":
            if value is not None and not isinstance(value, dt.date):
                raise HelplineError(N_("The last confirmation must be a date."), name)
            if value is not None and value > today:
                raise HelplineError(
                    N_("The last confirmation cannot be later than today."), "last_confirmed"
                )
            clean[name] = value
        elif name == "texts":
            clean[name] = _texts(old_texts or {}, value)
        else:
            raise HelplineError(N_("A help line has no field %(name)r."), name=name[:40])
    if clean.get("last_confirmed", True) is None:
        clean["last_confirmed_is_month"] = False
    return clean


def _keeps_112(dial: str, status: str, in_header: bool) -> None:
    """112 always stands (DESIGN.md): the line that dials it stays available and in the top
    bar, where it takes the place of any line that may not be offered."""
    if dial != ALWAYS_OFFERED:
        return
    if status != HelplineStatus.AVAILABLE.value:
        raise HelplineError(
            N_(
                "112 always stands: every page offers it, so it cannot be marked unavailable or"
                " unknown."
            ),
            "status",
        )
    if not in_header:
        raise HelplineError(
            N_("112 always stands: it stays at the top of every page."), "in_header"
        )


def _offered_again_only_when_confirmed(line: HelplineRow, clean: Mapping[str, Any]) -> None:
    """A line marked unavailable ("It did not answer", often a caseworker's) is made
    available by the edit form only with a new confirmation: a day later than the one
    stored, and not before the line was last changed. A form opened before someone marked
    the line sends its old status and date again; without this, saving it to fix the hours
    would offer the dead line on every page again."""
    if line.status != HelplineStatus.UNAVAILABLE.value:
        return
    if clean.get("status", line.status) != HelplineStatus.AVAILABLE.value:
        return
    confirmed = clean.get("last_confirmed", line.last_confirmed)
    is_month = clean.get("last_confirmed_is_month", line.last_confirmed_is_month)
    changed_on = as_utc(line.updated_at).date()
    if (
        confirmed is not None
        and not is_month
        and confirmed >= changed_on
        and (line.last_confirmed is None or confirmed > line.last_confirmed)
    ):
        return
    raise HelplineError(
        N_(
            "This line is marked as not answering (if it was available when you opened this"
            " form, someone marked it since), so it stays unavailable. To offer it again, call it"
            " and press “It answered today” on the list, or give here the new day it answered."
        ),
        "status",
    )


def _needs_a_name(texts: Mapping[str, Mapping[str, str]]) -> None:
    if not any(values.get("name") for values in texts.values()):
        raise HelplineError(N_("The line needs a name in at least one language."), "name_en")


# -- actions ---------------------------------------------------------------------------


def _describe(name: str, old: object, new: object) -> str:
    if name in SHOWN_VALUES:
        return f"{name} {old}->{new}"
    if name in FLAGS:
        return f"{name} {'on' if new else 'off'}"
    return name


def _text_changes(old: Mapping[str, Any], new: Mapping[str, Mapping[str, str]]) -> list[str]:
    changed = []
    for lang in sorted(set(old) | set(new)):
        for name in HELPLINE_TEXTS:
            if (old.get(lang) or {}).get(name, "") != new.get(lang, {}).get(name, ""):
                changed.append(f"{name}[{lang}]")
    return changed


def _commit(
    session: Session, actor: StaffUser | None, line: HelplineRow, action: str, detail: str
) -> None:
    line.updated_at = utcnow()
    bump_version(session)
    record(session, actor, action, detail=detail)
    session.commit()


def update_line(
    session: Session,
    actor: StaffUser | None,
    line: HelplineRow,
    changes: Mapping[str, object],
    today: dt.date | None = None,
) -> list[str]:
    """Apply ``changes`` (column names, and ``texts``: {lang: {name: text}}, merged into the
    line's); returns what changed, as the audit entry names it (empty: nothing changed,
    nothing written)."""
    old_texts: dict[str, Any] = dict(line.texts or {})
    clean = check(changes, today or dt.date.today(), old_texts)  # everything, before any change
    if "texts" in clean:
        _needs_a_name(clean["texts"])
    _keeps_112(
        clean.get("dial", line.dial),
        clean.get("status", line.status),
        clean.get("in_header", line.in_header),
    )
    _offered_again_only_when_confirmed(line, clean)
    changed: list[str] = []
    for name in FIELDS:
        if name not in clean or name == "texts":
            continue
        old, new = getattr(line, name), clean[name]
        if old != new:
            changed.append(_describe(name, old, new))
            setattr(line, name, new)
    if "texts" in clean:
        text_changes = _text_changes(old_texts, clean["texts"])
        if text_changes:
            changed.extend(text_changes)
            line.texts = clean["texts"]  # a new object: the JSON column sees the change
    if not changed:
        return []
    _commit(session, actor, line, "help line changed", f"{line.key}: {', '.join(changed)}")
    return changed


def add_line(
    session: Session,
    actor: StaffUser | None,
    key: str,
    values: Mapping[str, object],
    today: dt.date | None = None,
) -> HelplineRow:
    """A new line (status "unknown" unless given; last in the list unless a position is)."""
    key = key.strip().lower()
    if not key or len(key) > KEY_MAX or not KEY_PATTERN.fullmatch(key):
        raise HelplineError(
            N_(
                "The short name may hold only Latin letters, digits and single hyphens, at"
                " most %(max)d characters (for example children-helpline)."
            ),
            "key",
            max=KEY_MAX,
        )
    if key in RESERVED_KEYS or find_line(session, key) is not None:
        raise HelplineError(N_("A help line with this short name exists already."), "key")
    clean = check(values, today or dt.date.today())
    texts = clean.pop("texts", {})
    _needs_a_name(texts)
    if "position" not in clean:
        clean["position"] = (session.scalar(select(func.max(HelplineRow.position))) or 0) + 1
    clean.setdefault("status", HelplineStatus.UNKNOWN.value)
    clean.setdefault("kind", HELPLINE_KINDS[0])
    _keeps_112(clean.get("dial", ""), clean["status"], clean.get("in_header", False))
    line = HelplineRow(key=key, texts=texts, **clean)
    session.add(line)
    session.flush()
    _commit(
        session, actor, line, "help line added", f"{key}: kind {line.kind}, status {line.status}"
    )
    return line


def confirm_today(
    session: Session, actor: StaffUser | None, line: HelplineRow, today: dt.date
) -> None:
    """Someone called it today and it answered: available, last confirmed today."""
    old = line.status
    line.status = HelplineStatus.AVAILABLE.value
    line.last_confirmed, line.last_confirmed_is_month = today, False
    detail = line.key if old == line.status else f"{line.key}: status {old}->{line.status}"
    _commit(session, actor, line, "help line confirmed", detail)


def set_status(session: Session, actor: StaffUser | None, line: HelplineRow, status: str) -> None:
    """Set the status alone ("It did not answer": unavailable, off every page at once).
    Marking a line available this way does not confirm it: ``confirm_today`` does."""
    if status not in STATUSES:
        raise HelplineError(N_("Choose available, unavailable or unknown."), "status")
    _keeps_112(line.dial, status, line.in_header)
    old = line.status
    line.status = status
    action = (
        "help line marked unavailable"
        if status == HelplineStatus.UNAVAILABLE.value
        else "help line status changed"
    )
    _commit(session, actor, line, action, f"{line.key}: status {old}->{status}")
