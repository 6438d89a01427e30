"""The request page on SQLite and PostgreSQL: assignee and status saved together with one
button (each change audited), confirmations that say what happened, a confirmation step
before closing an unanswered request nobody is assigned to, and the phone as a link."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from campaign.core.db import db_session
from campaign.models import AuditEvent, HelpRequest
from tests.staff.staffclient import grant, make_member, post_form, signed_in, stored_request


def request_of(app: Flask, request_id: int) -> HelpRequest:
    with app.app_context():
        req = db_session().get(HelpRequest, request_id)
        assert req is not None
        db_session().expunge(req)
        return req


def actions_of(app: Flask, request_id: int) -> list[str]:
    with app.app_context():
        return list(
            db_session().scalars(
                select(AuditEvent.action)
                .where(AuditEvent.request_id == request_id, AuditEvent.action != "viewed-content")
                .order_by(AuditEvent.id)
            )
        )


def test_one_save_for_assignee_and_status(db_app: Flask, team_key: str) -> None:
    ann = make_member(db_app, "ann@example.org", name="Ann Casey")
    grant(db_app, "Hotline", ann, team_key)
    request_id, _ = stored_request(db_app, method="phone", phone="+375 (29) 111-22-33")
    client = signed_in(db_app, ann)
    url = f"/staff/requests/{request_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'href="tel:+375291112233"' in page and "Change status" not in page

    saved = post_form(
        client, url, f"{url}/handle",
        {"handle-assignee": str(ann.id), "handle-status": "waiting"}, "handle",
    )  # fmt: skip
    assert saved.status_code == 302
    req = request_of(db_app, request_id)
    assert req.assignee_id == ann.id and req.status == "waiting"  # neither choice lost
    assert actions_of(db_app, request_id) == ["assigned", "status-changed"]
    shown = client.get(url).get_data(as_text=True)
    assert "Assigned to Ann Casey." in shown and "Status: Waiting for reply." in shown

    replied = post_form(client, url, f"{url}/reply", {"reply-text": "We will call."}, "reply")
    assert replied.status_code == 302
    assert "Reply sent; status: Waiting for reply." in client.get(url).get_data(as_text=True)

    closed = post_form(
        client, url, f"{url}/handle",
        {"handle-assignee": str(ann.id), "handle-status": "closed"}, "handle",
    )  # fmt: skip
    assert closed.status_code == 302  # assigned: no confirmation step
    shown = client.get(url).get_data(as_text=True)
    assert re.search(r"Closed; it will be deleted on \d+ \w+ \d{4}\.", shown), shown[:3000]


def test_closing_unanswered_unassigned_asks_first(db_app: Flask, team_key: str) -> None:
    ann = make_member(db_app, "ann@example.org", name="Ann Casey")
    grant(db_app, "Hotline", ann, team_key)
    request_id, _ = stored_request(db_app)
    client = signed_in(db_app, ann)
    url = f"/staff/requests/{request_id}"

    asked = post_form(
        client, url, f"{url}/handle", {"handle-assignee": "", "handle-status": "closed"}, "handle"
    )
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "Close it without an answer?" in html and 'name="handle-confirm" value="close"' in html
    assert request_of(db_app, request_id).status == "new"
    assert actions_of(db_app, request_id) == []

    confirmed = post_form(
        client, url, f"{url}/handle",
        {"handle-assignee": "", "handle-status": "closed", "handle-confirm": "close"}, "handle",
    )  # fmt: skip
    assert confirmed.status_code == 302
    assert request_of(db_app, request_id).status == "closed"
    assert actions_of(db_app, request_id) == ["status-changed"]
    assert "Closed; it will be deleted on" in client.get(url).get_data(as_text=True)
