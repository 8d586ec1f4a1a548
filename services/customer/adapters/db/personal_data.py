"""Between rows and messages: a customer's data keys, sealing and opening its personal data."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol, cast

from fintech.common.v1.event_envelope_pb2 import SealedValue
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import customer_profile_pb2 as p
from google.protobuf.message import Message
from google.type import date_pb2
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.customer.adapters.crypto import KeyRing, KeyWrapper, WrappedKey, key_id
from services.customer.adapters.db.models import PII_FIELDS, CustomerRow, DataKeyRow
from services.customer.domain.records import etag

SEALED = "fintech.customer.v1.SealedPersonalData"
NOTE_FIELD = "fintech.customer.v1.KycCheckManuallyResolved.note"
_TEXT = {"given_names", "family_name", "birth_family_name", "place_of_birth", "country_of_birth", "nationality",
         "email", "phone_number"}  # fmt: skip
_MESSAGES: dict[str, type[Message]] = {
    "date_of_birth": date_pb2.Date,
    "residential_address": c.PostalAddress,
    "identity_document": c.IdentityDocument,
    "postal_address": c.PostalAddress,
}


def field_ad(name: str) -> str:
    return f"{SEALED}.{name}"


async def create_data_key(session: AsyncSession, wrapper: KeyWrapper, customer_id: uuid.UUID) -> KeyRing:
    data_key, wrapped = wrapper.new_data_key(str(customer_id), 1)
    session.add(DataKeyRow(customer_id=customer_id, version=1, kek_id=wrapped.kek_id, wrapped_key=wrapped.blob))
    return KeyRing({data_key.key_id: data_key})


async def key_ring(session: AsyncSession, wrapper: KeyWrapper, customer_id: uuid.UUID) -> KeyRing:
    rows = (await session.scalars(select(DataKeyRow).where(DataKeyRow.customer_id == customer_id))).all()
    return ring_of(wrapper, customer_id, rows)


class WrappedKeyRow(Protocol):
    """A stored data key version: a DataKeyRow, or a row of a query selecting its columns."""

    @property
    def version(self) -> int: ...
    @property
    def kek_id(self) -> str: ...
    @property
    def wrapped_key(self) -> bytes: ...


def ring_of(wrapper: KeyWrapper, customer_id: uuid.UUID, rows: Iterable[WrappedKeyRow]) -> KeyRing:
    """The key ring of a customer's data key rows."""
    keys = {}
    for row in rows:
        wrapped = WrappedKey(key_id(str(customer_id), row.version), row.kek_id, row.wrapped_key)
        data_key = wrapper.unwrap(wrapped)
        keys[data_key.key_id] = data_key
    return KeyRing(keys)


async def destroy_data_keys(session: AsyncSession, customer_id: uuid.UUID) -> int:
    result = await session.execute(delete(DataKeyRow).where(DataKeyRow.customer_id == customer_id))
    return int(getattr(result, "rowcount", 0))


def _plaintext(name: str, value: str | Message) -> bytes:
    if isinstance(value, str):
        return value.encode()
    return value.SerializeToString(deterministic=True)


def _is_empty(name: str, message: Message) -> bool:
    if name in _TEXT or name == "additional_nationalities":
        return not getattr(message, name)
    return not message.HasField(name)


def seal_fields(ring: KeyRing, source: c.Customer | p.CustomerProfile, names: list[str]) -> c.SealedPersonalData:
    """The named PII fields of a Customer or CustomerProfile, sealed (unset ones left out)."""
    sealed = c.SealedPersonalData()
    for name in names:
        if _is_empty(name, source):
            continue
        if name == "additional_nationalities" and isinstance(source, c.Customer):
            sealed.additional_nationalities.extend(
                ring.seal(field_ad(name), n.encode()) for n in source.additional_nationalities
            )
        else:
            getattr(sealed, name).CopyFrom(ring.seal(field_ad(name), _plaintext(name, getattr(source, name))))
    return sealed


def store_sealed(row: CustomerRow, sealed: c.SealedPersonalData, names: list[str]) -> None:
    """Write sealed values to the row's PII columns; a named field not in `sealed` is cleared."""
    for name in names:
        if name == "additional_nationalities":
            values = list(sealed.additional_nationalities)
            row.additional_nationalities = (
                c.SealedPersonalData(additional_nationalities=values).SerializeToString() if values else None
            )
        elif sealed.HasField(name):
            setattr(row, name, getattr(sealed, name).SerializeToString())
        else:
            setattr(row, name, None)


def _open_text(ring: KeyRing, name: str, blob: bytes) -> str:
    return ring.open(field_ad(name), SealedValue.FromString(blob)).decode()


def _open_message(ring: KeyRing, name: str, blob: bytes) -> Message:
    return _MESSAGES[name].FromString(ring.open(field_ad(name), SealedValue.FromString(blob)))


def open_customer(row: CustomerRow, ring: KeyRing) -> c.Customer:
    customer = c.Customer(
        customer_id=str(row.customer_id),
        customer_number=row.customer_number,
        state=cast(c.CustomerState, row.state),
        branch_id=str(row.branch_id),
        onboarding_channel=cast(c.OnboardingChannel, row.onboarding_channel),
        latest_kyc_check_id=str(row.latest_kyc_check_id) if row.latest_kyc_check_id else "",
        etag=etag(row.version),
        pii_view=c.PII_VIEW_FULL,
    )
    for name in PII_FIELDS:
        blob = getattr(row, name)
        if blob is None:
            continue
        if name == "additional_nationalities":
            for value in c.SealedPersonalData.FromString(blob).additional_nationalities:
                customer.additional_nationalities.append(ring.open(field_ad(name), value).decode())
        elif name in _TEXT:
            setattr(customer, name, _open_text(ring, name, blob))
        else:
            getattr(customer, name).CopyFrom(_open_message(ring, name, blob))
    if row.verify_time:
        customer.verify_time.FromDatetime(row.verify_time)
    customer.create_time.FromDatetime(row.create_time)
    customer.update_time.FromDatetime(row.update_time)
    return customer


def open_profile(row: CustomerRow, ring: KeyRing) -> p.CustomerProfile:
    profile = p.CustomerProfile(
        customer_id=str(row.customer_id), etag=etag(row.profile_version), pii_view=c.PII_VIEW_FULL
    )
    if row.email is not None:
        profile.email = _open_text(ring, "email", row.email)
    if row.phone_number is not None:
        profile.phone_number = _open_text(ring, "phone_number", row.phone_number)
    if row.postal_address is not None:
        profile.postal_address.CopyFrom(
            cast(c.PostalAddress, _open_message(ring, "postal_address", row.postal_address))
        )
    if row.preferences:
        profile.preferences.ParseFromString(row.preferences)
    profile.update_time.FromDatetime(row.profile_update_time)
    return profile
