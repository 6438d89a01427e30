"""Receipts: the installation salt, the pepper, and finding a request by its receipt.

How a receipt becomes its lookup hash and receipt key (``crypto.py``): Argon2id over the 16
digits with one salt per installation (``installation_secret``), then each half keyed with
the *receipt pepper*, a secret kept outside the database (``campaign.core.pepper``). With
one salt for all, a guess tested offline is tested against every stored request at once;
the pepper makes a database dump alone useless for guessing: without it no hash can be
recomputed at all.

``help_request.receipt_scheme`` says how each row was made (``ReceiptScheme``):

- ``PEPPERED`` (1): every request made since migration 0004;
- ``UNPEPPERED`` (0): made before it; the row holds the Argon2id halves as they were;
- ``WRAPPED`` (2): an unpeppered row protected without its receipt by
  :func:`protect_unpeppered` (``flask init`` and every ``flask purge`` run it): its lookup
  hash is keyed with the pepper (the same function of the old hash as for a new row, so
  one lookup finds both) and its receipt-encrypted thread key is wrapped under a key from
  the pepper. From then on a dump reveals nothing to guess against for that row either.

The first time an old receipt is used (UNPEPPERED or WRAPPED), its row is rewritten as
PEPPERED (:func:`find`). Rows never used again are purged by retention like any other.

Timing: every lookup, for any input (a valid receipt or not, a row of any scheme or none),
costs one Argon2id run, two keyed hashes and one indexed query for the two candidate hashes
(peppered and unpeppered). Only a *hit* does more (opening the thread key and, once per old
row, rewriting it), and a hit shows the thread anyway; a miss reveals nothing, not even
whether unpeppered rows still exist.

The pepper is made on first use (or by ``flask init``) only while no row depends on one;
if rows made under a pepper exist and it is missing or is not the one whose fingerprint
the database holds, :class:`ReceiptPepperError` is raised (and the start-up check in
``core/checks.py`` refuses to start), never a new pepper that would orphan every receipt.
If it is truly lost, ``flask receipts new-pepper`` (:func:`replace_lost_pepper`) marks
those rows LOST (``ReceiptScheme.LOST``: no receipt opens them; staff still can) so the
site runs again with a new pepper. That trade (a stopped site until the operator decides,
rather than silently dead receipts) is deliberate: the pepper must be restored if at all
possible, and only the operator knows whether it can be.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaign.cases import crypto
from campaign.core import pepper as pepper_file
from campaign.core.settings import app_cache
from campaign.models import HelpRequest, InstallationSecret
from campaign.models.help_request import ReceiptScheme

CACHE = "campaign_secrets"


class ReceiptPepperError(RuntimeError):
    """The receipt pepper is missing or wrong while receipts depend on it."""


def argon2_params() -> crypto.Argon2Params:
    return crypto.Argon2Params.from_settings(
        "RECEIPT_ARGON2_TIME_COST", "RECEIPT_ARGON2_MEMORY_KIB"
    )


def _installation_secret(session: Session, name: str, make: bytes) -> bytes:
    """The value stored under ``name``, storing ``make`` if there is none yet."""
    row = session.get(InstallationSecret, name)
    if row is None:
        try:
            with session.begin_nested():
                row = InstallationSecret(name=name, value=make)
                session.add(row)
            session.commit()
        except IntegrityError:  # another worker made it first
            session.rollback()
            row = session.get(InstallationSecret, name)
            if row is None:
                raise
    return row.value


def receipt_salt(session: Session) -> bytes:
    """The per-installation salt for receipt hashes, created on first use."""
    cache: dict[str, bytes] = app_cache(CACHE)
    if "receipt_salt" not in cache:
        cache["receipt_salt"] = _installation_secret(session, "receipt_salt", crypto.new_salt())
    return cache["receipt_salt"]


NEEDS_PEPPER = (ReceiptScheme.PEPPERED.value, ReceiptScheme.WRAPPED.value)


def peppered_rows_exist(session: Session) -> bool:
    """Whether any request's receipt depends on the pepper."""
    query = select(HelpRequest.id).where(HelpRequest.receipt_scheme.in_(NEEDS_PEPPER))
    return session.scalar(query.limit(1)) is not None


