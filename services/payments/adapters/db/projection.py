"""The payment history read model (CQRS): one row per payment, the fold of its events.

The live projection is written by `event_store.append` in the same transaction as the events;
`replay` rebuilds it from the event store alone and reports where the two differ.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from fintech.common.v1.event_envelope_pb2 import EventEnvelope, SealedValue
from fintech.payments.v1 import payment_pb2 as p
from google.protobuf.message import Message
from sqlalchemy import Table, or_, select, tuple_
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters.db.models import PaymentEventRow, PaymentHistoryRow
from services.payments.domain.payment import Folded, apply
from services.runtime import paging


def row_values(folded: Folded) -> dict[str, Any]:
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


def _upsert() -> Insert:
    table = cast(Table, PaymentHistoryRow.__table__)
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


async def stranded_screenings(session: AsyncSession, before: datetime, limit: int) -> list[uuid.UUID]:
    """Payments in SCREENING that last changed before `before` (the oldest `limit`, in no set order)."""
    query = (
        select(PaymentHistoryRow.payment_id)
        .where(PaymentHistoryRow.state == p.PAYMENT_STATE_SCREENING, PaymentHistoryRow.update_time < before)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def accepted_after(
    session: AsyncSession, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[tuple[uuid.UUID, datetime, p.Payment]]:
    """The next `limit` ACCEPTED payments after (create time, id) `after`, in that order."""
    row = PaymentHistoryRow
    query = select(row.payment_id, row.create_time, row.payment).where(row.state == p.PAYMENT_STATE_ACCEPTED)
    if after is not None:
        query = query.where(tuple_(row.create_time, row.payment_id) > after)
    rows = (await session.execute(query.order_by(row.create_time, row.payment_id).limit(limit))).all()
    return [(payment_id, create_time, p.Payment.FromString(payment)) for payment_id, create_time, payment in rows]


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


@dataclass(frozen=True)
class PaymentFilter:
    """ListPayments' filters (empty: not filtered on)."""

    customer_id: str = ""
    account_id: str = ""
    states: Sequence[int] = ()
    start: datetime | None = None
    end: datetime | None = None
    settlement_batch_id: str = ""


async def page_of_payments(
    session: AsyncSession, where: PaymentFilter, page: Message, key: bytes, fingerprint: str, default_size: int
) -> tuple[list[Folded], str]:
    """The payments matching `where`, newest first, one page, and the next page's token."""
    query = select(PaymentHistoryRow)
    if where.account_id:
        account_id = uuid.UUID(where.account_id)
        query = query.where(or_(PaymentHistoryRow.debtor_account_id == account_id,
                                PaymentHistoryRow.creditor_account_id == account_id))  # fmt: skip
    if where.customer_id:
        query = query.where(PaymentHistoryRow.customer_id == uuid.UUID(where.customer_id))
    if where.states:
        query = query.where(PaymentHistoryRow.state.in_(list(where.states)))
    if where.start is not None:
        query = query.where(PaymentHistoryRow.create_time >= where.start)
    if where.end is not None:
        query = query.where(PaymentHistoryRow.create_time < where.end)
    if where.settlement_batch_id:
        query = query.where(PaymentHistoryRow.settlement_batch_id == uuid.UUID(where.settlement_batch_id))
    order = (PaymentHistoryRow.create_time, PaymentHistoryRow.payment_id)
    rows, token = await paging.keyset_page(session, query, order, page, key, fingerprint, descending=True,
                                           default_size=default_size)  # fmt: skip
    return [folded_from_row(row) for row in rows], token
