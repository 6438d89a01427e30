"""Retention on SQLite and PostgreSQL: what is purged (with its messages and notes), what is
kept, the content-free audit entries, the admin's "due soon" list and the purge command."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from campaign.cases import audit, retention
from campaign.core.db import db_session
from campaign.models import (
    AuditEvent,
    HelpRequest,
    InternalNote,
    OutboxMail,
    RequestMessage,
    RequestStatus,
    Team,
)
from campaign.models.base import utcnow
from tests.helpclient import SHOWN_ONCE, HelpClient

MARKER = "RETENTION-MARKER"


def build(app: Flask, client: FlaskClient) -> dict[str, int]:
    """Five requests (each with a message, a follow-up and a note) of chosen ages."""
    person = HelpClient(client)
    names = ["closed_old", "closed_recent", "open_old", "open_almost", "new"]
    for name in names:
        receipt = person.submit_ok(f"{MARKER} {name}", category="psychological", region="grodno")
        assert person.add_message(receipt, f"{MARKER} follow-up {name}").status_code == SHOWN_ONCE
    now = utcnow()
    days = dt.timedelta(days=1)
    shape = {
        "closed_old": (RequestStatus.CLOSED, 40 * days, 31 * days),
        "closed_recent": (RequestStatus.CLOSED, 40 * days, 29 * days),
        "open_old": (RequestStatus.OPEN, 181 * days, None),
        "open_almost": (RequestStatus.WAITING, 179 * days, None),
        "new": (RequestStatus.NEW, dt.timedelta(0), None),
    }
    with app.app_context():
        session = db_session()
        ids = session.scalars(select(HelpRequest.id).order_by(HelpRequest.id)).all()
        by_name = dict(zip(names, ids, strict=True))
        for name, (status, age, closed_ago) in shape.items():
            session.execute(
                update(HelpRequest)
                .where(HelpRequest.id == by_name[name])
                .values(
                    status=status.value,
                    created_at=now - age,
                    closed_at=None if closed_ago is None else now - closed_ago,
                )
            )
            session.add(InternalNote(request_id=by_name[name], body_sealed=b"sealed note"))
            audit.record(session, None, "viewed", request_id=by_name[name], team_id=1)
        session.add(OutboxMail(recipient="alice@example.org", subject="s", body="b"))
        session.commit()
    return by_name


def count(model: type[RequestMessage] | type[InternalNote], request_id: int) -> int:
    return int(
        db_session().scalar(select(func.count(model.id)).where(model.request_id == request_id)) or 0
    )


def test_purge_deletes_what_is_due_with_its_thread_and_keeps_the_rest(
    db_app: Flask, db_client: FlaskClient
) -> None:
    ids = build(db_app, db_client)
    runner = db_app.test_cli_runner()

    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would purge 2 requests: 1 closed over 30 days, 1 older than 180 days." in dry.output
    with db_app.app_context():
        assert db_session().scalar(select(func.count(HelpRequest.id))) == 5

    done = runner.invoke(args=["purge"])
    assert done.exit_code == 0, done.output
    assert "Purged 2 requests: 1 closed over 30 days, 1 older than 180 days." in done.output

    with db_app.app_context():
        session = db_session()
        left = set(session.scalars(select(HelpRequest.id)))
        assert left == {ids["closed_recent"], ids["open_almost"], ids["new"]}
        for name in ("closed_old", "open_old"):
            assert count(RequestMessage, ids[name]) == 0
            assert count(InternalNote, ids[name]) == 0
        for name in ("closed_recent", "open_almost", "new"):
            assert count(RequestMessage, ids[name]) == 2
            assert count(InternalNote, ids[name]) == 1
        assert session.scalar(select(func.count(Team.id))) == 1
        assert session.scalar(select(func.count(OutboxMail.id))) == 1

        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.action for e in events].count("viewed") == 5  # earlier entries stay
        purged = [e for e in events if e.action == "purged"]
        team_id = session.scalars(select(Team.id)).one()
        assert {(e.request_id, e.team_id, e.detail) for e in purged} == {
            (ids["closed_old"], team_id, "closed over 30 days"),
            (ids["open_old"], team_id, "older than 180 days"),
        }
        for event in purged:
            assert event.actor_id is None and event.actor_label == "system"
            text = " ".join(str(v) for v in vars(event).values()).lower()
            for word in (MARKER.lower(), "psychological", "grodno", "follow-up"):
                assert word not in text

    again = runner.invoke(args=["purge"])
    assert "Purged 0 requests" in again.output


def test_due_soon_lists_what_goes_in_the_next_days(db_app: Flask, db_client: FlaskClient) -> None:
    ids = build(db_app, db_client)
    with db_app.app_context():
        session = db_session()
        now = utcnow()
        soon = retention.due_soon(session, within_days=7, now=now)
        assert [(item.id, item.reason) for item in soon] == [
            (ids["closed_old"], "closed over 30 days"),
            (ids["open_old"], "older than 180 days"),
            (ids["closed_recent"], "closed over 30 days"),
            (ids["open_almost"], "older than 180 days"),
        ]
        assert [item[0] for item in soon] == [item.id for item in soon]  # also a tuple
        due = {item.id: item.due for item in soon}
        assert abs(due[ids["closed_recent"]] - (now + dt.timedelta(days=1))) < dt.timedelta(
            minutes=1
        )
        assert due[ids["open_almost"]] > now and due[ids["closed_old"]] < now
        assert [item.id for item in retention.due_soon(session, within_days=0, now=now)] == [
            ids["closed_old"],
            ids["open_old"],
        ]
        assert retention.due_soon(session, within_days=7, now=now, team_ids=[999]) == []
        assert len(retention.due_soon(session, within_days=7, now=now, limit=1)) == 1
        # Nothing was deleted by looking.
        assert session.scalar(select(func.count(HelpRequest.id))) == 5


def test_settings_change_the_periods_and_a_reopened_request_is_kept(
    db_app: Flask, db_client: FlaskClient
) -> None:
    ids = build(db_app, db_client)
    db_app.config["RETENTION_CLOSED_DAYS"] = 45
    db_app.config["RETENTION_MAX_DAYS"] = 365
    with db_app.app_context():
        session = db_session()
        # The person wrote again: the request is open, no longer closed.
        session.execute(
            update(HelpRequest)
            .where(HelpRequest.id == ids["closed_old"])
            .values(status=RequestStatus.OPEN.value, closed_at=None)
        )
        session.commit()
        assert retention.purge(session) == retention.PurgeReport(closed=0, expired=0)
        report = retention.purge(session, now=utcnow() + dt.timedelta(days=20))
        assert report == retention.PurgeReport(closed=1, expired=0)
        assert session.get(HelpRequest, ids["closed_recent"]) is None
        detail = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "purged")
        ).one()
        assert detail == "closed over 45 days"
        assert session.scalar(select(func.count(HelpRequest.id))) == 4


def test_purge_clears_old_sent_and_failed_mail(db_app: Flask) -> None:
    from campaign.models import OutboxMail

    now = dt.datetime.now(dt.UTC)
    with db_app.app_context():
        dbs = db_session()
        old = now - dt.timedelta(days=8)
        dbs.add_all(
            [
                OutboxMail(recipient="a@example.org", subject="s", body="b", sent_at=old),
                OutboxMail(recipient="b@example.org", subject="s", body="b", failed_at=old),
                OutboxMail(recipient="c@example.org", subject="s", body="b", sent_at=now),
                OutboxMail(recipient="d@example.org", subject="s", body="b"),
            ]
        )
        dbs.commit()
        retention.purge(dbs)
        left = sorted(dbs.scalars(select(OutboxMail.recipient)))
    assert left == ["c@example.org", "d@example.org"]
