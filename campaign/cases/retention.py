"""Retention: delete requests closed more than N days ago and any request older than M days.

``RETENTION_CLOSED_DAYS`` (N, default 30) and ``RETENTION_MAX_DAYS`` (M, default 180) are
read from the app config; notifications sent or given up more than ``OUTBOX_KEEP_DAYS``
(default 7) ago are deleted too. A purged request goes with its whole thread (messages, replies)
and its internal notes through the ``ON DELETE CASCADE`` foreign keys (PostgreSQL always
enforces them; on SQLite ``campaign.core.db`` turns ``foreign_keys`` on for every connection and
:func:`purge` refuses to run without it). The audit log keeps one content-free entry per
purged request: action ``purged``, the request and team ids, and the rule that applied.

Each purge is one ``DELETE ... WHERE <rule> RETURNING`` statement, so a request that is
re-opened (a new message from the person) while the purge runs is judged on its new state,
and the deletions commit together with their audit entries.

Deleted is not enough while the bytes stay in the files: after the commit, every purge (even
one that deleted nothing, so a scrub that failed before is done again, and the old versions
that updates such as re-routing or a receipt upgrade leave behind go too) scrubs the tables
with ``core.db.scrub_deleted``: SQLite's WAL is checkpointed and truncated (with
``secure_delete`` the deleted cells are already zeros), PostgreSQL's tables are rewritten by
``VACUUM FULL``. That takes each table's exclusive lock for a moment, so the site's requests
wait that long (the lock is waited for at most 5 s, else the scrub is reported as not done
and the next purge does it). ``VACUUM FULL`` copies a deleted row instead of dropping it
while a transaction that began before the purge is still open, in any database of the same
server or as a reader of this one (a ``pg_dump``): the scrub waits up to 10 s for such
transactions, checks that the rewrite dropped every deleted row, and is otherwise reported
as not done too. What a purge cannot reach, backups, PostgreSQL's WAL archives and the
disk's freed blocks, is in docs/deploy.md.

Each purge first puts receipt hashes made before the receipt pepper under it
(``receipts.protect_unpeppered``), so the scrub also removes their unpeppered bytes.

It also deletes expired one-time views and sent-form marks (``viewonce.purge_expired``);
views that were shown were deleted then, and the scrub of ``view_once`` removes their bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, text
from sqlalchemy.orm import Session

from campaign.cases import audit, receipts, viewonce
from campaign.core import db, settings
from campaign.models import HelpRequest, OutboxMail, RequestStatus
from campaign.models.base import as_utc

PURGED = "purged"
log = logging.getLogger(__name__)


SCRUBBED_TABLES = (
    "help_request",
    "request_message",
    "internal_note",
    "outbox_mail",
    "staff_session",
    "view_once",
)


@dataclass(frozen=True)
class PurgeReport:
    closed: int  # closed more than RETENTION_CLOSED_DAYS ago
    expired: int  # created more than RETENTION_MAX_DAYS ago (and not counted above)
    scrubbed: bool = True  # False: deleted, but old bytes may remain until the next purge
    # Expired one-time pages and sent-form marks deleted (viewonce.py); not compared: a
    # report says what happened to requests.
    views: int = field(default=0, compare=False)

    @property
    def total(self) -> int:
        return self.closed + self.expired


class DueItem(NamedTuple):
    """A request that the retention rules will delete at ``due`` (aware UTC)."""

    id: int
    team_id: int
    reason: str
    due: dt.datetime


@dataclass(frozen=True)
class Rules:
    closed_days: int
    max_days: int

    @classmethod
    def from_config(cls, config: Any | None = None) -> Rules:
        config = settings.config() if config is None else config
        return cls(int(config["RETENTION_CLOSED_DAYS"]), int(config["RETENTION_MAX_DAYS"]))

    def cutoffs(self, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """(closed before, created before): what is due for deletion at ``at``."""
        return at - dt.timedelta(days=self.closed_days), at - dt.timedelta(days=self.max_days)

    def due_at(self, at: dt.datetime) -> ColumnElement[bool]:
        """The requests either rule deletes at ``at``."""
        closed_cutoff, age_cutoff = self.cutoffs(at)
        return or_(_closed_rule(closed_cutoff), HelpRequest.created_at < age_cutoff)

    def deletion_date(
        self, status: str, closed_at: dt.datetime | None, created_at: dt.datetime
    ) -> tuple[dt.datetime, str]:
        """When the rules delete one request (aware UTC), and which rule does it."""
        candidates = [(as_utc(created_at) + dt.timedelta(days=self.max_days), self.age_reason)]
        if status == RequestStatus.CLOSED.value and closed_at is not None:
            by_close = as_utc(closed_at) + dt.timedelta(days=self.closed_days)
            candidates.append((by_close, self.closed_reason))
        return min(candidates, key=lambda c: (c[0], c[1] != self.closed_reason))

    @property
    def closed_reason(self) -> str:
        return f"closed over {self.closed_days} days"

    @property
    def age_reason(self) -> str:
        return f"older than {self.max_days} days"


def _closed_rule(before: dt.datetime) -> ColumnElement[bool]:
    return and_(
        HelpRequest.status == RequestStatus.CLOSED.value,
        HelpRequest.closed_at.is_not(None),
        HelpRequest.closed_at < before,
    )


def _reason(rules: Rules, status: str, closed_at: dt.datetime | None, cutoff: dt.datetime) -> str:
    closed = status == RequestStatus.CLOSED.value and closed_at is not None
    if closed and closed_at is not None and as_utc(closed_at) < cutoff:
        return rules.closed_reason
    return rules.age_reason


def _require_foreign_keys(session: Session) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "sqlite" and not session.scalar(text("PRAGMA foreign_keys")):
        raise RuntimeError("SQLite foreign keys are off: a purge would leave messages behind")


def _protect_old_receipts(session: Session) -> None:
    """Receipt hashes from before the pepper go under it (the scrub then drops the old bytes).

    Retention never waits for the pepper: if it is missing or wrong, this is skipped with a
    warning (the start-up check says what to do) and the purge goes on.
    """
    try:
        receipts.protect_unpeppered(session)
    except receipts.ReceiptPepperError as exc:
        session.rollback()
        log.warning("old receipts not protected: %s", exc)


def purge(session: Session, now: dt.datetime | None = None) -> PurgeReport:
    """Delete what the retention rules say is due, with audit entries; commits."""
    rules = Rules.from_config()
    now = as_utc(now)
    closed_cutoff, _age_cutoff = rules.cutoffs(now)
    _require_foreign_keys(session)
    _protect_old_receipts(session)
    statement = (
        delete(HelpRequest)
        .where(rules.due_at(now))
        .returning(HelpRequest.id, HelpRequest.team_id, HelpRequest.status, HelpRequest.closed_at)
        .execution_options(synchronize_session=False)
    )
    closed = expired = 0
    for row in session.execute(statement).all():
        reason = _reason(rules, row.status, row.closed_at, closed_cutoff)
        if reason == rules.closed_reason:
            closed += 1
        else:
            expired += 1
        audit.record(
            session,
            None,
            PURGED,
            request_id=row.id,
            team_id=row.team_id,
            detail=reason,
            label=audit.SYSTEM,
        )
    # Sent or abandoned notifications only say when a team got mail: keep them a short while.
    keep = now - dt.timedelta(days=int(settings.config()["OUTBOX_KEEP_DAYS"]))
    session.execute(
        delete(OutboxMail).where(or_(OutboxMail.sent_at < keep, OutboxMail.failed_at < keep))
    )
    views = viewonce.purge_expired(session, now)
    session.commit()
    session.expire_all()  # deleted rows must not linger in the identity map
    session.close()  # no transaction of ours may hold the WAL or a lock during the scrub
    scrubbed = db.scrub_deleted(session.get_bind().engine, SCRUBBED_TABLES)
    return PurgeReport(closed=closed, expired=expired, scrubbed=scrubbed, views=views)


def due_soon(
    session: Session,
    within_days: float = 7,
    now: dt.datetime | None = None,
    *,
    team_ids: Collection[int] | None = None,
    limit: int | None = 500,
) -> list[DueItem]:
    """Requests the rules will delete within ``within_days`` (or overdue), soonest first.

    ``within_days=0`` lists what a purge would delete now (``flask purge --dry-run``).
    """
    rules = Rules.from_config()
    now = as_utc(now)
    horizon = now + dt.timedelta(days=within_days)
    query = select(
        HelpRequest.id,
        HelpRequest.team_id,
        HelpRequest.status,
        HelpRequest.closed_at,
        HelpRequest.created_at,
    ).where(rules.due_at(horizon))
    if team_ids is not None:
        query = query.where(HelpRequest.team_id.in_(list(team_ids)))
    items: list[DueItem] = []
    for row in session.execute(query):
        due_at, reason = rules.deletion_date(row.status, row.closed_at, row.created_at)
        items.append(DueItem(row.id, row.team_id, reason, due_at))
    items.sort(key=lambda item: (item.due, item.id))
    return items if limit is None else items[:limit]


def count_due(session: Session, now: dt.datetime | None = None) -> PurgeReport:
    """What :func:`purge` would delete now, by reason (for ``--dry-run``)."""
    rules = Rules.from_config()
    now = as_utc(now)
    closed_cutoff, age_cutoff = rules.cutoffs(now)
    closed = session.scalar(select(func.count(HelpRequest.id)).where(_closed_rule(closed_cutoff)))
    expired = session.scalar(
        select(func.count(HelpRequest.id)).where(
            HelpRequest.created_at < age_cutoff, ~_closed_rule(closed_cutoff)
        )
    )
    return PurgeReport(closed=int(closed or 0), expired=int(expired or 0))
