"""The only module that touches keys and ciphertext (PyNaCl / libsodium, argon2-cffi).

Construction (the design's "Encryption at rest"; docs/architecture.md says where it is used):

- Each team has an X25519 key pair. The public key is in the database; the private key is
  printed once as a *recovery key* when the team is created (and, with the inbox, granted to
  members sealed to their own keys). The server never stores a team private key.
- A request gets a random 32-byte *thread key*. It is sealed to the team's public key
  (``SealedBox``) and also encrypted (``SecretBox``) under a *receipt key*. Every thread
  message (the person's and staff replies) is encrypted once under the thread key, so staff
  read it with the team key and the person with the receipt alone.
- The receipt (16 digits) goes through Argon2id with a per-installation salt into 64 bytes;
  each half is then keyed (BLAKE2b) with the *receipt pepper*, a secret kept outside the
  database (campaign/core/pepper.py): the first gives the lookup hash (unique column), the
  second the receipt key (:func:`pepper_receipt_keys`). Each half reveals nothing of the
  other, every guess at a receipt costs a full Argon2id computation, and without the
  pepper a database dump allows no guess at all. The receipt itself is never stored.
  Rows from before the pepper and how they are protected: campaign/cases/receipts.py.
- Contact details are sealed to the team's public key only.

Padding (what ciphertext lengths reveal): every text that says something about a person,
the sealed contact, thread messages and replies (:func:`encrypt_text`) and notes
(:func:`seal_text`), is padded before encryption to a bucket of 256, 512, 1024, 2048, 4096
or 8192 bytes, then multiples of 8192, so a length tells only the bucket: "receipt only"
and a phone contact with safe times look the same, and so do a 10- and a 200-character
message. The frame is ``0xFF``, the plaintext length (4 bytes, big-endian), the plaintext,
then zeros. Rows written before padding hold plain UTF-8 text or JSON in the box, and
neither can start with the byte ``0xFF`` (never valid in UTF-8), so :func:`unpad` tells
the two apart without a column and old rows keep opening; re-sealing to another team keeps
each value's frame as it is. Fixed-size secrets (thread keys, team and member keys, TOTP
seeds) are not padded: their length says nothing. The cost is storage: a short message
takes 296 bytes instead of about 60.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox
from nacl.utils import random as random_bytes

from campaign.core.settings import setting

__all__ = ["PrivateKey"]  # the key type other modules name; they never import nacl

log = logging.getLogger(__name__)

RECEIPT_DIGITS = 16
KEY_SIZE = SecretBox.KEY_SIZE
PAD_MARK = b"\xff"  # first byte of a padded frame; never the first byte of UTF-8 or JSON
PAD_LENGTH_BYTES = 4
PAD_BUCKETS = (256, 512, 1024, 2048, 4096, 8192)  # then multiples of the last


class DecryptionError(ValueError):
    """Ciphertext could not be opened with the key given."""


@dataclass(frozen=True)
class Argon2Params:
    time_cost: int = 2
    memory_kib: int = 19456
    parallelism: int = 1

    @classmethod
    def from_settings(cls, time_cost: str, memory_kib: str) -> Argon2Params:
        """The costs named by two settings (e.g. ``RECEIPT_ARGON2_TIME_COST``)."""
        return cls(time_cost=int(setting(time_cost)), memory_kib=int(setting(memory_kib)))


@dataclass(frozen=True)
class ReceiptKeys:
    lookup_hash: bytes
    receipt_key: bytes


def new_receipt() -> str:
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def format_receipt(receipt: str) -> str:
    """'1234567812345678' -> '1234 5678 1234 5678' for reading aloud or copying by hand."""
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def normalize_receipt(text: str) -> str | None:
    """Digits only, if exactly 16 remain after removing spaces and dashes; else None."""
    cleaned = "".join(ch for ch in text if ch not in " -\u00a0\t")
    if len(cleaned) == RECEIPT_DIGITS and cleaned.isascii() and cleaned.isdigit():
        return cleaned
    return None


def new_salt() -> bytes:
    return random_bytes(16)


def derive_receipt_keys(receipt: str, salt: bytes, params: Argon2Params) -> ReceiptKeys:
    raw = hash_secret_raw(
        secret=receipt.encode("ascii"),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=64,
        type=Type.ID,
    )
    return ReceiptKeys(lookup_hash=raw[:32], receipt_key=raw[32:])


def _keyed(pepper: bytes, purpose: bytes, data: bytes) -> bytes:
    return hashlib.blake2b(data, key=pepper, digest_size=KEY_SIZE, person=purpose).digest()


def pepper_receipt_keys(keys: ReceiptKeys, pepper: bytes) -> ReceiptKeys:
    """The peppered keys: each half of the Argon2id output keyed with the pepper."""
    return ReceiptKeys(
        lookup_hash=peppered_lookup_hash(keys.lookup_hash, pepper),
        receipt_key=_keyed(pepper, b"receipt-key", keys.receipt_key),
    )


def peppered_lookup_hash(unpeppered: bytes, pepper: bytes) -> bytes:
    """The peppered lookup hash, from the unpeppered one (an old row's stored hash)."""
    return _keyed(pepper, b"receipt-lookup", unpeppered)


def receipt_wrap_key(pepper: bytes) -> bytes:
    """The key that wraps an old row's receipt-encrypted thread key (no receipt needed)."""
    return _keyed(pepper, b"receipt-wrap", b"")


# --- team keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamKeys:
    public_key: bytes
    recovery_key: str


def _checksum(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=2, person=b"campaign-recov").digest()


def new_team_keys() -> TeamKeys:
    private = PrivateKey.generate()
    raw = bytes(private)
    encoded = base64.b32encode(raw + _checksum(raw)).decode().rstrip("=")
    grouped = "-".join(encoded[i : i + 5] for i in range(0, len(encoded), 5))
    return TeamKeys(public_key=bytes(private.public_key), recovery_key=grouped)


def parse_recovery_key(text: str) -> PrivateKey:
    """The team private key from its printed recovery key; ValueError if mistyped."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        data = base64.b32decode(padded)
    except ValueError as exc:
        raise ValueError("not a recovery key") from exc
    raw, check = data[:-2], data[-2:]
    if len(raw) != 32 or _checksum(raw) != check:
        raise ValueError("recovery key checksum does not match")
    return PrivateKey(raw)


def private_key_from_bytes(raw: bytes) -> PrivateKey:
    return PrivateKey(raw)


def public_key_matches(private: PrivateKey, public_key: bytes) -> bool:
    return secrets.compare_digest(bytes(private.public_key), public_key)


# --- sealing and secret-key encryption ------------------------------------------------------


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(public_key)).encrypt(plaintext))


def unseal(private: PrivateKey, ciphertext: bytes) -> bytes:
    try:
        return bytes(SealedBox(private).decrypt(ciphertext))
    except CryptoError as exc:
        raise DecryptionError("cannot unseal with this key") from exc


def pad(plaintext: bytes) -> bytes:
    """``plaintext`` in a padded frame whose length is a bucket (see the module docstring)."""
    framed = PAD_MARK + len(plaintext).to_bytes(PAD_LENGTH_BYTES, "big") + plaintext
    return framed + bytes(bucket_size(len(framed)) - len(framed))


def bucket_size(length: int) -> int:
    """The smallest bucket that holds ``length`` bytes."""
    for size in PAD_BUCKETS:
        if length <= size:
            return size
    step = PAD_BUCKETS[-1]
    return -(-length // step) * step


def unpad(data: bytes) -> bytes:
    """The plaintext of a padded frame; a legacy plaintext (no frame) as it is."""
    if not data.startswith(PAD_MARK):
        return data  # written before padding: UTF-8 text or JSON never starts with 0xFF
    start = len(PAD_MARK) + PAD_LENGTH_BYTES
    length = int.from_bytes(data[len(PAD_MARK) : start], "big")
    if start + length > len(data) or any(data[start + length :]):
        raise DecryptionError("malformed padding")
    return data[start : start + length]


def seal_text(public_key: bytes, text: str) -> bytes:
    """A note or other text, padded and sealed to a team."""
    return seal(public_key, pad(text.encode()))


def unseal_text(private: PrivateKey, ciphertext: bytes) -> str:
    return unpad(unseal(private, ciphertext)).decode()


def seal_contact(public_key: bytes, contact: Mapping[str, str]) -> bytes:
    """The person's contact choices, padded and sealed to a team (never in the clear, never
    to a receipt): "receipt only" and a full phone contact give the same length."""
    return seal(public_key, pad(json.dumps(dict(contact)).encode()))


def unseal_contact(private: PrivateKey, ciphertext: bytes) -> dict[str, str]:
    data: dict[str, str] = json.loads(unpad(unseal(private, ciphertext)))
    return data


def reseal(private: PrivateKey, new_public_key: bytes, ciphertext: bytes) -> bytes:
    """Open a sealed value with one team's key and seal it to another team."""
    return seal(new_public_key, unseal(private, ciphertext))


