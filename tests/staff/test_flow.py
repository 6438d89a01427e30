"""The staff flow end to end, on SQLite and PostgreSQL:
invite -> password -> TOTP enrolment -> login -> inbox -> view -> note -> reply -> the person
sees the reply with their receipt -> close -> purge; and nothing readable in the database."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from campaign.core.db import db_session, engine
from campaign.models import AuditEvent, HelpRequest, StaffUser
from tests.help.test_at_rest import raw_database
from tests.helpclient import HelpClient
from tests.pagecheck import find
from tests.staff.staffclient import (
    PASSWORD,
    Member,
    accept_invitation,
    csrf_of,
    grant,
    login,
    make_member,
    post_form,
)

NOTE = "Internal NOTE-MARKER-5521"
REPLY = "We can talk tomorrow. REPLY-MARKER-5521"
MESSAGE = "My partner hits me. MESSAGE-MARKER-5521"


def test_invite_to_purge(db_app: Flask, team_key: str, db_kind: str, tmp_path: Path) -> None:
    admin = make_member(db_app, "coordinator@example.org", "admin", "Coordinator")
    grant(db_app, "Hotline", admin, team_key)
    admin_client = db_app.test_client()
    assert login(db_app, admin_client, admin).status_code == 302

    # Invite a caseworker into the Hotline team.
    page = admin_client.get("/staff/admin/users").get_data(as_text=True)
    team_option = find(page, "input", type="checkbox", name="teams", value="1")
    assert team_option
    invited = admin_client.post(
        "/staff/admin/users",
        data={
            "csrf_token": csrf_of(page),
            "email": "ann@example.org",
            "name": "Ann",
            "role": "caseworker",
            "teams": "1",
        },
    )
    link = re.search(r"http://localhost/staff/invite/([\w-]+)", invited.get_data(as_text=True))
    assert link, invited.get_data(as_text=True)[:2000]

    # The new member sets a password and enrols TOTP (QR as inline SVG, and the secret).
    ann_client = db_app.test_client()
    accepted = accept_invitation(ann_client, link.group(1), PASSWORD)
    assert "<svg" in accepted.page
    assert accepted.response.status_code == 302
    assert ann_client.get(f"/staff/invite/{link.group(1)}").status_code == 404  # used once
    with db_app.app_context():
        ann_id = (
            db_session()
            .scalars(select(StaffUser.id).where(StaffUser.email == "ann@example.org"))
            .one()
        )
    ann = Member(ann_id, "ann@example.org", accepted.secret)

    # The admin, who holds the team key, grants it to Ann.
    granted = post_form(
        admin_client, "/staff/admin/teams/1", "/staff/admin/teams/1", {"user": str(ann_id)}
    )
    assert granted.status_code == 302

    # A person asks for help.
    person = HelpClient(db_app.test_client(), "ru")
    receipt = person.submit_ok(
        MESSAGE,
        category="physical",
        region="vitebsk",
        answer_language="ru",
        contact_method="phone",
        phone="+375 29 111 22 33",
        may_leave_message="no",
        code_word="lilac",
    )

    # Ann logs in and sees it in her inbox, without any content there.
    assert login(db_app, ann_client, ann).status_code == 302
    inbox = ann_client.get("/staff/").get_data(as_text=True)
    assert "Physical violence" in inbox and "Vitebsk Region" in inbox
    assert "MESSAGE-MARKER" not in inbox
    with db_app.app_context():
        request_id = db_session().scalars(select(HelpRequest.id)).one()
    view = ann_client.get(f"/staff/requests/{request_id}")
    assert view.status_code == 200
    html = view.get_data(as_text=True)
    assert "MESSAGE-MARKER-5521" in html
    assert "No messages and no voicemail." in html
    assert "lilac" in html and "+375 29 111 22 33" in html
    assert view.headers["Cache-Control"].startswith("no-store")
    assert "noindex" in view.headers["X-Robots-Tag"]

    # Note, reply, assign to herself.
    page_url = f"/staff/requests/{request_id}"
    assert (
        post_form(ann_client, page_url, f"{page_url}/note", {"note-text": NOTE}, "note").status_code
        == 302
    )
    assert (
        post_form(
            ann_client, page_url, f"{page_url}/reply", {"reply-text": REPLY}, "reply"
        ).status_code
        == 302
    )
    assert (
        post_form(
            ann_client, page_url, f"{page_url}/assign", {"assign-assignee": str(ann_id)}, "assign"
        ).status_code
        == 302
    )
    html = ann_client.get(page_url).get_data(as_text=True)
    assert "NOTE-MARKER-5521" in html and "REPLY-MARKER-5521" in html

    # The person reads the reply with the receipt; the note stays internal.
    thread = person.check(receipt).get_data(as_text=True)
    assert "REPLY-MARKER-5521" in thread
    assert "NOTE-MARKER-5521" not in thread

    # Close it.
    closed = post_form(
        ann_client, page_url, f"{page_url}/status", {"status-status": "closed"}, "status"
    )
    assert closed.status_code == 302
    with db_app.app_context():
        req = db_session().get(HelpRequest, request_id)
        assert req is not None and req.status == "closed" and req.assignee_id == ann_id

    # The database holds no plaintext of the message, note, reply or contact.
    with db_app.app_context():
        db_session().close()
        engine().dispose()
    raw = raw_database(db_app, db_kind, tmp_path)
    for secret_text in (
        "MESSAGE-MARKER-5521",
        "NOTE-MARKER-5521",
        "REPLY-MARKER-5521",
        "lilac",
        "111 22 33",
    ):
        assert secret_text.encode() not in raw

    # Retention: closed long ago -> purged, with a content-free audit entry.
    with db_app.app_context():
        req = db_session().get(HelpRequest, request_id)
        assert req is not None
        req.closed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
        db_session().commit()
    result = db_app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    with db_app.app_context():
        assert db_session().get(HelpRequest, request_id) is None
        actions = set(
            db_session().scalars(
                select(AuditEvent.action).where(AuditEvent.request_id == request_id)
            )
        )
        assert {
            "viewed-content",
            "note-added",
            "replied",
            "assigned",
            "status-changed",
            "purged",
        } <= actions
    assert "NOTE-MARKER" not in admin_client.get("/staff/admin/audit").get_data(as_text=True)
