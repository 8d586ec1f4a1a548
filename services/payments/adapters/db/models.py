"""The payments service's database schema (one database per service; the runtime's tables included).

- `accounts` and `ledger_entries` are position keeping. Entries are the truth and are only appended;
  an account's `balance_minor` and `last_entry_sequence` are a cache written in the same transaction
  as its entries (a test checks they agree). `reserved_minor` caches the amounts of its outgoing
  payments not yet executed, rejected or cancelled (from the payment events).
- `ledger_postings`: one row per balanced posting; a payment's execution posting is unique per payment.
- `payment_events` is the event store: (payment_id, version) is unique, so two writers that read
  the same version cannot both append.
- `payment_history` is the read model (CQRS projection) behind RetrievePayment and ListPayments,
  rebuilt from `payment_events` by the replay command.
- `idempotency_keys`: the first outcome of a call per (caller principal, operation, key).
- `payment_data_keys`: per-customer data keys (wrapped) that seal personal data in payment events.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Identity, Index, Integer, LargeBinary, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.runtime import idempotency
from services.runtime.db import declarative_base


class Base(DeclarativeBase):
    """The payments service's declarative base: its own metadata, the runtime's tables included."""

    metadata = declarative_base().metadata


idempotency.attach(Base.metadata)


class AccountRow(Base):
    __tablename__ = "accounts"

    account_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    account_type: Mapped[int] = mapped_column(Integer)
    currency_code: Mapped[str] = mapped_column(Text)
    overdraft_limit_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    state: Mapped[int] = mapped_column(Integer)
    state_reason: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    state_note: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed SealedValue
    balance_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    reserved_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    last_entry_sequence: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    version: Mapped[int] = mapped_column(BigInteger, server_default=text("1"))
    open_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    close_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_accounts_customer_id_open_time", "customer_id", "open_time", "account_id"),)


class LedgerPostingRow(Base):
    __tablename__ = "ledger_postings"

    ledger_posting_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    settlement_batch_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    currency_code: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default=text("''"))
    booking_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    # A payment is booked at most once: the database refuses a second execution posting.
    __table_args__ = (
        Index(
            "uq_ledger_postings_payment_id", "payment_id", unique=True, postgresql_where=text("payment_id IS NOT NULL")
        ),
    )


class LedgerEntryRow(Base):
    __tablename__ = "ledger_entries"

    ledger_entry_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    ledger_posting_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("ledger_postings.ledger_posting_id"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("accounts.account_id"))
    entry_sequence: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency_code: Mapped[str] = mapped_column(Text)
    balance_after_minor: Mapped[int] = mapped_column(BigInteger)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    booking_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    value_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, server_default=text("''"))

    __table_args__ = (
        Index("uq_ledger_entries_account_id_entry_sequence", "account_id", "entry_sequence", unique=True),
    )


class PaymentEventRow(Base):
    __tablename__ = "payment_events"

    payment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # Global append order, for replays.
    position: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    event_type: Mapped[str] = mapped_column(Text)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)  # the serialized EventEnvelope, as published
    occur_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaymentHistoryRow(Base):
    """The read model: the fold of a payment's events, with the columns ListPayments filters on."""

    __tablename__ = "payment_history"

    payment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    debtor_account_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    creditor_account_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    state: Mapped[int] = mapped_column(Integer)
    settlement_batch_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    version: Mapped[int] = mapped_column(BigInteger)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The serialized Payment without personal data, and its sealed personal fields by name.
    payment: Mapped[bytes] = mapped_column(LargeBinary)
    sealed: Mapped[dict[str, str]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))

    __table_args__ = (
        Index("ix_payment_history_customer_id_create_time", "customer_id", "create_time", "payment_id"),
        Index("ix_payment_history_debtor_account_id_create_time", "debtor_account_id", "create_time", "payment_id"),
        Index("ix_payment_history_creditor_account_id_create_time", "creditor_account_id", "create_time", "payment_id"),
        Index("ix_payment_history_state_create_time", "state", "create_time", "payment_id"),
    )


class DataKeyRow(Base):
    """A customer's data key for payment events, wrapped by the payments KEK."""

    __tablename__ = "payment_data_keys"

    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kek_id: Mapped[str] = mapped_column(Text)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
