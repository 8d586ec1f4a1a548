"""Envelope encryption of personal data: one AES-256-GCM data key per customer, wrapped by a KEK.

- A customer's data key has versions (`customers/<id>/keys/<n>`); new values are sealed with the
  newest, older versions still open what they sealed. Only wrapped data keys are stored: AES-GCM under
  a key-encryption key (KEK) from configuration, with the key id and the KEK id as associated data.
- KEK rotation re-wraps the data keys (`rewrap`); the personal data itself is not touched.
- Sealed values (`fintech.common.v1.SealedValue`) carry the key id, a fresh 96-bit nonce and the
  ciphertext+tag; the associated data is the field's full name, so a value cannot be moved to
  another field. The same sealed values are stored in the database and published in events.
- Erasure destroys every version of the customer's data key (crypto-shredding): every copy, in the
  database, in backups and in Kafka, becomes unreadable.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fintech.common.v1.event_envelope_pb2 import SealedValue

from services.customer.config import CustomerKeys

NONCE_BYTES = 12
KEY_BYTES = 32


class KeyUnavailable(Exception):
    """The data key is destroyed (customer erased) or unknown: the value cannot be opened."""


class CorruptValue(Exception):
    """A sealed value failed authentication (tampered, or moved to another field)."""


def key_id(customer_id: str, version: int) -> str:
    return f"customers/{customer_id}/keys/{version}"


def key_family(customer_id: str) -> str:
    """The key id without its version, as `CustomerErased.data_key_id` names it."""
    return f"customers/{customer_id}/keys"


def parse_key_id(value: str) -> tuple[str, int]:
    parts = value.split("/")
    if len(parts) != 4 or parts[0] != "customers" or parts[2] != "keys" or not parts[3].isdigit():
        raise KeyUnavailable("malformed key id")
    return parts[1], int(parts[3])


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    kek_id: str
    blob: bytes  # nonce + AES-GCM(ciphertext + tag) of the data key


@dataclass(frozen=True)
class DataKey:
    key_id: str
    material: bytes

    def __repr__(self) -> str:  # never print key material
        return f"DataKey({self.key_id!r})"


class KeyWrapper:
    """Wraps and unwraps data keys with the configured KEKs."""

    def __init__(self, keys: CustomerKeys) -> None:
        self._keys = keys

    @property
    def active_kek_id(self) -> str:
        return self._keys.active_kek_id

    def new_data_key(self, customer_id: str, version: int = 1) -> tuple[DataKey, WrappedKey]:
        material = AESGCM.generate_key(bit_length=256)
        data_key = DataKey(key_id(customer_id, version), material)
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


class KeyRing:
    """The unwrapped data keys of one customer, by key id (what a request needs, then dropped)."""

    def __init__(self, keys: dict[str, DataKey]) -> None:
        self._keys = keys

    @property
    def current(self) -> DataKey:
        if not self._keys:
            raise KeyUnavailable("the customer has no data key (erased)")
        return max(self._keys.values(), key=lambda k: parse_key_id(k.key_id)[1])

    def seal(self, field: str, plaintext: bytes) -> SealedValue:
        return seal(self.current, field, plaintext)

    def open(self, field: str, sealed: SealedValue) -> bytes:
        data_key = self._keys.get(sealed.key_id)
        if data_key is None:
            raise KeyUnavailable(f"data key {sealed.key_id} is destroyed or unknown")
        return open_sealed(data_key, field, sealed)
