"""The payment history read model (CQRS): one row per payment, the fold of its events.

The live projection is written by `event_store.append` in the same transaction as the events;
`replay` rebuilds it from the event store alone and reports where the two differ.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC

from fintech.common.v1.event_envelope_pb2 import EventEnvelope, SealedValue
from fintech.payments.v1 import payment_pb2 as p
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.domain import Folded, apply
from services.payments.models import PaymentEventRow, PaymentHistoryRow

MAX_REPORTED = 100


def row_values(folded: Folded) -> dict:
    payment = folded.payment
    return {
        "payment_id": uuid.UUID(payment.payment_id),
        "customer_id": uuid.UUID(payment.customer_id),
        "debtor_account_id": uuid.UUID(payment.debtor_account_id),
        "creditor_account_id": uuid.UUID(payment.creditor_account_id) if payment.creditor_account_id else None,
        "state": payment.state,
        "settlement_batch_id": uuid.UUID(payment.settlement_batch_id) if payment.settlement_batch_id else None,
        "version": payment.version,
        "create_time": payment.create_time.ToDatetime(UTC),
        "update_time": payment.update_time.ToDatetime(UTC),
        "payment": payment.SerializeToString(deterministic=True),
        "sealed": {
            name: base64.b64encode(value.SerializeToString(deterministic=True)).decode()
            for name, value in sorted(folded.sealed.items())
        },
    }


def folded_from_row(row: PaymentHistoryRow) -> Folded:
    sealed = {name: SealedValue.FromString(base64.b64decode(value)) for name, value in row.sealed.items()}
    return Folded(p.Payment.FromString(row.payment), sealed)


def _upsert():
    table = PaymentHistoryRow.__table__
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.payment_id],
        set_={column.name: statement.excluded[column.name] for column in table.c if column.name != "payment_id"},
        where=table.c.version < statement.excluded.version,
    )


_UPSERT = _upsert()  # built once: the hot path runs it with every change of a payment


async def store(session: AsyncSession, folded: Folded) -> None:
    """Upsert the payment's row; an older version never overwrites a newer one."""
    await session.execute(_UPSERT, row_values(folded))


async def load(session: AsyncSession, payment_id: uuid.UUID) -> Folded | None:
    row = await session.get(PaymentHistoryRow, payment_id)
    return folded_from_row(row) if row is not None else None


def same(stored: PaymentHistoryRow | None, folded: Folded) -> bool:
    if stored is None:
        return False
    expected = row_values(folded)
    return all(getattr(stored, name) == value for name, value in expected.items())


@dataclass
class ReplayReport:
    events_replayed: int = 0
    payments_rebuilt: int = 0
    mismatched: list[str] = field(default_factory=list)
    seconds: float = 0.0


async def replay(session: AsyncSession, *, payment_id: uuid.UUID | None = None, dry_run: bool = False,
                 batch: int = 2000) -> ReplayReport:  # fmt: skip
    """Fold every payment's events (or one payment's) and compare with, and unless dry_run overwrite,
    the stored projection. The event store is only read."""
    started = time.perf_counter()
    report = ReplayReport()
    query = select(PaymentEventRow.payment_id, PaymentEventRow.envelope).order_by(
        PaymentEventRow.payment_id, PaymentEventRow.version
    )
    if payment_id is not None:
        query = query.where(PaymentEventRow.payment_id == payment_id)
    current_id, folded = None, Folded()

    async def finish() -> None:
        if current_id is None:
            return
        report.payments_rebuilt += 1
        stored = await session.get(PaymentHistoryRow, current_id, populate_existing=True)
        if not same(stored, folded):
            report.mismatched.append(str(current_id))
            if not dry_run:
                await session.merge(PaymentHistoryRow(**row_values(folded)))

    result = await session.stream(query.execution_options(yield_per=batch))
    async for event_payment_id, blob in result:
        if event_payment_id != current_id:
            await finish()
            current_id, folded = event_payment_id, Folded()
        folded = apply(folded, EventEnvelope.FromString(blob))
        report.events_replayed += 1
    await finish()
    report.seconds = time.perf_counter() - started
    return report
