"""Pages shown once: no history entry of the help pages is ever a POST result, and none
can show the receipt or a thread twice.

**The problem.** A page that answers a POST sits in the browser's history as that POST:
Back offers "Confirm Form Resubmission", and Reload sends the form again; a page that
answers a GET is fetched again (``no-store``) and shows the same thing again. Either way,
whoever holds the survivor's phone later (DESIGN.md, threat 1) could bring back her
receipt, her message or the whole thread with Back and Reload.

**The design.** Sending a request, opening a thread with the receipt and adding a message
each end in a redirect (303) to a GET of a *one-time view*:
``/<lang>/help/sent/<token>`` or ``/<lang>/help/thread/<token>``.

- The token is ``<id>.<secret>``: 16 and 32 random bytes, base64url (22 + 43 characters).
  It is not the receipt and says nothing about it.
- The server keeps one row (``view_once``) found by ``BLAKE2b(id)``; the row's payload (the
  receipt to show once, or the receipt that opens the thread, and a notice) is padded and
  encrypted (XSalsa20-Poly1305) under a key derived from the secret, the id and the page's
  kind (``crypto.seal_view``). The secret is never stored: a database dump alone opens no
  payload, and the row names no request.
- The first GET deletes the row with ``DELETE ... RETURNING`` and commits before anything
  is shown, so of two concurrent GETs exactly one gets the payload (PostgreSQL's row lock,
  SQLite's single writer). It then shows the page: the receipt, or the thread with the
  reply form (the receipt travels in that form's hidden field, as before, so she can write
  back; it is never in a URL or a cookie).
- Every later GET of the URL (Back, Reload, Forward, a reopened tab, the history list)
  finds no row and shows a plain closed page in the URL's language, with nothing of her
  request: "This page was shown once and is closed, for your safety." A view never opened
  expires after ``VIEW_ONCE_SECONDS`` (120 s: the redirect is followed at once, even on a
  slow line) and is then closed too; ``flask purge`` deletes expired rows and scrubs the
  table (``retention.SCRUBBED_TABLES``).

**Back/forward cache.** Current Chromium keeps even ``no-store`` pages in its back/forward
cache (unless a cookie changed since), and a page restored from it is never fetched again:
Back would show the receipt from memory. It keeps only pages whose status is exactly 200,
so the shown-once pages are answered with ``203``, which browsers display like 200 (the
help layer does this). The help form itself (200, ``no-store``, her text typed in it) is
dropped from that cache because every sending changes the session cookie (the spent CSRF
token, below). ``tests/browser/test_no_replay.py`` runs Chromium with the cache on, as
people have it (Playwright turns it off by default).

**Error rounds** (validation errors, an expired CSRF token, too fast, rate limit 429, 413,
unusable characters, 503) stay direct answers to the POST: that is how the form keeps what
she typed, and a flood must not be able to fill this table. Their history entries are POSTs,
so a Reload sends their body again. Why that never sends a request (campaign/help/routes.py
does this):

- Outcomes that could differ if the same body came again later (sent, too fast, 429, 503)
  and every page that shows a thread *spend* the session's CSRF token: the session gets a
  new one and the answered page carries it. A replayed body then fails CSRF, and a failed
  CSRF check never sends or opens anything; on the receipt pages it shows the receipt form
  with no receipt filled in (her message, if any, to copy).
- The other outcomes (validation errors, honeypot, a bad token, 413, unusable characters)
  give the same answer to the same body for ever: a replay only repeats that answer. The
  help form's error page shows her text again (accepted: that is the error round's page);
  a receipt page shows at most the receipt she typed if it opened nothing.
- Every help form carries a random form id in its signed "started" stamp (kept across
  error rounds). When a request is sent, a *sent mark* (``BLAKE2b(form id)``) is stored with
  it in the same transaction for ``SENT_FORM_HOURS``, holding the view's token encrypted
  under the form id. A POST whose form id is marked (a Reload of an error round of a form
  that was later sent, or the second POST of a double click) stores nothing and is
  redirected to that same view: a double click still shows the receipt once (the browser
  follows only the last POST's answer, whose view is still unopened), a later replay gets
  the closed page instead of her text.

**Costs.** A spent token also fails the forms of other tabs of the same browser: such a form
comes back once with "your page was open for a long time" and her text, and then sends. A
message written on a thread page whose token is spent or expired (open over
``WTF_CSRF_TIME_LIMIT``) asks for the receipt again, her message shown to copy, because the
thread must never open for a POST whose token failed. Opening a thread costs two Argon2id
runs (the POST checks the receipt, the GET opens the thread). Any GET of a view's id uses it
up, even with a wrong secret (only its URL, which holds both, knows the id).

**What is left.** The URL of a view stays in the history: it tells that a request was sent
or a thread opened, and when, and opens nothing once shown. If the redirect is never
followed (the connection drops), the row lives ``VIEW_ONCE_SECONDS`` and whoever opens the
URL from history in that time sees the page. A row deleted but not yet scrubbed (until the
next purge) plus the URL from history could be decrypted by someone holding both the phone
and a copy of the database files. An error round of a help form that was never sent, or
sent more than ``SENT_FORM_HOURS`` ago, shows her text again on a Reload (with "could not be
sent"); and the browser keeps every POST body of its history on the device whatever the
server answers. Access logs: the token is logged as ``[redacted]`` (campaign/core/logs.py).

Pure domain code: no Flask (docs/architecture.md).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaign.cases import crypto, intake, receipts
from campaign.core.settings import setting
from campaign.models import OneTimeView
from campaign.models.base import as_utc, utcnow

SENT = "sent"  # the page after sending a request: the receipt, once
THREAD = "thread"  # a thread opened with the receipt, with the reply form
SENT_FORM = "sent-form"  # a help form that was sent (no page; see the module docstring)
KINDS = (SENT, THREAD)
SENT_FORM_HOURS = 24
FORM_ID_MIN_LENGTH = 16  # a form id is random (forms.new_started_token); shorter ones are old


class FormAlreadySent(Exception):  # noqa: N818 - an outcome, not a failure
    """This help form was sent already (a double click, a replay): show its view instead."""

    def __init__(self, token: str) -> None:
        super().__init__("this form was sent already")
        self.token = token


@dataclass(frozen=True)
class SentView:
    receipt: str
    shown: dict[str, str]  # what the page says besides the receipt (``send_request``)


@dataclass(frozen=True)
class ThreadView:
    receipt: str
    notice: str


def lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=int(setting("VIEW_ONCE_SECONDS")))


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str, size: int) -> bytes | None:
    if len(text) != -(-size * 4 // 3) or not text.isascii():
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if len(data) == size and _encode(data) == text else None


def parse_token(token: str) -> tuple[bytes, bytes] | None:
    """(id, secret) of a well-formed token; None for anything else."""
    id_text, dot, secret_text = token.partition(".")
    if not dot:
        return None
    view_id = _decode(id_text, crypto.VIEW_ID_BYTES)
    secret = _decode(secret_text, crypto.VIEW_SECRET_BYTES)
    return None if view_id is None or secret is None else (view_id, secret)


def stage(
    session: Session, kind: str, payload: Mapping[str, str], now: dt.datetime | None = None
) -> str:
    """Add a view to the session (the caller commits); returns its token for the URL."""
    if kind not in KINDS:
        raise ValueError(f"unknown view kind {kind!r}")
    view_id, secret = crypto.new_view_id_and_secret()
    plaintext = json.dumps(dict(payload), separators=(",", ":")).encode()
    session.add(
        OneTimeView(
            id_hash=crypto.view_lookup_hash(view_id),
            kind=kind,
            payload=crypto.seal_view(view_id, secret, kind, plaintext),
            expires_at=as_utc(now) + lifetime(),
        )
    )
    return f"{_encode(view_id)}.{_encode(secret)}"


def take(
    session: Session, kind: str, token: str, now: dt.datetime | None = None
) -> dict[str, str] | None:
    """The payload of an unexpired view, deleting it (committed before returning); None if
    the token is malformed, unknown, of another kind, expired or already taken."""
    parsed = parse_token(token)
    if parsed is None or kind not in KINDS:
        return None
    view_id, secret = parsed
    statement = (
        delete(OneTimeView)
        .where(OneTimeView.id_hash == crypto.view_lookup_hash(view_id), OneTimeView.kind == kind)
        .returning(OneTimeView.payload, OneTimeView.expires_at)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(statement).first()
    session.commit()
    if row is None or as_utc(row.expires_at) <= as_utc(now):
        return None
    try:
        data = json.loads(crypto.open_view(view_id, secret, kind, row.payload))
    except (crypto.DecryptionError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {str(key): str(value) for key, value in data.items()}


# --- the three actions ------------------------------------------------------------------------


def _usable_form_id(form_id: str | None) -> str | None:
    return form_id if form_id and len(form_id) >= FORM_ID_MIN_LENGTH else None


def sent_form_view(session: Session, form_id: str | None, now: dt.datetime | None = None) -> str:
    """The view token of a help form that was sent already; "" if it was not (or is old)."""
    form_id = _usable_form_id(form_id)
    if form_id is None:
        return ""
    mark = session.scalar(
        select(OneTimeView).where(
            OneTimeView.id_hash == crypto.sent_form_hash(form_id),
            OneTimeView.kind == SENT_FORM,
            OneTimeView.expires_at > as_utc(now),
        )
    )
    if mark is None:
        return ""
    try:
        return crypto.open_view(b"", form_id.encode(), SENT_FORM, mark.payload).decode()
    except (crypto.DecryptionError, UnicodeDecodeError):
        return ""


def send_request(
    session: Session,
    submission: intake.Submission,
    form_id: str | None = None,
    shown: Mapping[str, str] | None = None,
) -> str:
    """Store the request, its one-time receipt view and its form's sent mark in one
    transaction; returns the view's token. ``shown``: what else the page will say (never
    a contact detail: the sent page needs only the kind of contact chosen).

    Raises :class:`FormAlreadySent` (after rolling back: nothing of this call is stored)
    if another POST of the same form got there first.
    """
    form_id = _usable_form_id(form_id)
    tokens: list[str] = []

    def add_view(inner: Session, receipt: str) -> None:
        token = stage(inner, SENT, {**(shown or {}), "receipt": receipt})
        tokens.append(token)
        if form_id is None:
            return
        inner.add(
            OneTimeView(
                id_hash=crypto.sent_form_hash(form_id),
                kind=SENT_FORM,
                payload=crypto.seal_view(b"", form_id.encode(), SENT_FORM, token.encode()),
                expires_at=utcnow() + dt.timedelta(hours=SENT_FORM_HOURS),
            )
        )
        try:
            inner.flush()  # PostgreSQL waits here for a concurrent POST of the same form
        except IntegrityError:
            inner.rollback()
            raise FormAlreadySent(sent_form_view(inner, form_id)) from None

    intake.submit(session, submission, before_commit=add_view)
    return tokens[-1]


def show_thread(session: Session, receipt_text: str, notice: str = "") -> str | None:
    """A one-time view of the thread the receipt opens (committed); None if it opens none."""
    if receipts.find(session, receipt_text) is None:
        return None
    token = stage(session, THREAD, {"receipt": receipt_text, "notice": notice})
    session.commit()
    return token


def add_message(session: Session, receipt_text: str, text: str) -> str | None:
    """Add the person's message and a one-time view of the thread with the notice "sent",
    in one transaction; None if the receipt opens no request."""
    tokens: list[str] = []

    def add_view(inner: Session, receipt: str) -> None:
        tokens.append(stage(inner, THREAD, {"receipt": receipt, "notice": "sent"}))

    if intake.add_person_message(session, receipt_text, text, before_commit=add_view) is None:
        return None
    return tokens[-1]


def take_sent(session: Session, token: str) -> SentView | None:
    payload = take(session, SENT, token)
    if payload is None or "receipt" not in payload:
        return None
    receipt = payload.pop("receipt")
    return SentView(receipt, payload)


def take_thread(session: Session, token: str) -> ThreadView | None:
    payload = take(session, THREAD, token)
    if payload is None or "receipt" not in payload:
        return None
    return ThreadView(payload["receipt"], payload.get("notice", ""))


def purge_expired(session: Session, now: dt.datetime | None = None) -> int:
    """Delete expired views and marks (no commit: part of ``retention.purge``)."""
    result = session.execute(
        delete(OneTimeView)
        .where(OneTimeView.expires_at <= as_utc(now))
        .execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult[Any], result).rowcount or 0)
