"""The customer service's data keys: one per customer, versioned, sealing the customer's personal data.

The envelope encryption itself (AES-256-GCM sealing, data keys wrapped by KEKs, KEK rotation) is the
runtime's (`services.runtime.envelope_encryption`); what is the customer's own is here:
- A customer's data key has versions (`customers/<id>/keys/<n>`); new values are sealed with the
  newest, older versions still open what they sealed. Only wrapped data keys are stored
  (`customer_data_keys`, see `adapters.db.personal_data`); KEK rotation re-wraps them (`rotate_kek`).
- Sealed values carry the key id; their associated data is the field's full name. The same sealed
  values are stored in the database and published in events.
- Erasure destroys every version of the customer's data key (crypto-shredding): every copy, in the
  database, in backups and in Kafka, becomes unreadable.
"""

from __future__ import annotations

from fintech.common.v1.event_envelope_pb2 import SealedValue

from services.runtime import envelope_encryption
from services.runtime.envelope_encryption import CorruptValue, DataKey, KeyUnavailable, WrappedKey, open_sealed, seal

# Re-exported: the db adapters, the payment events consumer, rotate_kek and tests import these names from here.
__all__ = [
    "CorruptValue",
    "DataKey",
    "KeyRing",
    "KeyUnavailable",
    "KeyWrapper",
    "WrappedKey",
    "key_family",
    "key_id",
    "parse_key_id",
    "seal",
]


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


class KeyWrapper(envelope_encryption.KeyWrapper):
    """The runtime's key wrapper, making data keys under the customer's key names."""

    def new_data_key(self, customer_id: str, version: int = 1) -> tuple[DataKey, WrappedKey]:
        return self.generate(key_id(customer_id, version))


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