def new_thread_key() -> bytes:
    return random_bytes(KEY_SIZE)


def encrypt(key: bytes, plaintext: bytes) -> bytes:
    return bytes(SecretBox(key).encrypt(plaintext))


def decrypt(key: bytes, ciphertext: bytes) -> bytes:
    try:
        return bytes(SecretBox(key).decrypt(ciphertext))
    except CryptoError as exc:
        raise DecryptionError("cannot decrypt with this key") from exc


def encrypt_text(key: bytes, text: str) -> bytes:
    """A thread message (the person's or a reply), padded and encrypted under the thread key."""
    return encrypt(key, pad(text.encode()))


def decrypt_text(key: bytes, ciphertext: bytes) -> str:
    return unpad(decrypt(key, ciphertext)).decode()


# --- one-time views -------------------------------------------------------------------------
#
# A page shown once (campaign/cases/viewonce.py) is a row found by a hash of a random id,
# its payload padded and encrypted under a key derived from a random secret, the id and the
# page's kind. Id and secret travel only in the URL the person is redirected to, so the row
# alone (a database dump) opens nothing, and the URL alone (browser history) finds nothing
# once the row is gone.

VIEW_ID_BYTES = 16
VIEW_SECRET_BYTES = 32


def new_view_id_and_secret() -> tuple[bytes, bytes]:
    return random_bytes(VIEW_ID_BYTES), random_bytes(VIEW_SECRET_BYTES)


