"""The triage inbox: which requests need attention and why, the other views, their counts.

The default view, "needs attention", lists open requests (not closed) that are new and
unassigned, where the person wrote last after a first message, that are overdue against
the response target (:func:`answer_within_days`; working days, counted from her first
unanswered message), or that the retention rules (``retention.Rules``) delete within
``PURGE_WARNING_DAYS`` or should have deleted already. They come in that order of harm:
the person replied or the answer is overdue, then deleted soon, then new and unassigned;
within each, waiting longest first. The other views (open, mine, unassigned, closed, all)
and the refinements (status, category, team) stay as filters.

A row is "unread" for a member when the person wrote last, after this member's latest
"viewed-content" audit entry for the request: per member, with no table of its own.

The query is metadata only: routing columns, message authors and times, audit entries.
Its number of statements does not grow with the rows shown: the latest message, the first
unanswered one, the latest audit entry and the member's latest view are correlated
subqueries of the one row query (indexes on ``request_message.request_id`` and
``audit_event.request_id`` serve them), and the counts per view are one statement of
conditional sums.

The contact method and call window exist only in the sealed contact, so a row shows them
only for teams whose key the member holds in this session; see :func:`_contacts`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from campaign.cases import crypto, intake
from campaign.cases.access import scope
from campaign.cases.crypto import PrivateKey
from campaign.cases.retention import Rules
from campaign.cases.sessions import CurrentStaff
from campaign.core.inputs import parse_id
from campaign.core.settings import optional_setting
from campaign.models import (
    AuditEvent,
    HelpRequest,
    RequestMessage,
    RequestStatus,
    StaffUser,
    Team,
    TeamMembership,
)
from campaign.models.base import as_utc

PAGE_SIZE = 50
# A request the retention rules delete within this many days is flagged.
PURGE_WARNING_DAYS = 7
# Audit entries that are not an action on the request (reading it is not "the last action").
VIEWED = "viewed-content"
QUIET_ACTIONS = (VIEWED,)
VIEWS = ("attention", "open", "mine", "unassigned", "closed", "all")
STATUSES = {s.value for s in RequestStatus}
SORTS = {"received": HelpRequest.created_at, "activity": HelpRequest.last_activity_at}
CLOSED = RequestStatus.CLOSED.value


@dataclass
class InboxFilter:
    view: str = "attention"
    status: str = ""  # refines the view: "" (any) or one status
    category: str = ""
    team_id: int | None = None
    sort: str = ""  # "" = the view's own order (needs attention: waiting longest first)
    order: str = "desc"
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> InboxFilter:
        def text(name: str, allowed: set[str] | None = None) -> str:
            value = str(args.get(name, ""))[:32]
            return value if allowed is None or value in allowed else ""

        try:
            page = max(1, min(10_000, int(args.get("page", 1))))
        except (TypeError, ValueError):
            page = 1
        team_id = parse_id(args.get("team"))  # ASCII digits within MAX_ID, else no filter
        view = text("view", set(VIEWS))
        status = text("status", STATUSES | {"all"})
        if not view:  # older addresses: ?who=mine, ?status=all, ?status=closed
            view = text("who", {"mine", "unassigned"}) or ("all" if status else "attention")
        return cls(
            view=view,
            status="" if status == "all" else status,
            category=text("category"),
            team_id=team_id,
            sort=text("sort", set(SORTS)),
            order=text("order", {"asc", "desc"}) or "desc",
            page=page,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        values = {
            "view": self.view,
            "status": self.status,
            "category": self.category,
            "team": self.team_id,
            "sort": self.sort,
            "order": self.order,
            "page": self.page,
        }
        values.update(changes)
        defaults = {"view": "attention", "order": "desc", "page": 1}
        return {k: v for k, v in values.items() if v not in ("", None) and defaults.get(k) != v}

    @property
    def refined(self) -> bool:
        """A filter beyond the view is set (the folded filters then say so)."""
        return bool(self.status or self.category or self.team_id or self.sort)


@dataclass(frozen=True)
class Badge:
    """Why a row needs attention: ``kind`` is new, replied, overdue, purge-soon, purge-past;
    ``days`` the number it carries (overdue by, deleted in)."""

    kind: str
    days: int | None = None


@dataclass(frozen=True)
class LastAction:
    """The latest thing that happened: an audit action by ``who``, or ``person`` wrote."""

    action: str
    at: dt.datetime
    who: str | None = None


@dataclass(frozen=True)
class ContactSummary:
    method: str  # receipt, phone, email, messenger
    call_window: str  # the person's safe times, "" if none given


@dataclass
class InboxRow:
    id: int
    created_at: dt.datetime
    category: str
    region: str
    language: str
    status: str
    team_id: int
    team: str
    assignee_id: int | None
    assignee: str | None
    last_activity_at: dt.datetime
    unread: bool  # the person wrote last, after this member last opened the request
    badges: list[Badge]
    last_action: LastAction | None
    has_key: bool
    contact: ContactSummary | None
    may_take: bool


@dataclass
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


# --- the response target in working days --------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(str(optional_setting("BABEL_DEFAULT_TIMEZONE") or "UTC"))


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """``start`` plus ``days`` working days (Monday to Friday, in the organisation's zone)."""
    local = as_utc(start).astimezone(_zone()).replace(tzinfo=None)
    counted = 0
    while counted < days:
        local += dt.timedelta(days=1)
        counted += local.weekday() < 5
    return local.replace(tzinfo=_zone()).astimezone(dt.UTC)


def overdue_cutoff(now: dt.datetime, days: int) -> dt.datetime:
    """A wait that began before this is overdue at ``now`` (the inverse of the above)."""
    local = now.astimezone(_zone()).replace(tzinfo=None)
    counted = 0
    while counted < days:
        counted += local.weekday() < 5
        local -= dt.timedelta(days=1)
    return local.replace(tzinfo=_zone()).astimezone(dt.UTC)


def answer_within_days() -> int | None:
    """The staff's target for answering, in working days: ``RESPONSE_TARGET_DAYS`` (an
    internal target, never shown to the public), or the public promise
    ``ANSWER_WITHIN_DAYS`` when that is set and sooner. None when neither is set."""
    values = [
        int(value)
        for value in (
            optional_setting("RESPONSE_TARGET_DAYS"),
            optional_setting("ANSWER_WITHIN_DAYS"),
        )
        if value
    ]
    return min(values) if values else None


# --- the query ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """Correlated subqueries on one request's thread and audit log."""

    last_author: Any
    last_message_at: Any
    message_count: Any
    waiting_since: Any  # her first message after the last staff reply; None if staff wrote last
    latest_audit_id: Any
    viewed_at: Any  # when this member last opened the request's content; None if never


def _columns(user: StaffUser) -> _Columns:
    def on_this(m: Any) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = m.request_id == HelpRequest.id
        return condition

    last, at, count, person, staff = (aliased(RequestMessage) for _ in range(5))
    last_staff = (
        select(func.max(staff.id))
        .where(on_this(staff), staff.author == intake.STAFF)
        .correlate(HelpRequest)
        .scalar_subquery()
    )
    return _Columns(
        last_author=select(last.author)
        .where(on_this(last))
        .order_by(last.id.desc())
        .limit(1)
        .correlate(HelpRequest)
        .scalar_subquery(),
        last_message_at=select(func.max(at.created_at))
        .where(on_this(at))
        .correlate(HelpRequest)
        .scalar_subquery(),
        message_count=select(func.count(count.id))
        .where(on_this(count))
        .correlate(HelpRequest)
        .scalar_subquery(),
        waiting_since=select(func.min(person.created_at))
        .where(
            on_this(person),
            person.author == intake.PERSON,
            person.id > func.coalesce(last_staff, 0),
        )
        .correlate(HelpRequest)
        .scalar_subquery(),
        latest_audit_id=select(func.max(AuditEvent.id))
        .where(AuditEvent.request_id == HelpRequest.id, AuditEvent.action.not_in(QUIET_ACTIONS))
        .correlate(HelpRequest)
        .scalar_subquery(),
        viewed_at=select(func.max(AuditEvent.at))
        .where(
            AuditEvent.request_id == HelpRequest.id,
            AuditEvent.actor_id == user.id,
            AuditEvent.action == VIEWED,
        )
        .correlate(HelpRequest)
        .scalar_subquery(),
    )


@dataclass(frozen=True)
class _Reasons:
    """Why a request needs attention, each a condition on its row."""

    replied_or_overdue: ColumnElement[bool]
    deleted_soon: ColumnElement[bool]
    new_unassigned: ColumnElement[bool]


def _reasons(c: _Columns, now: dt.datetime, rules: Rules) -> _Reasons:
    target = answer_within_days()
    overdue = c.waiting_since < overdue_cutoff(now, target) if target else false()
    return _Reasons(
        replied_or_overdue=or_(and_(c.waiting_since.is_not(None), c.message_count > 1), overdue),
        deleted_soon=rules.due_at(now + dt.timedelta(days=PURGE_WARNING_DAYS)),
        new_unassigned=and_(
            HelpRequest.status == RequestStatus.NEW.value, HelpRequest.assignee_id.is_(None)
        ),
    )


def _needs_attention(reasons: _Reasons) -> ColumnElement[bool]:
    return and_(
        HelpRequest.status != CLOSED,
        or_(reasons.new_unassigned, reasons.replied_or_overdue, reasons.deleted_soon),
    )


def _attention_group(reasons: _Reasons) -> ColumnElement[int]:
    """The order of "needs attention": 0 the person replied or the answer is overdue, 1 the
    retention rules delete it soon (or should have), 2 new and unassigned, 3 anything else."""
    return case(
        (reasons.replied_or_overdue, 0),
        (reasons.deleted_soon, 1),
        (reasons.new_unassigned, 2),
        else_=3,
    )


def _views(reasons: _Reasons, user: StaffUser) -> dict[str, ColumnElement[bool]]:
    not_closed = HelpRequest.status != CLOSED
    return {
        "attention": _needs_attention(reasons),
        "open": not_closed,
        "mine": and_(not_closed, HelpRequest.assignee_id == user.id),
        "unassigned": and_(not_closed, HelpRequest.assignee_id.is_(None)),
        "closed": HelpRequest.status == CLOSED,
    }


def inbox(
    session: Session, current: CurrentStaff, f: InboxFilter, now: dt.datetime | None = None
) -> InboxPage:
    """One page of the view ``f`` for the member, with the counts of every view."""
    user = current.user
    now = as_utc(now)
    rules = Rules.from_config()
    c = _columns(user)
    reasons = _reasons(c, now, rules)
    views = _views(reasons, user)
    base: Select[Any] = scope(select(HelpRequest), session, user)
    if f.team_id is not None:
        base = base.where(HelpRequest.team_id == f.team_id)
    if f.category:
        base = base.where(HelpRequest.category == f.category)

    counted = base.with_only_columns(
        func.count(HelpRequest.id),
        *(func.coalesce(func.sum(case((cond, 1), else_=0)), 0) for cond in views.values()),
    )
    total_all, *per_view = session.execute(counted).one()
    counts = dict(zip(views, (int(n) for n in per_view), strict=True))
    counts["all"] = int(total_all)

    listed = base if f.view == "all" else base.where(views[f.view])
    if f.status:
        listed = listed.where(HelpRequest.status == f.status)
        total = int(session.scalar(listed.with_only_columns(func.count(HelpRequest.id))) or 0)
    else:
        total = counts[f.view]
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(f.page, pages)

    ordering: list[ColumnElement[Any]]
    if f.sort or f.view != "attention":
        column = SORTS[f.sort or "received"]
        ordering = [column.asc() if f.order == "asc" else column.desc(), HelpRequest.id.desc()]
    else:  # the person replied or overdue, then deleted soon, then new; waiting longest first
        ordering = [
            _attention_group(reasons).asc(),
            func.coalesce(c.waiting_since, HelpRequest.created_at).asc(),
            HelpRequest.id.asc(),
        ]

    assignee, actor, event = aliased(StaffUser), aliased(StaffUser), aliased(AuditEvent)
    query = (
        listed.with_only_columns(
            HelpRequest.id,
            HelpRequest.created_at,
            HelpRequest.category,
            HelpRequest.region,
            HelpRequest.language,
            HelpRequest.status,
            HelpRequest.team_id,
            Team.name.label("team"),
            HelpRequest.assignee_id,
            assignee.name.label("assignee"),
            HelpRequest.last_activity_at,
            HelpRequest.closed_at,
            HelpRequest.contact_sealed,
            c.last_author.label("last_author"),
            c.last_message_at.label("last_message_at"),
            c.message_count.label("message_count"),
            c.waiting_since.label("waiting_since"),
            c.viewed_at.label("viewed_at"),
            event.action.label("audit_action"),
            event.at.label("audit_at"),
            func.coalesce(actor.name, event.actor_label).label("audit_actor"),
        )
        .join(Team, Team.id == HelpRequest.team_id)
        .outerjoin(assignee, assignee.id == HelpRequest.assignee_id)
        .outerjoin(event, event.id == c.latest_audit_id)
        .outerjoin(actor, actor.id == event.actor_id)
        .order_by(*ordering)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    found = session.execute(query).all()
    keys = team_keys(session, current)
    contacts = _contacts(found, keys)
    rows = [_row(r, user, now, rules, keys, contacts.get(r.id)) for r in found]
    return InboxPage(rows=rows, total=total, page=page, pages=pages, counts=counts)


def team_keys(session: Session, current: CurrentStaff) -> dict[int, PrivateKey]:
    """Every team key the member holds, opened with the key of this session (one query)."""
    held = session.execute(
        select(TeamMembership.team_id, TeamMembership.sealed_team_key).where(
            TeamMembership.user_id == current.user.id,
            TeamMembership.sealed_team_key.is_not(None),
        )
    )
    keys: dict[int, PrivateKey] = {}
    for team_id, sealed in held:
        if sealed is None:
            continue
        try:
            keys[team_id] = crypto.open_team_key(sealed, current.private_key)
        except crypto.DecryptionError:  # sealed to an older key of the member: not held
            continue
    return keys


def _contacts(found: Sequence[Any], keys: dict[int, PrivateKey]) -> dict[int, ContactSummary]:
    """The contact method and call window of the rows whose team key the member holds.

    The trade-off: these two facts decide whether and when a caseworker may call, so the
    list must show them, yet a plaintext column would put them in every database dump
    (threat 2 of DESIGN.md). So the sealed contact is opened here, in memory, for the 50
    rows of the page only (about 50 small sealed boxes, a few milliseconds), and only the
    method and the call window leave this function: numbers, addresses and code words stay
    on the request page, whose opening is audited. Rows of teams whose key the member does
    not hold in this session show no contact ("no key").
    """
    contacts: dict[int, ContactSummary] = {}
    for row in found:
        key = keys.get(row.team_id)
        if key is None:
            continue
        try:
            contact = crypto.unseal_contact(key, row.contact_sealed)
        except (crypto.DecryptionError, ValueError):
            continue
        contacts[row.id] = ContactSummary(
            method=contact.get("method", "receipt") or "receipt",
            call_window=contact.get("safe_times", "") or "",
        )
    return contacts


def _badges(row: Any, now: dt.datetime, rules: Rules) -> list[Badge]:
    badges: list[Badge] = []
    if row.status == RequestStatus.NEW.value and row.assignee_id is None:
        badges.append(Badge("new"))
    if row.waiting_since is not None and row.message_count > 1:
        badges.append(Badge("replied"))
    target = answer_within_days()
    if target and row.waiting_since is not None and row.status != CLOSED:
        late = now - add_working_days(row.waiting_since, target)
        if late > dt.timedelta(0):
            badges.append(Badge("overdue", max(1, late.days)))
    due, _reason = rules.deletion_date(row.status, row.closed_at, row.created_at)
    if due <= now:
        badges.append(Badge("purge-past"))
    elif due <= now + dt.timedelta(days=PURGE_WARNING_DAYS):
        badges.append(Badge("purge-soon", max(1, math.ceil((due - now) / dt.timedelta(days=1)))))
    return badges


def _last_action(row: Any) -> LastAction | None:
    person_later = row.last_author == intake.PERSON and (
        row.audit_at is None or as_utc(row.last_message_at) >= as_utc(row.audit_at)
    )
    if person_later:
        return LastAction("person", row.last_message_at)
    if row.audit_at is not None:
        return LastAction(row.audit_action, row.audit_at, row.audit_actor)
    return None


def _unread(row: Any) -> bool:
    """The person wrote last, and this member has not opened the request since (per member:
    her latest "viewed-content" audit entry for it is older than the person's message)."""
    if row.last_author != intake.PERSON:
        return False
    return row.viewed_at is None or as_utc(row.last_message_at) > as_utc(row.viewed_at)


def _row(
    row: Any,
    user: StaffUser,
    now: dt.datetime,
    rules: Rules,
    keys: dict[int, PrivateKey],
    contact: ContactSummary | None,
) -> InboxRow:
    has_key = row.team_id in keys
    return InboxRow(
        id=row.id,
        created_at=row.created_at,
        category=row.category,
        region=row.region,
        language=row.language,
        status=row.status,
        team_id=row.team_id,
        team=row.team,
        assignee_id=row.assignee_id,
        assignee=row.assignee,
        last_activity_at=row.last_activity_at,
        unread=_unread(row),
        badges=_badges(row, now, rules),
        last_action=_last_action(row),
        has_key=has_key,
        contact=contact,
        # A key in the session means a membership of the team (handling.take checks it);
        # offered on unassigned rows only (handling.take never takes from someone).
        may_take=has_key and row.status != CLOSED and row.assignee_id is None,
    )


def request_number(text: str) -> int | None:
    """The number typed in "Go to request" ("42", "#42", "№42", " № 42 "), or None."""
    return parse_id(text.strip().lstrip("#№").strip())
