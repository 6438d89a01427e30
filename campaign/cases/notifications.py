"""Mail notifications to staff: queue "a new request is waiting" and send the outbox.

A notification says only that something is waiting: no content, category, region, team
name or request id, so a staff mailbox (or the mail server) learns nothing about a request.
It is written in its recipient's staff-area language (``StaffUser.language``; for a member
who follows the browser, STAFF_DEFAULT_LANGUAGE, else DEFAULT_LANGUAGE: a mail has no browser).

Nothing here runs inside a survivor's request except :func:`enqueue_new_request`, which only
adds outbox rows to the submission's transaction (they commit atomically with the request).
Mail leaves through :func:`send_pending`, run by ``flask --app wsgi outbox send`` (from cron
or a systemd timer), so an SMTP outage can neither fail nor slow a submission.

Sending, retries and concurrency:

- a due mail is *claimed* by one conditional UPDATE (``attempts = attempts + 1`` where
  ``attempts`` still has the value read and the mail is still unsent), committed before any
  SMTP traffic. Two senders running at once (two cron hosts, an overlapping run) therefore
  never try the same mail at the same time; the claim also moves ``next_attempt_at`` forward
  by a lease, so a sender that dies mid-run leaves the mail to be retried after the lease;
- a failed try reschedules the mail after ``MAIL_RETRY_BASE_SECONDS * 2**(attempts-1)``
  (1 min, 2 min, 4 min ... capped at ``MAIL_RETRY_MAX_SECONDS``, 6 h); after
  ``MAIL_MAX_ATTEMPTS`` tries it is given up (``failed_at`` set). Only the exception's class
  name is kept in ``last_error``: SMTP replies can echo addresses and are not needed;
- if the server cannot be reached at all, the run stops after that mail, leaving the rest
  due for the next run instead of waiting out one timeout per mail;
- delivery is at least once: a sender that dies between the server's "250 OK" and its own
  commit sends that mail again after the lease.

To keep a flood of submissions from becoming a flood of mail, a member who already has an
unsent notification queued does not get a second one: one mail says that requests are waiting.

A notice is sent only if, when it is sent, its address still belongs to an active member
who wants notices and is in a team (:func:`still_wanted`): a member who turned notices off,
was disabled, left every team or changed address after the notice was queued gets nothing,
and the notice is deleted (counted as ``cancelled``), not retried. The outbox row names no
member or team on purpose, so the check goes by address, and a member who left only the
request's team but is in another still gets it: the mail says no more than "sign in".
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any, cast

from sqlalchemy import CursorResult, and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from campaign.core import settings
from campaign.core.texts import N_, translate
from campaign.models import HelpRequest, OutboxMail, StaffUser, TeamMembership
from campaign.models.base import as_utc

SUBJECT = N_("A new request is waiting")
BODY = N_(
    "A new request is waiting in the staff inbox:\n"
    "\n"
    "%(url)s\n"
    "\n"
    "This message says nothing more on purpose: please sign in to read it.\n"
    "You get these notices because you turned them on in your account.\n"
)
BATCH = 200


@dataclass(frozen=True)
class SendReport:
    """What one :func:`send_pending` run did (``failed`` = ``retried`` + ``given_up``)."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    given_up: int = 0
    cancelled: int = 0  # no longer wanted by the member (see the module docstring)


@dataclass(frozen=True)
class OutboxStatus:
    """Counts only (no addresses): for ``outbox status`` and the admin page."""

    due: int
    scheduled: int
    sent: int
    given_up: int


def enqueue_new_request(session: Session, request: HelpRequest) -> int:
    """Queue a content-free notice for each active, opted-in member of the request's team.

    Adds rows to ``session`` without committing: the caller (``casework.submit``) commits
    them with the request. Returns the number of mails queued.
    """
    config = settings.config()
    languages = tuple(config["LANGUAGES"])
    subjects = {translate(lang, SUBJECT) for lang in languages} | {SUBJECT}
    pending = aliased(OutboxMail)
    already_queued = exists().where(
        pending.recipient == StaffUser.email,
        pending.subject.in_(sorted(subjects)),
        pending.sent_at.is_(None),
        pending.failed_at.is_(None),
    )
    query = (
        select(StaffUser.email, StaffUser.language)
        .join(TeamMembership, TeamMembership.user_id == StaffUser.id)
        .where(
            TeamMembership.team_id == request.team_id,
            StaffUser.is_active.is_(True),
            StaffUser.notify_by_email.is_(True),
            ~already_queued,
        )
        .order_by(StaffUser.id)
    )
    with session.no_autoflush:  # never flush the request early (its commit handles clashes)
        recipients = list(session.execute(query))
    url = str(config["STAFF_BASE_URL"])
    fallback = str(config.get("STAFF_DEFAULT_LANGUAGE") or config["DEFAULT_LANGUAGE"])
    for email, language in recipients:
        lang = str(language) if language in languages else fallback
        subject = translate(lang, SUBJECT)
        body = translate(lang, BODY, url=url)
        session.add(OutboxMail(recipient=email, subject=subject, body=body))
    return len(recipients)