def view_lookup_hash(view_id: bytes) -> bytes:
    """The stored key of a view: a hash of its id, so the table never holds the URL's id."""
    return hashlib.blake2b(view_id, digest_size=KEY_SIZE, person=b"view-once-id").digest()


def sent_form_hash(form_id: str) -> bytes:
    """The stored key of a "this form was sent" mark (the id of one shown help form)."""
    return hashlib.blake2b(form_id.encode(), digest_size=KEY_SIZE, person=b"sent-form").digest()


def _view_key(view_id: bytes, secret: bytes, kind: str) -> bytes:
    return hashlib.blake2b(
        kind.encode() + b"\0" + view_id, key=secret, digest_size=KEY_SIZE, person=b"view-once-key"
    ).digest()


def seal_view(view_id: bytes, secret: bytes, kind: str, plaintext: bytes) -> bytes:
    """A view's payload, padded (its length tells only a bucket) and encrypted."""
    return encrypt(_view_key(view_id, secret, kind), pad(plaintext))


def open_view(view_id: bytes, secret: bytes, kind: str, ciphertext: bytes) -> bytes:
    """The payload; ``DecryptionError`` for another secret, id or kind."""
    return unpad(decrypt(_view_key(view_id, secret, kind), ciphertext))


# --- staff keys -----------------------------------------------------------------------------
#
# A member's X25519 private key is wrapped (SecretBox) under a key derived from their
# password with Argon2id and a per-member salt. After login it is kept for the session
# encrypted under a random secret that only the session cookie holds, so neither the
# database nor the cookie alone opens it. Team private keys reach members sealed to their
# public keys.


@dataclass(frozen=True)
class MemberKeys:
    public_key: bytes
    private_key_wrapped: bytes
    salt: bytes


def password_key(password: str, salt: bytes, params: Argon2Params) -> bytes:
    return hash_secret_raw(
        secret=password.encode("utf-8"),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_SIZE,
        type=Type.ID,
    )


