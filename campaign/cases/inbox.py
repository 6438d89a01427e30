"""The inbox list: filters, sorting, pagination and counts per status, metadata only.

No decryption happens here; every column shown is a plain routing column, and indexes on
(team_id, status), (team_id, created_at), assignee_id and last_activity_at keep it fast.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from campaign.cases.access import scope
from campaign.models import HelpRequest, StaffUser, Team

PAGE_SIZE = 50
SORTS = {
    "received": HelpRequest.created_at,
    "activity": HelpRequest.last_activity_at,
}


@dataclass
class InboxFilter:
    status: str = ""  # "" = all but closed, "all", or a status
    who: str = ""  # "", "mine", "unassigned"
    category: str = ""
    team_id: int | None = None
    sort: str = "received"
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
        try:
            team_id: int | None = int(args["team"]) if args.get("team") else None
        except (TypeError, ValueError):
            team_id = None
        return cls(
            status=text("status", {"all", "new", "open", "waiting", "closed"}),
            who=text("who", {"mine", "unassigned"}),
            category=text("category"),
            team_id=team_id,
            sort=text("sort", set(SORTS)) or "received",
            order=text("order", {"asc", "desc"}) or "desc",
            page=page,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        values = {
            "status": self.status,
            "who": self.who,
            "category": self.category,
            "team": self.team_id,
            "sort": self.sort,
            "order": self.order,
            "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class InboxRow:
    id: int
    created_at: dt.datetime
    category: str
    region: str
    language: str
    status: str
    team: str
    assignee: str | None
    last_activity_at: dt.datetime


@dataclass
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


def inbox(session: Session, user: StaffUser, f: InboxFilter) -> InboxPage:
    base = scope(select(HelpRequest), session, user)
    if f.team_id is not None:
        base = base.where(HelpRequest.team_id == f.team_id)
    if f.category:
        base = base.where(HelpRequest.category == f.category)
    if f.who == "mine":
        base = base.where(HelpRequest.assignee_id == user.id)
    elif f.who == "unassigned":
        base = base.where(HelpRequest.assignee_id.is_(None))

    counted = base.with_only_columns(HelpRequest.status, func.count()).group_by(HelpRequest.status)
    counts = {status: int(n) for status, n in session.execute(counted)}

    if f.status == "":
        listed = base.where(HelpRequest.status != "closed")
    elif f.status != "all":
        listed = base.where(HelpRequest.status == f.status)
    else:
        listed = base
    total = sum(
        n
        for s, n in counts.items()
        if f.status == "all" or (f.status == "" and s != "closed") or s == f.status
    )
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(f.page, pages)

    assignee = aliased(StaffUser)
    column = SORTS[f.sort]
    ordering = column.asc() if f.order == "asc" else column.desc()
    query = (
        listed.with_only_columns(
            HelpRequest.id,
            HelpRequest.created_at,
            HelpRequest.category,
            HelpRequest.region,
            HelpRequest.language,
            HelpRequest.status,
            Team.name,
            assignee.name,
            HelpRequest.last_activity_at,
        )
        .join(Team, Team.id == HelpRequest.team_id)
        .outerjoin(assignee, assignee.id == HelpRequest.assignee_id)
        .order_by(ordering, HelpRequest.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = [InboxRow(*row) for row in session.execute(query)]
    return InboxPage(rows=rows, total=total, page=page, pages=pages, counts=counts)
