"""The receipt pepper: a secret kept outside the database, mixed into every receipt hash.

Owns where the pepper is found, how a new one is made, and its fingerprint; what it is
mixed into is ``campaign.cases.crypto`` and ``campaign.cases.receipts``.

Where it comes from, first found wins:

1. the setting ``RECEIPT_PEPPER`` (``instance/config.py``, or the environment variable
   ``CAMPAIGN_RECEIPT_PEPPER``, taken exactly as written: ``config.load`` keeps it from
   being read as JSON, which would turn a pepper of digits into a number);
2. the file named by ``RECEIPT_PEPPER_FILE``, by default ``instance/receipt-pepper``, which
   ``flask --app wsgi init`` (or the first submission, when there is no pepper yet and no
   receipt depends on one) creates with mode 0600 from the start.

The text (at least :data:`MIN_LENGTH` characters; surrounding white space is ignored) is
hashed into a 32-byte key, so any random text of that length will do. It is not
``SECRET_KEY``: that one may be rotated at will, the pepper may not (receipts made under it
open only with it).

The *fingerprint* (a keyed BLAKE2b of nothing) is stored in the database so that a wrong
pepper (another host's, an old copy) is noticed at start-up instead of making every receipt
"not found"; it reveals nothing of the pepper (256 random bits behind a keyed hash).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import current_app

from campaign.core import config as default_config

FILE_NAME = "receipt-pepper"
MIN_LENGTH = 32
KEY_SIZE = 32
FINGERPRINT_NAME = "receipt_pepper_check"  # its row in installation_secret


class PepperError(ValueError):
    """The configured pepper cannot be used; the message says why and what to do."""


def location(config: Mapping[str, Any], instance_path: Path | None = None) -> Path:
    """The pepper file: ``RECEIPT_PEPPER_FILE``, else ``<instance>/receipt-pepper``."""
    named = config.get("RECEIPT_PEPPER_FILE")
    if named:
        return Path(str(named))
    folder = instance_path or default_config.instance_path(config)
    return folder / FILE_NAME


def key_from_text(text: str) -> bytes:
    return hashlib.blake2b(
        text.strip().encode("utf-8"), digest_size=KEY_SIZE, person=b"receipt-pepper"
    ).digest()


def fingerprint(key: bytes) -> bytes:
    return hashlib.blake2b(b"", key=key, digest_size=KEY_SIZE, person=b"pepper-check").digest()


def load(config: Mapping[str, Any], instance_path: Path | None = None) -> bytes | None:
    """The pepper key, or None if neither the setting nor the file exists."""
    value = config.get("RECEIPT_PEPPER")
    where = "RECEIPT_PEPPER (env CAMPAIGN_RECEIPT_PEPPER)"
    if value is None:
        path = location(config, instance_path)
        where = str(path)
        try:
            value = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise PepperError(
                f"The receipt pepper file {path} cannot be read ({exc.strerror}). It must be "
                "readable by the service user (and by no one else: mode 0600)."
            ) from exc
    if not isinstance(value, str) or len(value.strip()) < MIN_LENGTH:
        raise PepperError(
            f"The receipt pepper in {where} is shorter than {MIN_LENGTH} characters or not "
            "text. If receipts were made with the right one, restore it from the backup; "
            "if the site has never had one, remove the setting and 'flask --app wsgi init' "
            "makes a new file."
        )
    return key_from_text(value)


def create(config: Mapping[str, Any], instance_path: Path | None = None) -> bytes:
    """Write a new random pepper file (0600 from the start) and return its key.

    The file appears complete or not at all (written aside, then linked into place), and
    if another process made one first, that one is returned.
    """
    path = location(config, instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = secrets.token_urlsafe(KEY_SIZE) + "\n"
    aside = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another worker was first: use its pepper
            os.link(aside, path)
    finally:
        aside.unlink(missing_ok=True)
    key = load(config, instance_path)
    if key is None:  # pragma: no cover - removed between the link and the read
        raise PepperError(f"The receipt pepper file {path} disappeared as it was made.")
    return key


def app_pepper() -> bytes | None:
    """The running app's pepper key (None if there is none yet)."""
    return load(current_app.config, Path(current_app.instance_path))


def create_app_pepper() -> bytes:
    return create(current_app.config, Path(current_app.instance_path))


def app_pepper_location() -> Path:
    return location(current_app.config, Path(current_app.instance_path))


def missing_message(path: Path) -> str:
    return (
        "Receipts of stored help requests were made with the receipt pepper, but no pepper "
        f"is configured: RECEIPT_PEPPER (env CAMPAIGN_RECEIPT_PEPPER) is not set and there "
        f"is no file {path}. Restore the pepper from the backup kept with the teams' recovery "
        "keys (the file as it was, or the same text in CAMPAIGN_RECEIPT_PEPPER), then start "
        "again. Without it, nobody can open those requests with a receipt (staff still read "
        "them with the team keys); a new pepper would not bring them back. Only if it is "
        "lost for good: 'flask --app wsgi receipts new-pepper' gives those receipts up."
    )


def mismatch_message(path: Path) -> str:
    return (
        "The receipt pepper configured here (RECEIPT_PEPPER, or the file "
        f"{path}) is not the one the stored receipts were made with: its fingerprint differs "
        "from the one in the database. Use the pepper these requests were made with (from "
        "the backup, or the same file or value as on the other hosts), then start again. "
        "Only if that pepper is lost for good: 'flask --app wsgi receipts new-pepper'."
    )
