"""Staff notifications through a real SMTP server (aiosmtpd on 127.0.0.1), on SQLite and
PostgreSQL: who gets a mail, that it carries nothing about the request, that an SMTP outage
neither fails a submission nor loses the mail, back-off, giving up, and two senders at once."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.cases import notifications
from campaign.core.db import db_session
from campaign.models import OutboxMail, Team
from campaign.models.base import utcnow
from tests.helpclient import SHOWN_ONCE, HelpClient
from tests.maintenance.rows import add_member
from tests.maintenance.smtpserver import free_port, smtp_server

STAFF_URL = "https://inbox.example.org/staff/"
MARKER = "NOTIFY-CONTENT-MARKER he broke the door"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    return {
        **app_config,
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT": 5,
        "MAIL_FROM": "Inbox <noreply@inbox.example.org>",
        "STAFF_BASE_URL": STAFF_URL,
    }


def team_id(app: Flask, name: str = "Hotline") -> int:
    with app.app_context():
        return db_session().scalars(select(Team.id).where(Team.name == name)).one()


def outbox(app: Flask) -> list[OutboxMail]:
    with app.app_context():
        return list(db_session().scalars(select(OutboxMail).order_by(OutboxMail.id)))


def new_team(session: Session) -> int:
    team = Team(name="Hotline", public_key=bytes(32))
    session.add(team)
    session.commit()
    return team.id


def utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def test_each_member_gets_the_notice_in_their_own_language(
    db_app: Flask, db_client: FlaskClient, smtp_port: int
) -> None:
    """The mail is in the recipient's staff-area language; one who follows the browser gets
    the default language (be), and every version still says nothing about the request."""
    hotline = team_id(db_app)
    db_app.config["STAFF_DEFAULT_LANGUAGE"] = None  # as shipped: DEFAULT_LANGUAGE (be)
    with db_app.app_context():
        session = db_session()
        add_member(session, "ales@example.org", team_id=hotline, language="be")
        add_member(session, "olga@example.org", team_id=hotline, language="ru")
        add_member(session, "eve@example.org", team_id=hotline, language="en")
        add_member(session, "nina@example.org", team_id=hotline)  # follows the browser
    with smtp_server(smtp_port) as mailbox:
        HelpClient(db_client).submit_ok(MARKER, category="sexual", region="gomel")
        # A second request queues no second notice, whatever language the first was in.
        HelpClient(db_client).submit_ok("second " + MARKER, category="legal", region="brest")
        assert len(outbox(db_app)) == 4
        result = db_app.test_cli_runner().invoke(args=["outbox", "send"])
        assert "Sent 4, failed 0" in result.output, result.output
        received = mailbox.received()
    mails: dict[str, EmailMessage] = {}
    for mail in received:
        parsed = email.message_from_bytes(mail.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        mails[mail.rcpt_tos[0]] = parsed
    expected = {
        "ales@example.org": ("Новы зварот чакае адказу", "увайдзіце, каб прачытаць"),
        "nina@example.org": ("Новы зварот чакае адказу", "увайдзіце, каб прачытаць"),
        "olga@example.org": ("Новое обращение ждёт ответа", "войдите, чтобы прочитать"),
        "eve@example.org": ("A new request is waiting", "please sign in"),
    }
    for address, (subject, words) in expected.items():
        body = mails[address].get_content()
        assert mails[address]["Subject"] == subject, address
        assert words in body and STAFF_URL in body, address
        for secret in (MARKER, "second", "gomel", "sexual", "Hotline"):
            assert secret not in body


def test_opted_in_members_get_a_mail_that_says_nothing_about_the_request(
    db_app: Flask, db_client: FlaskClient, smtp_port: int
) -> None:
    hotline = team_id(db_app)
    with db_app.app_context():
        session = db_session()
        other = Team(name="Lawyers", public_key=bytes(32))
        session.add(other)
        session.commit()
        add_member(session, "alice@example.org", team_id=hotline, language="en")
        add_member(session, "bob@example.org", team_id=hotline, notify=False)
        add_member(session, "carol@example.org", team_id=hotline, active=False)
        add_member(session, "dave@example.org", team_id=other.id)
    person = HelpClient(db_client)
    with smtp_server(smtp_port) as mailbox:
        receipt = person.submit_ok(MARKER, category="sexual", region="gomel")
        assert mailbox.received() == []  # nothing is sent while the person waits
        queued = outbox(db_app)
        assert [m.recipient for m in queued] == ["alice@example.org"]

        # A second request before the first notice went out adds no second mail.
        person.submit_ok("second " + MARKER, category="legal", region="brest")
        assert len(outbox(db_app)) == 1

        result = db_app.test_cli_runner().invoke(args=["outbox", "send"])
        assert result.exit_code == 0, result.output
        assert "Sent 1, failed 0" in result.output
        received = mailbox.received()

    assert len(received) == 1
    mail = received[0]
    assert mail.rcpt_tos == ["alice@example.org"]
    assert mail.mail_from == "noreply@inbox.example.org"
    raw = mail.raw.decode("ascii")  # plain 7-bit text: nothing hidden by an encoding
    parsed = email.message_from_bytes(mail.raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "A new request is waiting"
    assert parsed.get_content().replace("\r\n", "\n") == notifications.BODY % {"url": STAFF_URL}
    assert parsed["Content-Transfer-Encoding"] == "7bit"
    lowered = raw.lower()
    digits = receipt.replace(" ", "")
    for secret in (MARKER, "broke the door", "second", digits, receipt, digits[:8]):
        assert secret.lower() not in lowered
    for label in ("sexual", "legal", "gomel", "brest", "hotline", "lawyers", "region"):
        assert label not in lowered
    assert "category" not in lowered

    (sent,) = outbox(db_app)
    assert sent.sent_at is not None and sent.attempts == 1 and sent.last_error == ""
    status = db_app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "Due now 0, scheduled later 0, sent 1, given up 0." in status.output
    assert "example.org" not in status.output

    # Once the notice is sent, the next request gets a new one.
    person.submit_ok("third " + MARKER)
    assert [m.sent_at is None for m in outbox(db_app)] == [False, True]


def test_smtp_down_the_submission_succeeds_and_a_later_run_delivers(
    db_app: Flask, db_client: FlaskClient, smtp_port: int
) -> None:
    with db_app.app_context():
        add_member(db_session(), "alice@example.org", team_id=team_id(db_app))
    person = HelpClient(db_client)
    response = person.submit(MARKER)  # nothing listens on smtp_port
    assert response.status_code == SHOWN_ONCE
    assert 'class="receipt"' in response.get_data(as_text=True)
    (kept,) = outbox(db_app)
    assert kept.sent_at is None and kept.attempts == 0

    with smtp_server(smtp_port) as mailbox:
        result = db_app.test_cli_runner().invoke(args=["outbox", "send"])
        assert "Sent 1" in result.output, result.output
        received = mailbox.received()
    assert [m.rcpt_tos for m in received] == [["alice@example.org"]]
    assert MARKER.lower() not in received[0].raw.decode().lower()


def test_a_failed_try_backs_off_and_is_not_resent_before_it_is_due(
    db_app: Flask, db_client: FlaskClient, smtp_port: int
) -> None:
    with db_app.app_context():
        add_member(db_session(), "alice@example.org", team_id=team_id(db_app))
    HelpClient(db_client).submit_ok(MARKER)

    before = utcnow()
    failed = db_app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 0, failed 1 (retry later 1, given up 0)." in failed.output, failed.output
    (mail,) = outbox(db_app)
    assert mail.attempts == 1 and mail.sent_at is None and mail.failed_at is None
    assert mail.last_error == "ConnectionRefusedError"  # the class only, no server text
    due = utc(mail.next_attempt_at)
    assert dt.timedelta(seconds=59) <= due - before <= dt.timedelta(seconds=70)

    with smtp_server(smtp_port) as mailbox:
        with db_app.app_context():
            early = notifications.send_pending(db_session())
            assert early == notifications.SendReport()  # not due yet: not tried
            status = notifications.status(db_session())
            assert (status.due, status.scheduled) == (0, 1)
        assert mailbox.received() == []
        with db_app.app_context():
            later = notifications.send_pending(db_session(), now=due + dt.timedelta(seconds=1))
        assert later.sent == 1
        assert len(mailbox.received()) == 1
    (mail,) = outbox(db_app)
    assert mail.sent_at is not None and mail.attempts == 2 and mail.last_error == ""


def test_backoff_doubles_and_the_mail_is_given_up_after_max_attempts(db_app: Flask) -> None:
    db_app.config["MAIL_MAX_ATTEMPTS"] = 3
    with db_app.app_context():
        session = db_session()
        add_member(session, "alice@example.org", team_id=new_team(session))
        session.add(OutboxMail(recipient="alice@example.org", subject="s", body="b"))
        session.commit()
        now = utcnow()
        delays = []
        for _ in range(3):
            report = notifications.send_pending(session, now=now)
            assert report.failed == 1
            mail = session.scalars(select(OutboxMail)).one()
            if mail.failed_at is None:
                delays.append(utc(mail.next_attempt_at) - now)
                now = utc(mail.next_attempt_at)
        assert delays == [dt.timedelta(minutes=1), dt.timedelta(minutes=2)]
        assert report == notifications.SendReport(failed=1, given_up=1)
        assert mail.attempts == 3 and mail.failed_at is not None
        assert notifications.send_pending(session, now=now + dt.timedelta(days=1)).failed == 0
        assert notifications.status(session).given_up == 1


def test_retry_delay_is_capped() -> None:
    config = {"MAIL_RETRY_BASE_SECONDS": 60, "MAIL_RETRY_MAX_SECONDS": 6 * 3600}
    assert notifications.retry_delay(1, config) == dt.timedelta(minutes=1)
    assert notifications.retry_delay(4, config) == dt.timedelta(minutes=8)
    assert notifications.retry_delay(10, config) == dt.timedelta(hours=6)
    assert notifications.retry_delay(10_000, config) == dt.timedelta(hours=6)


def test_two_senders_at_once_send_each_mail_once(db_app: Flask, smtp_port: int) -> None:
    count = 30
    with db_app.app_context():
        session = db_session()
        team = new_team(session)
        for i in range(count):
            add_member(session, f"m{i}@example.org", team_id=team)  # only members get mail
            session.add(OutboxMail(recipient=f"m{i}@example.org", subject="s", body="b"))
        session.commit()
    reports: list[notifications.SendReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with db_app.app_context():
                reports.append(notifications.send_pending(db_session()))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    with smtp_server(smtp_port) as mailbox:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        received = mailbox.received()
    assert not errors, errors
    assert len(reports) == 2
    assert sum(r.sent for r in reports) == count
    recipients = [m.rcpt_tos[0] for m in received]
    assert sorted(recipients) == sorted(f"m{i}@example.org" for i in range(count))
    with db_app.app_context():
        unsent = db_session().scalar(
            select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None))
        )
    assert unsent == 0
