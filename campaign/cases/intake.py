"""Help requests as plain functions: route, submit, open a thread by receipt, add messages.

Routes and CLI commands call these; they take a SQLAlchemy session and commit themselves, so
a receipt is only ever shown after its request is durably stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaign.cases import crypto, notifications
from campaign.cases.crypto import PrivateKey
from campaign.core.settings import app_cache
from campaign.models import (
    HelpRequest,
    InstallationSecret,
    RequestMessage,
    RequestStatus,
    RoutingRule,
    Team,
)
from campaign.models.base import utcnow

PERSON = "person"
STAFF = "staff"


class NoTeamError(RuntimeError):
    """No team exists to take requests; the operator must run ``flask --app wsgi init``."""


@dataclass(frozen=True)
class Submission:
    """What a person sent: routing metadata in clear, the rest to be encrypted."""

    category: str
    region: str
    language: str
    message: str
    contact: dict[str, str] = field(default_factory=dict)


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


def argon2_params() -> crypto.Argon2Params:
    return crypto.Argon2Params.from_settings(
        "RECEIPT_ARGON2_TIME_COST", "RECEIPT_ARGON2_MEMORY_KIB"
    )


def receipt_salt(session: Session) -> bytes:
    """The per-installation salt for receipt hashes, created on first use."""
    cache: dict[str, bytes] = app_cache("campaign_secrets")
    if "receipt_salt" in cache:
        return cache["receipt_salt"]
    row = session.get(InstallationSecret, "receipt_salt")
    if row is None:
        try:
            with session.begin_nested():
                row = InstallationSecret(name="receipt_salt", value=crypto.new_salt())
                session.add(row)
            session.commit()
        except IntegrityError:  # another worker made it first
            session.rollback()
            row = session.get(InstallationSecret, "receipt_salt")
            if row is None:
                raise
    cache["receipt_salt"] = row.value
    return row.value


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


def _keys_for(session: Session, receipt: str) -> crypto.ReceiptKeys:
    return crypto.derive_receipt_keys(receipt, receipt_salt(session), argon2_params())


def submit(session: Session, submission: Submission) -> str:
    """Store an encrypted request and return its receipt (after the commit)."""
    team = route(session, submission.category, submission.region, submission.language)
    thread_key = crypto.new_thread_key()
    for _attempt in range(3):
        receipt = crypto.new_receipt()
        keys = _keys_for(session, receipt)
        now = utcnow()
        request = HelpRequest(
            team_id=team.id,
            category=submission.category,
            region=submission.region,
            language=submission.language,
            status=RequestStatus.NEW.value,
            receipt_hash=keys.lookup_hash,
            thread_key_for_team=crypto.seal(team.public_key, thread_key),
            thread_key_for_receipt=crypto.encrypt(keys.receipt_key, thread_key),
            contact_sealed=crypto.seal_contact(team.public_key, submission.contact),
            created_at=now,
            last_activity_at=now,
        )
        request.messages.append(
            RequestMessage(
                author=PERSON,
                body=crypto.encrypt(thread_key, submission.message.encode()),
                created_at=now,
            )
        )
        notifications.enqueue_new_request(session, request)  # outbox rows, same commit
        session.add(request)
        try:
            session.commit()
        except IntegrityError:  # receipt collision (1 in 10^16): try another
            session.rollback()
            continue
        return receipt
    raise RuntimeError("could not allocate a unique receipt")


def _find(session: Session, receipt_text: str) -> tuple[HelpRequest, bytes] | None:
    """The request and its thread key, doing the same Argon2id work for any input."""
    receipt = crypto.normalize_receipt(receipt_text)
    keys = _keys_for(session, receipt or "0" * crypto.RECEIPT_DIGITS)
    request = session.scalar(
        select(HelpRequest).where(HelpRequest.receipt_hash == keys.lookup_hash)
    )
    if receipt is None or request is None:
        return None
    try:
        thread_key = crypto.decrypt(keys.receipt_key, request.thread_key_for_receipt)
    except crypto.DecryptionError:
        return None
    return request, thread_key


def _thread(request: HelpRequest, thread_key: bytes) -> Thread:
    entries = [
        ThreadEntry(
            author=m.author,
            text=crypto.decrypt(thread_key, m.body).decode(),
            created_at=m.created_at,
        )
        for m in request.messages
    ]
    return Thread(request.id, request.status, request.created_at, entries)


def open_thread(session: Session, receipt_text: str) -> Thread | None:
    found = _find(session, receipt_text)
    return None if found is None else _thread(*found)


def add_person_message(session: Session, receipt_text: str, text: str) -> Thread | None:
    """Append the person's message; a closed or waiting request becomes open again."""
    found = _find(session, receipt_text)
    if found is None:
        return None
    request, thread_key = found
    now = utcnow()
    request.messages.append(
        RequestMessage(
            author=PERSON, body=crypto.encrypt(thread_key, text.encode()), created_at=now
        )
    )
    if request.status != RequestStatus.NEW.value:
        request.status = RequestStatus.OPEN.value
        request.closed_at = None
    request.last_activity_at = now
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
        author=STAFF, body=crypto.encrypt(thread_key, text.encode()), created_at=now
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