def count_needing_pepper(session: Session) -> int:
    query = select(func.count(HelpRequest.id)).where(HelpRequest.receipt_scheme.in_(NEEDS_PEPPER))
    return int(session.scalar(query) or 0)


def replace_lost_pepper(session: Session) -> int:
    """Give up a lost (or replaced) pepper: its requests can no longer be opened by receipt.

    For ``flask receipts new-pepper``, when the pepper is gone for good: the rows made under
    it become LOST (staff still read them with the team keys; retention purges them as
    usual), the configured pepper, or a new one, becomes the pepper, and the site can start
    again. Returns the number of requests given up. Commits.
    """
    if _configured_pepper_fits(session):
        raise ReceiptPepperError(
            "The configured receipt pepper is the one the receipts were made with: nothing "
            "is lost, and nothing was changed."
        )
    cache: dict[str, bytes] = app_cache(CACHE)
    cache.pop("receipt_pepper", None)
    result = session.execute(
        update(HelpRequest)
        .where(HelpRequest.receipt_scheme.in_(NEEDS_PEPPER))
        .values(receipt_scheme=ReceiptScheme.LOST.value)
        .execution_options(synchronize_session=False)
    )
    lost = cast("CursorResult[Any]", result).rowcount
    session.commit()
    session.expire_all()
    pepper(session)  # nothing depends on a pepper now: the configured one, or a new one
    return lost


def _configured_pepper_fits(session: Session) -> bool:
    """Whether a pepper is configured and its fingerprint is the stored one."""
    try:
        key = pepper_file.app_pepper()
    except pepper_file.PepperError:
        return False
    stored = session.get(InstallationSecret, pepper_file.FINGERPRINT_NAME)
    return key is not None and stored is not None and stored.value == pepper_file.fingerprint(key)


def pepper(session: Session) -> bytes:
    """The receipt pepper's key: configured, or made now if no receipt depends on one."""
    cache: dict[str, bytes] = app_cache(CACHE)
    if "receipt_pepper" in cache:
        return cache["receipt_pepper"]
    try:
        key = pepper_file.app_pepper()
    except pepper_file.PepperError as exc:
        raise ReceiptPepperError(str(exc)) from exc
    if key is None:
        if peppered_rows_exist(session):
            raise ReceiptPepperError(pepper_file.missing_message(pepper_file.app_pepper_location()))
        key = pepper_file.create_app_pepper()
    expected = pepper_file.fingerprint(key)
    stored = _installation_secret(session, pepper_file.FINGERPRINT_NAME, expected)
    if stored != expected:
        if peppered_rows_exist(session):
            raise ReceiptPepperError(
                pepper_file.mismatch_message(pepper_file.app_pepper_location())
            )
        row = session.get(InstallationSecret, pepper_file.FINGERPRINT_NAME)
        if row is not None:  # nothing depends on the old pepper: this one takes over
            row.value = expected
            session.commit()
    cache["receipt_pepper"] = key
    return key


@dataclass(frozen=True)
class PepperReport:
    created: Path | None  # the new pepper file, if one was made now
    protected: int  # unpeppered rows put under the pepper


def prepare(session: Session) -> PepperReport:
    """Make the pepper if there is none yet and protect every unpeppered row (``flask init``)."""
    try:
        existed = pepper_file.app_pepper() is not None
    except pepper_file.PepperError as exc:
        raise ReceiptPepperError(str(exc)) from exc
    pepper(session)
    created = None if existed else pepper_file.app_pepper_location()
    return PepperReport(created=created, protected=protect_unpeppered(session))


def pepper_location() -> Path:
    """Where the pepper file is (even when the pepper comes from the setting instead)."""
    return pepper_file.app_pepper_location()


