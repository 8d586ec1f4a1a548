"""The customer service's database schema (one database per service; the runtime's tables included: outbox,
processed events, idempotency keys).

Personal data is never stored in clear: every PII column holds a serialized
`fintech.common.v1.SealedValue` (AES-256-GCM under the customer's data key, associated data the
field's full name in `SealedPersonalData`). Duplicate detection uses keyed blind indexes.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData, Text, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.runtime import idempotency
from services.runtime.db import NAMING_CONVENTION, attach_runtime_tables


class Base(DeclarativeBase):
    """The customer database's declarative base (what services.runtime.db.declarative_base makes, typed)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


attach_runtime_tables(Base.metadata)
idempotency.attach(Base.metadata)  # the runtime's idempotency keys (per caller, operation and key)

# Customer fields stored sealed, one column each (additional_nationalities as a serialized SealedPersonalData).
PII_FIELDS = (
    "given_names", "family_name", "birth_family_name", "date_of_birth", "place_of_birth", "country_of_birth",
    "nationality", "additional_nationalities", "residential_address", "identity_document", "email", "phone_number",
)  # fmt: skip


class CustomerRow(Base):
    __tablename__ = "customers"

    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    customer_number: Mapped[str] = mapped_column(Text, unique=True)
    state: Mapped[int] = mapped_column(Integer)
    branch_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    onboarding_channel: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    event_sequence: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    # Sealed PII; NULL when unset or erased.
    given_names: Mapped[bytes | None] = mapped_column(LargeBinary)
    family_name: Mapped[bytes | None] = mapped_column(LargeBinary)
    birth_family_name: Mapped[bytes | None] = mapped_column(LargeBinary)
    date_of_birth: Mapped[bytes | None] = mapped_column(LargeBinary)
    place_of_birth: Mapped[bytes | None] = mapped_column(LargeBinary)
    country_of_birth: Mapped[bytes | None] = mapped_column(LargeBinary)
    nationality: Mapped[bytes | None] = mapped_column(LargeBinary)
    additional_nationalities: Mapped[bytes | None] = mapped_column(LargeBinary)
    residential_address: Mapped[bytes | None] = mapped_column(LargeBinary)
    identity_document: Mapped[bytes | None] = mapped_column(LargeBinary)
    email: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_number: Mapped[bytes | None] = mapped_column(LargeBinary)
    postal_address: Mapped[bytes | None] = mapped_column(LargeBinary)  # the profile's correspondence address
    # Profile preferences (not identifying on their own): a serialized CustomerPreferences.
    preferences: Mapped[bytes | None] = mapped_column(LargeBinary)
    profile_version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    profile_update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Blind indexes (HMAC of normalised identity data) for duplicate detection; NULL once erased.
    document_index: Mapped[str | None] = mapped_column(Text, index=True)
    name_birth_index: Mapped[str | None] = mapped_column(Text, index=True)
    latest_kyc_check_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    state_kyc_check_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    registered_by: Mapped[str] = mapped_column(Text, server_default=text("''"))
    identity_changed_by: Mapped[str] = mapped_column(Text, server_default=text("''"))
    verify_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state_change_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    erase_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_customers_create_time_customer_id", "create_time", "customer_id"),)


class DataKeyRow(Base):
    """A version of a customer's data key, wrapped by a KEK. Erasure deletes every row of the customer."""

    __tablename__ = "customer_data_keys"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customers.customer_id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kek_id: Mapped[str] = mapped_column(Text, index=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    rewrap_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class KycCheckRow(Base):
    __tablename__ = "kyc_checks"

    kyc_check_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    state: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    # The check as a serialized KycCheck without the reviewer's note (no personal data).
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # The reviewer's note, sealed with the customer's data key.
    note: Mapped[bytes | None] = mapped_column(LargeBinary)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PaymentActivityRow(Base):
    """The behaviour models' facts about one outgoing payment; no clear personal data."""

    __tablename__ = "payment_activity"

    payment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency_code: Mapped[str] = mapped_column(Text)
    category: Mapped[int] = mapped_column(Integer)
    counterparty_key: Mapped[str] = mapped_column(Text)
    counterparty_account_id: Mapped[str] = mapped_column(Text, server_default=text("''"))
    masked_account_identifier: Mapped[str] = mapped_column(Text, server_default=text("''"))
    initiate_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    execute_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
