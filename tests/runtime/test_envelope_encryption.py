"""Envelope encryption (services.runtime.envelope_encryption): pure logic, no mesh.

The known-answer values below were made with fixed keys and nonces by the code as it was before it moved
into the runtime (services/customer/crypto.py at a35c1d2). Sealed values and wrapped keys in that format
sit in both services' databases, in Kafka and in backups: they must keep opening, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fintech.common.v1.event_envelope_pb2 import SealedValue

from services.customer.adapters import crypto
from services.customer.config import CustomerKeys
from services.payments.adapters.sealing import Sealer
from services.payments.config import PaymentsKeys
from services.payments.domain import payment as domain
from services.runtime import envelope_encryption as ee

KEK = bytes(range(32))
MATERIAL = bytes(range(32, 64))
CUSTOMER_ID = "0b1e5c3a-6f9e-4a51-9f0e-2d7c8b9a1e10"

CUSTOMER_KEY = f"customers/{CUSTOMER_ID}/keys/1"
CUSTOMER_FIELD = "fintech.customer.v1.SealedPersonalData.family_name"
CUSTOMER_WRAPPED = bytes.fromhex(  # KEK id "kek-2024-06", nonce a5 * 12
    "a5a5a5a5a5a5a5a5a5a5a5a50166be8316b90eae008589c9840e590abd2b8564d76477767e6ebd42187acda4545d234e4b1b107890aa91"
    "489c94ec30"
)
CUSTOMER_SEALED = bytes.fromhex(  # "Müller", nonce a5 * 12; a serialized SealedValue
    "0a35637573746f6d6572732f30623165356333612d366639652d346135312d396630652d3264376338623961316531302f6b6579732f"
    "31120ca5a5a5a5a5a5a5a5a5a5a5a51a175c5f63dd39e74b70f639564ec66cc12097ee89e1f7129b"
)

PAYMENTS_KEY = f"payments/customers/{CUSTOMER_ID}/keys/1"
PAYMENTS_FIELD = "fintech.payments.v1.PaymentInitiated.creditor"
PAYMENTS_WRAPPED = bytes.fromhex(  # KEK id "local-kek-1", nonce 5a * 12
    "5a5a5a5a5a5a5a5a5a5a5a5aa711c67d961d65772650a55cafbbbd2f4cafd2969311f0938a7ec225f96d951816068e8547165bdfd98e"
    "c423a28aa5ff"
)
PAYMENTS_SEALED = bytes.fromhex(  # b"DE89370400440532013000", nonce 5a * 12
    "0a3e7061796d656e74732f637573746f6d6572732f30623165356333612d366639652d346135312d396630652d3264376338623961"
    "316531302f6b6579732f31120c5a5a5a5a5a5a5a5a5a5a5a5a1a260f1cd5232495a395cb63d32762f5272c32598ca76eb1fb993786"
    "08b8fb86f88665f405ccaa7b"
)

KNOWN = [  # key id, KEK id, wrapped blob, field, sealed value, plaintext, nonce byte
    (CUSTOMER_KEY, "kek-2024-06", CUSTOMER_WRAPPED, CUSTOMER_FIELD, CUSTOMER_SEALED, "Müller".encode(), 0xA5),
    (PAYMENTS_KEY, "local-kek-1", PAYMENTS_WRAPPED, PAYMENTS_FIELD, PAYMENTS_SEALED, b"DE89370400440532013000", 0x5A),
]


@dataclass(frozen=True)
class Keks:
    active_kek_id: str
    keks: dict[str, bytes]


def wrapper(active: str, **keks: bytes) -> ee.KeyWrapper:
    return ee.KeyWrapper(Keks(active, keks))


@pytest.mark.parametrize(
    ("key_id", "kek_id", "blob", "field", "sealed", "plaintext", "nonce"), KNOWN, ids=["customer", "payments"]
)
def test_known_values_open_and_are_made_byte_for_byte(monkeypatch, key_id, kek_id, blob, field, sealed, plaintext,
                                                      nonce):  # fmt: skip
    data_key = wrapper(kek_id, **{kek_id: KEK}).unwrap(ee.WrappedKey(key_id, kek_id, blob))
    assert data_key == ee.DataKey(key_id, MATERIAL)
    assert ee.open_sealed(data_key, field, SealedValue.FromString(sealed)) == plaintext

    # The same inputs make the same bytes: the formats (nonce placement, associated data) did not move.
    monkeypatch.setattr(ee.secrets, "token_bytes", lambda n: bytes([nonce]) * n)
    assert wrapper(kek_id, **{kek_id: KEK}).wrap(data_key) == ee.WrappedKey(key_id, kek_id, blob)
    assert ee.seal(data_key, field, plaintext).SerializeToString() == sealed


def test_the_services_open_their_known_values():
    customer = crypto.KeyWrapper(CustomerKeys("kek-2024-06", {"kek-2024-06": KEK}, b"p" * 32, b"s" * 32))
    data_key = customer.unwrap(crypto.WrappedKey(crypto.key_id(CUSTOMER_ID, 1), "kek-2024-06", CUSTOMER_WRAPPED))
    ring = crypto.KeyRing({data_key.key_id: data_key})
    assert ring.open(CUSTOMER_FIELD, SealedValue.FromString(CUSTOMER_SEALED)) == "Müller".encode()

    payments = ee.KeyWrapper(PaymentsKeys("local-kek-1", {"local-kek-1": KEK}, b"p" * 32))
    data_key = payments.unwrap(ee.WrappedKey(PAYMENTS_KEY, "local-kek-1", PAYMENTS_WRAPPED))
    assert Sealer.open(data_key, PAYMENTS_FIELD, SealedValue.FromString(PAYMENTS_SEALED)) == b"DE89370400440532013000"
    # Either service's value is "not mine" to the other, never an error.
    assert Sealer.open(data_key, domain.REMITTANCE, SealedValue.FromString(CUSTOMER_SEALED)) is None
    with pytest.raises(crypto.KeyUnavailable):
        ring.open(PAYMENTS_FIELD, SealedValue.FromString(PAYMENTS_SEALED))


def test_a_sealed_value_opens_only_for_its_field_key_and_bytes():
    data_key, _ = wrapper("k1", k1=KEK).generate("svc/a/keys/1")
    sealed = ee.seal(data_key, "f.one", b"secret")
    assert sealed.key_id == "svc/a/keys/1" and len(sealed.nonce) == ee.NONCE_BYTES
    assert ee.seal(data_key, "f.one", b"secret").nonce != sealed.nonce  # a fresh nonce each time
    assert ee.open_sealed(data_key, "f.one", sealed) == b"secret"
    with pytest.raises(ee.CorruptValue, match="^sealed value of f.two failed authentication$"):  # another field
        ee.open_sealed(data_key, "f.two", sealed)
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]  # one bit of the ciphertext changed
    tampered = SealedValue(key_id=sealed.key_id, nonce=sealed.nonce, ciphertext=flipped)
    with pytest.raises(ee.CorruptValue, match="^sealed value of f.one failed authentication$"):
        ee.open_sealed(data_key, "f.one", tampered)
    other, _ = wrapper("k1", k1=KEK).generate("svc/b/keys/1")
    with pytest.raises(ee.KeyUnavailable, match="^sealed with another key$"):
        ee.open_sealed(other, "f.one", sealed)
    assert "material" not in repr(data_key) and repr(data_key) == "DataKey('svc/a/keys/1')"


def test_kek_rotation_rewraps_data_keys_and_retired_keks_still_unwrap():
    old = wrapper("kek-1", **{"kek-1": b"1" * 32})
    data_key, wrapped = old.generate("svc/a/keys/1")
    assert wrapped.kek_id == "kek-1" and len(data_key.material) == ee.KEY_BYTES
    assert old.unwrap(wrapped) == data_key and old.rewrap(wrapped) is wrapped  # already under the active KEK

    rotated = wrapper("kek-2", **{"kek-1": b"1" * 32, "kek-2": b"2" * 32})
    assert rotated.active_kek_id == "kek-2"
    assert rotated.unwrap(wrapped) == data_key  # the retired KEK still unwraps until the rewrap is done
    rewrapped = rotated.rewrap(wrapped)
    assert rewrapped.kek_id == "kek-2" and rewrapped.key_id == wrapped.key_id and rewrapped.blob != wrapped.blob

    only_new = wrapper("kek-2", **{"kek-2": b"2" * 32})
    assert only_new.unwrap(rewrapped) == data_key
    with pytest.raises(ee.KeyUnavailable, match="^KEK kek-1 is not configured$"):
        only_new.unwrap(wrapped)  # the retired KEK is gone
    with pytest.raises(ee.CorruptValue, match="^wrapped key svc/b/keys/1 failed authentication$"):  # copied
        only_new.unwrap(ee.WrappedKey("svc/b/keys/1", rewrapped.kek_id, rewrapped.blob))
    with pytest.raises(ee.CorruptValue):
        wrapper("kek-2", **{"kek-2": b"3" * 32}).unwrap(rewrapped)
