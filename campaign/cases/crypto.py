"""The only module that touches keys and ciphertext (PyNaCl / libsodium, argon2-cffi).

Construction (the design's "Encryption at rest"; docs/architecture.md says where it is used):

- Each team has an X25519 key pair. The public key is in the database; the private key is
  printed once as a *recovery key* when the team is created (and, with the inbox, granted to
  members sealed to their own keys). The server never stores a team private key.
- A request gets a random 32-byte *thread key*. It is sealed to the team's public key
  (``SealedBox``) and also encrypted (``SecretBox``) under a *receipt key*. Every thread
  message (the person's and staff replies) is encrypted once under the thread key, so staff
  read it with the team key and the person with the receipt alone.
- The receipt (16 digits) goes through Argon2id with a per-installation salt into 64 bytes:
  the first 32 are stored as the lookup hash (unique column), the last 32 are the receipt
  key. Each half of the Argon2id output reveals nothing of the other, and every guess at a
  receipt costs a full Argon2id computation. The receipt itself is never stored.
- Contact details are sealed to the team's public key only.
"""

from __future__ import annotations

import base64
import hashlib
import json
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

RECEIPT_DIGITS = 16
KEY_SIZE = SecretBox.KEY_SIZE


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


def seal_text(public_key: bytes, text: str) -> bytes:
    """A note or other text, sealed to a team."""
    return seal(public_key, text.encode())


def unseal_text(private: PrivateKey, ciphertext: bytes) -> str:
    return unseal(private, ciphertext).decode()


def seal_contact(public_key: bytes, contact: Mapping[str, str]) -> bytes:
    """The person's contact choices, sealed to a team (never in the clear, never to a receipt)."""
    return seal(public_key, json.dumps(dict(contact)).encode())


def unseal_contact(private: PrivateKey, ciphertext: bytes) -> dict[str, str]:
    data: dict[str, str] = json.loads(unseal(private, ciphertext))
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
