"""The settlement tables, on the payments service's metadata (migration 0003).

- `settlement_batches`: the batch, its netting result and its lifecycle (InitiateSettlementBatch's
  idempotency keys are the payments service's `idempotency_keys`).
- `settlement_batch_payments`: the batch's payments with the amount and participant they were netted
  with. A payment is `active` in at most one batch (a partial unique index): it can never be settled
  twice; a FAILED batch's rows turn inactive and its payments may join a later batch.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.adapters.db.models import Base


class SettlementBatchRow(Base):
    __tablename__ = "settlement_batches"

    settlement_batch_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    currency_code: Mapped[str] = mapped_column(Text)
    participant_bic: Mapped[str] = mapped_column(Text, server_default=text("''"))  # '' = every participant
    window_start_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[int] = mapped_column(Integer)
    payment_count: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    gross_debit_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    gross_credit_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    net_minor: Mapped[int | None] = mapped_column(BigInteger)  # set from NETTED on
    # The final positions (from NETTED on): [{"bic", "count", "debit", "credit"}], ordered by BIC.
    positions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    ledger_posting_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    settlement_reference: Mapped[str] = mapped_column(Text, server_default=text("''"))
    failure_reason: Mapped[str] = mapped_column(Text, server_default=text("''"))
    version: Mapped[int] = mapped_column(BigInteger)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    close_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    net_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    settle_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_settlement_batches_window_start_time", "window_start_time", "settlement_batch_id"),
        Index("ix_settlement_batches_open", "window_end_time", postgresql_where=text("state = 1")),
    )


class SettlementBatchPaymentRow(Base):
    __tablename__ = "settlement_batch_payments"

    settlement_batch_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("settlement_batches.settlement_batch_id", name="fk_settlement_batch_payments_batch"),
        primary_key=True,
    )
    payment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    participant_bic: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    execute_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        Index("uq_settlement_batch_payments_payment_id", "payment_id", unique=True, postgresql_where=text("active")),
    )
