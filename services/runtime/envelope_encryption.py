"""Envelope encryption: values sealed with AES-256-GCM under data keys, data keys wrapped by KEKs.

Each service names and stores its own data keys (and destroys them to crypto-shred what they sealed);
this module is only the cryptography. Its two formats are in databases, events and backups, so they
never change (tests/runtime/test_envelope_encryption.py pins them with fixed inputs):
- A sealed value is a `fintech.common.v1.SealedValue`: the data key's id, a fresh 96-bit nonce and
  ciphertext+tag. The associated data is a name the caller binds the value to (a field's full name),
  so a value moved to another field does not open.
- A wrapped data key is nonce + AES-GCM(key material + tag) under a key-encryption key (KEK), with
  `<data key id>|<KEK id>` as associated data. It is stored with the KEK's id, so KEKs rotate:
  `rewrap` moves a key to the active KEK while retired KEKs still unwrap what they wrapped.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fintech.common.v1.event_envelope_pb2 import SealedValue

NONCE_BYTES = 12
KEY_BYTES = 32


class KeyUnavailable(Exception):
    """The data key or KEK is destroyed (crypto-shredded) or unknown: the value cannot be opened."""


class CorruptValue(Exception):
    """A sealed value or wrapped key failed authentication (tampered, or moved to another field or key)."""


class Keks(Protocol):
    """A service's key-encryption keys: new data keys are wrapped by the active one, any of them unwraps."""

    @property
    def active_kek_id(self) -> str: ...

    @property
    def keks(self) -> Mapping[str, bytes]: ...  # the active KEK included


@dataclass(frozen=True)
class DataKey:
    key_id: str
    material: bytes

    def __repr__(self) -> str:  # never print key material
        return f"DataKey({self.key_id!r})"


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    kek_id: str
    blob: bytes  # nonce + AES-GCM(ciphertext + tag) of the data key


class KeyWrapper:
    """Wraps and unwraps data keys with a service's KEKs."""

    def __init__(self, keys: Keks) -> None:
        self._keys = keys

    @property
    def active_kek_id(self) -> str:
        return self._keys.active_kek_id

    def generate(self, key_id: str) -> tuple[DataKey, WrappedKey]:
        """A new random data key named `key_id`, and its wrapping to store."""
        data_key = DataKey(key_id, AESGCM.generate_key(bit_length=KEY_BYTES * 8))
        return data_key, self.wrap(data_key)

    def wrap(self, data_key: DataKey) -> WrappedKey:
        kek_id = self._keys.active_kek_id
        nonce = secrets.token_bytes(NONCE_BYTES)
        blob = nonce + AESGCM(self._keys.keks[kek_id]).encrypt(
            nonce, data_key.material, _wrap_ad(data_key.key_id, kek_id)
        )
        return WrappedKey(data_key.key_id, kek_id, blob)

    def unwrap(self, wrapped: WrappedKey) -> DataKey:
        kek = self._keys.keks.get(wrapped.kek_id)
        if kek is None:
            raise KeyUnavailable(f"KEK {wrapped.kek_id} is not configured")
        nonce, body = wrapped.blob[:NONCE_BYTES], wrapped.blob[NONCE_BYTES:]
        try:
            material = AESGCM(kek).decrypt(nonce, body, _wrap_ad(wrapped.key_id, wrapped.kek_id))
        except InvalidTag:
            raise CorruptValue(f"wrapped key {wrapped.key_id} failed authentication") from None
        return DataKey(wrapped.key_id, material)

    def rewrap(self, wrapped: WrappedKey) -> WrappedKey:
        """The same data key wrapped by the active KEK (KEK rotation); unchanged if it already is."""
        if wrapped.kek_id == self._keys.active_kek_id:
            return wrapped
        return self.wrap(self.unwrap(wrapped))


def _wrap_ad(data_key_id: str, kek_id: str) -> bytes:
    return f"{data_key_id}|{kek_id}".encode()


def seal(data_key: DataKey, field: str, plaintext: bytes) -> SealedValue:
    """Encrypt `plaintext` for the field with full name `field` (the associated data)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(data_key.material).encrypt(nonce, plaintext, field.encode())
    return SealedValue(key_id=data_key.key_id, nonce=nonce, ciphertext=ciphertext)


def open_sealed(data_key: DataKey, field: str, sealed: SealedValue) -> bytes:
    if sealed.key_id != data_key.key_id:
        raise KeyUnavailable("sealed with another key")
    try:
        return AESGCM(data_key.material).decrypt(sealed.nonce, sealed.ciphertext, field.encode())
    except InvalidTag:
        raise CorruptValue(f"sealed value of {field} failed authentication") from None