def wrap_private_key(private: PrivateKey, password: str, params: Argon2Params) -> MemberKeys:
    salt = new_salt()
    wrapped = encrypt(password_key(password, salt, params), bytes(private))
    return MemberKeys(bytes(private.public_key), wrapped, salt)


def new_member_keys(password: str, params: Argon2Params) -> MemberKeys:
    return wrap_private_key(PrivateKey.generate(), password, params)


def unwrap_private_key(
    wrapped: bytes, salt: bytes, password: str, params: Argon2Params
) -> PrivateKey:
    return PrivateKey(decrypt(password_key(password, salt, params), wrapped))


def seal_team_key(team_private: PrivateKey, member_public_key: bytes) -> bytes:
    return seal(member_public_key, bytes(team_private))


def open_team_key(sealed: bytes, member_private: PrivateKey) -> PrivateKey:
    return PrivateKey(unseal(member_private, sealed))


def session_box_key(cookie_secret: str) -> bytes:
    return hashlib.blake2b(
        cookie_secret.encode(), digest_size=KEY_SIZE, person=b"staff-session"
    ).digest()


def server_key(secret_key: str, purpose: bytes) -> bytes:
    """A key for server-held secrets (such as TOTP seeds), derived from SECRET_KEY."""
    return hashlib.blake2b(
        purpose, key=hashlib.sha256(secret_key.encode()).digest(), digest_size=KEY_SIZE
    ).digest()


# --- the server key ring --------------------------------------------------------------------
#
# Server-held secrets (TOTP seeds) are encrypted under a key derived from SECRET_KEY for
# their purpose. SECRET_KEY (the newest key) encrypts; SECRET_KEY_FALLBACKS (Flask 3.1's
# setting for older keys, oldest first) still decrypt, so changing the key locks nobody
# out; `flask rotate-secret` (cases/keyring.py) then re-encrypts under the newest key.

TOTP_SEED = b"totp-secret"  # the purpose of TOTP seeds' key (as before the key ring)
STAND_IN_SEED_BYTES = 20  # a TOTP seed's usual size (160 bits)


def secret_key_ring() -> list[str]:
    """SECRET_KEY, then SECRET_KEY_FALLBACKS newest first: the order keys are tried in."""
    fallbacks = setting("SECRET_KEY_FALLBACKS") or []
    return [str(setting("SECRET_KEY")), *(str(key) for key in reversed(fallbacks))]


def server_keys(purpose: bytes) -> list[bytes]:
    """The purpose's keys from the key ring, the one to encrypt under first."""
    return [server_key(secret_key, purpose) for secret_key in secret_key_ring()]


def open_server_secret(purpose: bytes, ciphertext: bytes) -> tuple[bytes, bool]:
    """The plaintext, and whether the newest key opened it (False: re-encrypt it).

    ``DecryptionError`` if no key of the ring opens it.
    """
    for position, key in enumerate(server_keys(purpose)):
        try:
            return decrypt(key, ciphertext), position == 0
        except DecryptionError:
            continue
    raise DecryptionError("no key of SECRET_KEY / SECRET_KEY_FALLBACKS opens this secret")


def stand_in_seed(purpose: bytes, ciphertext: bytes) -> str:
    """A TOTP seed (base32) for a ciphertext no key opens, fixed by the newest key.

    Nobody's authenticator has it, so every code for it is wrong; it is the same each time
    for the same ciphertext, so a page that shows it and the form that checks it agree.
    Whoever holds SECRET_KEY and the database can compute it, as they could decrypt a seed.
    """
    log.warning(
        "a server-held secret (%s) opens with no key of SECRET_KEY / SECRET_KEY_FALLBACKS; "
        "'flask --app wsgi rotate-secret' lists what is affected",
        purpose.decode("ascii", "replace"),
    )
    digest = hashlib.blake2b(
        ciphertext,
        key=server_keys(purpose)[0],
        digest_size=STAND_IN_SEED_BYTES,
        person=b"stand-in-seed",
    ).digest()
    return base64.b32encode(digest).decode("ascii")