def retry_delay(attempts: int, config: Any) -> dt.timedelta:
    """Back-off after the ``attempts``-th failed try: base * 2**(attempts-1), capped."""
    base = float(config["MAIL_RETRY_BASE_SECONDS"])
    cap = float(config["MAIL_RETRY_MAX_SECONDS"])
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, min(attempts - 1, 40))))


def build_message(mail: OutboxMail, config: Any, now: dt.datetime) -> EmailMessage:
    sender = str(config["MAIL_FROM"])
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message


def connect(config: Any) -> smtplib.SMTP:
    """An SMTP connection as configured (SSL, or plain with optional STARTTLS; login)."""
    host = str(config["MAIL_SERVER"])
    port = int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT"])
    smtp: smtplib.SMTP
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config["MAIL_USE_STARTTLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def still_wanted(session: Session, recipient: str) -> bool:
    """Whether ``recipient`` is still an active, opted-in member of at least one team."""
    member = (
        select(StaffUser.id)
        .join(TeamMembership, TeamMembership.user_id == StaffUser.id)
        .where(
            StaffUser.email == recipient,
            StaffUser.is_active.is_(True),
            StaffUser.notify_by_email.is_(True),
        )
        .limit(1)
    )
    return session.scalar(member) is not None


def _due_ids(session: Session, now: dt.datetime, seen: set[int]) -> list[tuple[int, int]]:
    query = (
        select(OutboxMail.id, OutboxMail.attempts)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.failed_at.is_(None),
            OutboxMail.next_attempt_at <= now,
        )
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(BATCH)
    )
    rows = [(row.id, row.attempts) for row in session.execute(query)]
    session.commit()  # end the read transaction before claiming
    return [row for row in rows if row[0] not in seen]


def _claim(session: Session, mail_id: int, attempts: int, lease_until: dt.datetime) -> bool:
    """Take a mail for this run (committed); False if another sender took it first."""
    result = session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.attempts == attempts,
            OutboxMail.sent_at.is_(None),
            OutboxMail.failed_at.is_(None),
        )
        .values(attempts=attempts + 1, next_attempt_at=lease_until)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return cast("CursorResult[Any]", result).rowcount == 1


def send_pending(session: Session, now: dt.datetime | None = None) -> SendReport:
    """Send every due mail (commits per mail); see the module docstring for retries."""
    config = settings.config()
    now = as_utc(now)
    max_attempts = int(config["MAIL_MAX_ATTEMPTS"])
    lease = dt.timedelta(seconds=max(60.0, 3 * float(config["MAIL_TIMEOUT"])))
    counts = {"sent": 0, "retried": 0, "given_up": 0, "cancelled": 0}
    smtp: smtplib.SMTP | None = None
    seen: set[int] = set()
    try:
        while batch := _due_ids(session, now, seen):
            for mail_id, attempts in batch:
                seen.add(mail_id)
                if not _claim(session, mail_id, attempts, now + lease):
                    continue
                mail = session.get(OutboxMail, mail_id, populate_existing=True)
                if mail is None:  # deleted meanwhile
                    continue
                if not still_wanted(session, mail.recipient):
                    session.delete(mail)
                    session.commit()
                    counts["cancelled"] += 1
                    continue
                reached = smtp is not None
                try:
                    if smtp is None:
                        smtp = connect(config)
                        reached = True
                    smtp.send_message(build_message(mail, config, now))
                except Exception as exc:  # any failure of this mail: retry it later
                    if smtp is not None:
                        _quietly_close(smtp)
                        smtp = None
                    mail.last_error = type(exc).__name__[:200]
                    if mail.attempts >= max_attempts:
                        mail.failed_at = now
                        counts["given_up"] += 1
                    else:
                        mail.next_attempt_at = now + retry_delay(mail.attempts, config)
                        counts["retried"] += 1
                    session.commit()
                    if not reached:
                        return _report(counts)  # server unreachable: leave the rest due
                    continue
                mail.sent_at = now
                mail.last_error = ""
                session.commit()
                counts["sent"] += 1
    finally:
        if smtp is not None:
            _quietly_close(smtp, polite=True)
    return _report(counts)


def _report(counts: dict[str, int]) -> SendReport:
    failed = counts["retried"] + counts["given_up"]
    return SendReport(
        counts["sent"], failed, counts["retried"], counts["given_up"], counts["cancelled"]
    )


def _quietly_close(smtp: smtplib.SMTP, polite: bool = False) -> None:
    try:
        if polite:
            smtp.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        smtp.close()


def status(session: Session, now: dt.datetime | None = None) -> OutboxStatus:
    """How many mails are due now, scheduled for later, sent, and given up."""
    now = as_utc(now)
    unsent = and_(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))

    def count(*conditions: Any) -> int:
        return int(session.scalar(select(func.count(OutboxMail.id)).where(*conditions)) or 0)

    return OutboxStatus(
        due=count(unsent, OutboxMail.next_attempt_at <= now),
        scheduled=count(unsent, OutboxMail.next_attempt_at > now),
        sent=count(OutboxMail.sent_at.is_not(None)),
        given_up=count(OutboxMail.failed_at.is_not(None)),
    )
