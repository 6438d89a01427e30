"""A queued "new request" notice is not sent to a member who turned notices off, was
disabled, or left every team after it was queued (real SMTP server, SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from campaign.core.db import db_session
from campaign.models import OutboxMail, StaffUser, Team, TeamMembership
from tests.helpclient import HelpClient
from tests.maintenance.rows import add_member
from tests.maintenance.smtpserver import free_port, smtp_server


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    return {**app_config, "MAIL_PORT": smtp_port, "MAIL_TIMEOUT": 5}


def test_members_who_opted_out_or_were_disabled_after_queueing_get_no_mail(
    db_app: Flask, db_client: FlaskClient, smtp_port: int
) -> None:
    with db_app.app_context():
        session = db_session()
        hotline = session.scalars(select(Team.id).where(Team.name == "Hotline")).one()
        for name in ("alice", "bob", "carol", "dave"):
            add_member(session, f"{name}@example.org", team_id=hotline)
    HelpClient(db_client).submit_ok("a request")
    with db_app.app_context():
        session = db_session()
        queued = session.scalars(select(OutboxMail.recipient).order_by(OutboxMail.id)).all()
        assert queued == [f"{n}@example.org" for n in ("alice", "bob", "carol", "dave")]
        # After queueing: bob turns notices off, carol is disabled, dave leaves the team.
        session.execute(
            update(StaffUser)
            .where(StaffUser.email == "bob@example.org")
            .values(notify_by_email=False)
        )
        session.execute(
            update(StaffUser).where(StaffUser.email == "carol@example.org").values(is_active=False)
        )
        dave = session.scalars(select(StaffUser.id).where(StaffUser.email == "dave@example.org"))
        session.execute(delete(TeamMembership).where(TeamMembership.user_id == dave.one()))
        session.commit()
    with smtp_server(smtp_port) as mailbox:
        result = db_app.test_cli_runner().invoke(args=["outbox", "send"])
        assert result.exit_code == 0, result.output
        received = mailbox.received()
    assert [m.rcpt_tos for m in received] == [["alice@example.org"]]
    assert "Sent 1, failed 0" in result.output
    assert "example.org" not in result.output
    with db_app.app_context():
        left = db_session().scalars(select(OutboxMail.recipient)).all()
    assert left == ["alice@example.org"]  # the others' notices are gone, not retried later
