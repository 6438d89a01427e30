"""Help requests as plain functions: route, submit, open a thread by receipt, add messages.

Routes and CLI commands call these; they take a SQLAlchemy session and commit themselves, so
a receipt is only ever shown after its request is durably stored. How a receipt finds its
request (salt, pepper, old rows) is ``receipts.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaign.cases import crypto, notifications, receipts
from campaign.cases.crypto import PrivateKey
from campaign.models import HelpRequest, RequestMessage, RequestStatus, RoutingRule, Team
from campaign.models.base import utcnow
from campaign.models.help_request import ReceiptScheme

PERSON = "person"
STAFF = "staff"


class NoTeamError(RuntimeError):
    """No team exists to take requests; the operator must run ``flask --app wsgi init``."""


@dataclass(frozen=True)
class Submission:
    """What a person sent: routing metadata in clear, the rest to be encrypted.

    ``contact`` is sealed to the team as it is: the method and its details, and
    ``for_whom`` (``vocabulary.FOR_WHOM``: "myself", "someone-else", or "" when not said),
    so staff know whether the contact details are those of the person in danger.
    """

    category: str
    region: str
    language: str
    message: str
    contact: dict[str, str] = field(default_factory=dict)

    @property
    def for_whom(self) -> str:
        """Who the request is for, as sealed with the contact details ("" if not said)."""
        return self.contact.get("for_whom", "")

    @property
    def contact_method(self) -> str:
        return self.contact.get("method", "receipt")


@dataclass(frozen=True)
class ThreadEntry:
    author: str
    text: str
    created_at: Any


@dataclass(frozen=True)
class Thread:
    request_id: int
    status: str
    created_at: Any
    entries: list[ThreadEntry]


def route(session: Session, category: str, region: str, language: str) -> Team:
    """First matching rule by position wins; else the default team; else any team."""
    rules = session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id))
    for rule in rules:
        if rule.matches(category, region, language):
            return rule.team
    team = session.scalar(select(Team).where(Team.is_default.is_(True)).order_by(Team.id))
    if team is None:
        team = session.scalar(select(Team).order_by(Team.id))
    if team is None:
        raise NoTeamError("no team exists; run 'flask --app wsgi init'")
    return team


BeforeCommit = Callable[[Session, str], None]


def submit(
    session: Session, submission: Submission, before_commit: BeforeCommit | None = None
) -> str:
    """Store an encrypted request and return its receipt (after the commit).

    ``before_commit(session, receipt)``, if given, adds what must be stored in the same
    transaction (the one-time page that shows the receipt: ``viewonce.py``); an exception
    it raises leaves the transaction to the caller to roll back, and nothing is stored.
    """
    team = route(session, submission.category, submission.region, submission.language)
    thread_key = crypto.new_thread_key()
    for _attempt in range(3):
        receipt = crypto.new_receipt()
        keys = receipts.new_receipt_keys(session, receipt)
        now = utcnow()
        request = HelpRequest(
            team_id=team.id,
            category=submission.category,
            region=submission.region,
            language=submission.language,
            status=RequestStatus.NEW.value,
            receipt_hash=keys.lookup_hash,
            receipt_scheme=ReceiptScheme.PEPPERED.value,
            thread_key_for_team=crypto.seal(team.public_key, thread_key),
            thread_key_for_receipt=crypto.encrypt(keys.receipt_key, thread_key),
            contact_sealed=crypto.seal_contact(team.public_key, submission.contact),
            created_at=now,
            last_activity_at=now,
        )
        request.messages.append(
            RequestMessage(
                author=PERSON,
                body=crypto.encrypt_text(thread_key, submission.message),
                created_at=now,
            )
        )
        notifications.enqueue_new_request(session, request)  # outbox rows, same commit
        session.add(request)
        try:
            session.flush()
        except IntegrityError:  # receipt collision (1 in 10^16): try another
            session.rollback()
            continue
        if before_commit is not None:  # its rows commit with the request, or neither does
            before_commit(session, receipt)
        session.commit()
        return receipt
    raise RuntimeError("could not allocate a unique receipt")


def _thread(request: HelpRequest, thread_key: bytes) -> Thread:
    entries = [
        ThreadEntry(
            author=m.author,
            text=crypto.decrypt_text(thread_key, m.body),
            created_at=m.created_at,
        )
        for m in request.messages
    ]
    return Thread(request.id, request.status, request.created_at, entries)


def open_thread(session: Session, receipt_text: str) -> Thread | None:
    found = receipts.find(session, receipt_text)
    return None if found is None else _thread(*found)


def add_person_message(
    session: Session, receipt_text: str, text: str, before_commit: BeforeCommit | None = None
) -> Thread | None:
    """Append the person's message; a closed or waiting request becomes open again.

    ``before_commit(session, receipt_text)`` as for :func:`submit`.
    """
    found = receipts.find(session, receipt_text)
    if found is None:
        return None
    request, thread_key = found
    now = utcnow()
    request.messages.append(
        RequestMessage(author=PERSON, body=crypto.encrypt_text(thread_key, text), created_at=now)
    )
    if request.status != RequestStatus.NEW.value:
        request.status = RequestStatus.OPEN.value
        request.closed_at = None
    request.last_activity_at = now
    if before_commit is not None:
        before_commit(session, receipt_text)
    session.commit()
    return _thread(request, thread_key)


def thread_key_for_staff(request: HelpRequest, team_private_key: PrivateKey) -> bytes:
    return crypto.unseal(team_private_key, request.thread_key_for_team)


def add_staff_reply(
    session: Session, request: HelpRequest, team_private_key: PrivateKey, text: str
) -> RequestMessage:
    """A staff reply, readable by the team and by the person with the receipt.

    The request then waits for the person's answer. Called by the inbox.
    """
    thread_key = thread_key_for_staff(request, team_private_key)
    now = utcnow()
    message = RequestMessage(
        author=STAFF, body=crypto.encrypt_text(thread_key, text), created_at=now
    )
    request.messages.append(message)
    request.status = RequestStatus.WAITING.value
    request.last_activity_at = now
    session.commit()
    return message


def read_contact(request: HelpRequest, team_private_key: PrivateKey) -> dict[str, str]:
    return crypto.unseal_contact(team_private_key, request.contact_sealed)


def read_thread_as_staff(request: HelpRequest, team_private_key: PrivateKey) -> Thread:
    return _thread(request, thread_key_for_staff(request, team_private_key))