def new_receipt_keys(session: Session, receipt: str) -> crypto.ReceiptKeys:
    """The (peppered) lookup hash and receipt key of a new request's receipt."""
    unpeppered = crypto.derive_receipt_keys(receipt, receipt_salt(session), argon2_params())
    return crypto.pepper_receipt_keys(unpeppered, pepper(session))


def find(session: Session, receipt_text: str) -> tuple[HelpRequest, bytes] | None:
    """The request and its thread key, doing the same work for any input (see above)."""
    receipt = crypto.normalize_receipt(receipt_text)
    salt = receipt_salt(session)
    key = pepper(session)
    unpeppered = crypto.derive_receipt_keys(
        receipt or "0" * crypto.RECEIPT_DIGITS, salt, argon2_params()
    )
    peppered = crypto.pepper_receipt_keys(unpeppered, key)
    request = session.scalar(
        select(HelpRequest).where(
            HelpRequest.receipt_hash.in_([peppered.lookup_hash, unpeppered.lookup_hash])
        )
    )
    if receipt is None or request is None:
        return None
    thread_key = _open(request, unpeppered, peppered, key)
    if thread_key is None:
        return None
    if request.receipt_scheme != ReceiptScheme.PEPPERED.value:
        request.receipt_hash = peppered.lookup_hash
        request.thread_key_for_receipt = crypto.encrypt(peppered.receipt_key, thread_key)
        request.receipt_scheme = ReceiptScheme.PEPPERED.value
        session.commit()
    return request, thread_key


def _open(
    request: HelpRequest,
    unpeppered: crypto.ReceiptKeys,
    peppered: crypto.ReceiptKeys,
    key: bytes,
) -> bytes | None:
    """The thread key, if the row's scheme matches the hash that found it."""
    scheme = request.receipt_scheme
    by_pepper = request.receipt_hash == peppered.lookup_hash
    sealed = request.thread_key_for_receipt
    try:
        if by_pepper and scheme == ReceiptScheme.PEPPERED.value:
            return crypto.decrypt(peppered.receipt_key, sealed)
        if by_pepper and scheme == ReceiptScheme.WRAPPED.value:
            inner = crypto.decrypt(crypto.receipt_wrap_key(key), sealed)
            return crypto.decrypt(unpeppered.receipt_key, inner)
        if not by_pepper and scheme == ReceiptScheme.UNPEPPERED.value:
            return crypto.decrypt(unpeppered.receipt_key, sealed)
    except crypto.DecryptionError:
        return None
    return None


def protect_unpeppered(session: Session) -> int:
    """Put every unpeppered row under the pepper without its receipt (WRAPPED); commits.

    Each row changes in one conditional UPDATE, so a receipt used at the same moment (which
    makes its row PEPPERED) is never overwritten. Returns the number of rows protected.
    """
    rows = session.execute(
        select(HelpRequest.id, HelpRequest.receipt_hash, HelpRequest.thread_key_for_receipt)
        .where(HelpRequest.receipt_scheme == ReceiptScheme.UNPEPPERED.value)
        .order_by(HelpRequest.id)
    ).all()
    if not rows:
        return 0
    key = pepper(session)
    wrap = crypto.receipt_wrap_key(key)
    protected = 0
    for row in rows:
        result = session.execute(
            update(HelpRequest)
            .where(
                HelpRequest.id == row.id,
                HelpRequest.receipt_scheme == ReceiptScheme.UNPEPPERED.value,
            )
            .values(
                receipt_hash=crypto.peppered_lookup_hash(row.receipt_hash, key),
                thread_key_for_receipt=crypto.encrypt(wrap, row.thread_key_for_receipt),
                receipt_scheme=ReceiptScheme.WRAPPED.value,
            )
            .execution_options(synchronize_session=False)
        )
        protected += cast("CursorResult[Any]", result).rowcount
    session.commit()
    session.expire_all()
    return protected
