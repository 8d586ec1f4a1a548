"""The payment event store: append with optimistic concurrency, load, fold.

    folded = await event_store.append(session, payment_id, expected_version, [PaymentCancelled(...)])

`append` runs in the caller's transaction. It folds the stored events, refuses a stale
`expected_version` (ABORTED, CONCURRENT_MODIFICATION) and an event the state does not allow
(FAILED_PRECONDITION, INVALID_STATE_TRANSITION), then writes, all in that one transaction: the event
rows (unique (payment_id, version): of two writers that read the same version only one commits),
the same envelopes to the outbox (Kafka key = payment id), the change of the debtor account's
reservation, and the read model's row. A `Batch` does the same for several appends to one payment
in a transaction (screened, then executed), with one statement per table at its `flush`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.event_envelope_pb2 import EventEnvelope
from google.protobuf.message import Message
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters.db import projection
from services.payments.adapters.db.ledger import move_reservation
from services.payments.adapters.db.models import PaymentEventRow
from services.payments.adapters.events.outbox import source
from services.payments.domain.payment import Folded, InvalidTransition, apply, fold
from services.runtime import outbox
from services.runtime.errors import Aborted, FailedPrecondition, NotFound


async def load_events(session: AsyncSession, payment_id: str | uuid.UUID) -> list[EventEnvelope]:
    query = (
        select(PaymentEventRow.envelope)
        .where(PaymentEventRow.payment_id == uuid.UUID(str(payment_id)))
        .order_by(PaymentEventRow.version)
    )
    return [EventEnvelope.FromString(blob) for blob in (await session.scalars(query)).all()]


async def load(session: AsyncSession, payment_id: str | uuid.UUID) -> Folded:
    """The payment folded from its events; NotFound when it has none."""
    folded = fold(await load_events(session, payment_id))
    if folded.version == 0:
        raise NotFound(f"payment {payment_id} not found", metadata={"payment_id": str(payment_id)})
    return folded


def stale(payment_id: str, expected: int, actual: int) -> Aborted:
    return Aborted(
        f"payment {payment_id} is at version {actual}, not {expected}",
        metadata={"payment_id": payment_id, "version": str(actual)},
    )


_INSERT = insert(cast(Table, PaymentEventRow.__table__))  # built once: the values come with each execution


class Batch:
    """Events appended to one payment in a transaction, written together by `flush` before it commits: one
    INSERT for the events, one for the outbox (with `outbox`, other events of the same change such as
    LedgerPosted), one upsert of the read model, and the reservation change the caller did not write.

    `append` folds and checks at once (the refusals come before anything is written); the unique
    (payment_id, version) key still catches, at `flush`, a writer that got in since `current` was read.
    """

    def __init__(self, payment_id: str, current: Folded) -> None:
        self.payment_id = payment_id
        self.stored = current
        self.folded = current
        self.envelopes: list[EventEnvelope] = []
        self.outbox: list[EventEnvelope] = []
        # The reservation change the caller wrote itself (ledger.move_reservation, ledger.post).
        self.reservation_written = 0

    def append(self, expected_version: int, events: Sequence[Message], occur_time: datetime | None = None) -> Folded:
        if self.folded.version != expected_version:
            raise stale(self.payment_id, expected_version, self.folded.version)
        now = occur_time or datetime.now(UTC)
        for event in events:
            # outbox.wrap records the request's trace context in the envelope: the relay publishes later, in a
            # trace of its own, and continues the request's trace from it (edge -> payments -> consumers).
            envelope = outbox.wrap(event, subject=self.payment_id, sequence=self.folded.version + 1,
                                   source=source(), occur_time=now)  # fmt: skip
            try:
                self.folded = apply(self.folded, envelope)
            except InvalidTransition as error:
                reason = ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION
                raise FailedPrecondition(str(error), reason=reason, metadata={"payment_id": self.payment_id}) from None
            self.envelopes.append(envelope)
        return self.folded

    async def flush(self, session: AsyncSession) -> Folded:
        # The debtor account's row first (its lock), then the events: every writer of a payment that moves
        # a reservation or books takes the account lock before the event rows, so none waits in a cycle. A
        # writer that lost a race fails on the events' unique key below (or, releasing a reservation twice,
        # on the account's reserved >= 0 check) and its whole transaction rolls back.
        if not self.envelopes:
            await outbox.add_events(session, self.outbox)
            self.outbox = []
            return self.folded
        version, payment_id = self.stored.version, uuid.UUID(self.payment_id)
        change = self.folded.reserved_minor - self.stored.reserved_minor - self.reservation_written
        rows: list[dict[str, Any]] = [
            {"payment_id": payment_id, "version": e.sequence, "event_id": uuid.UUID(e.event_id),
             "event_type": e.event_type, "envelope": e.SerializeToString(deterministic=True),
             "occur_time": e.occur_time.ToDatetime(UTC)} for e in self.envelopes
        ]  # fmt: skip
        try:
            if change:
                debtor = uuid.UUID(self.folded.payment.debtor_account_id)
                await move_reservation(session, debtor, change, rows[-1]["occur_time"])
            await session.execute(_INSERT, rows)
        except IntegrityError:
            raise stale(self.payment_id, version, version + 1) from None
        await outbox.add_events(session, [*self.envelopes, *self.outbox])
        await projection.store(session, self.folded)
        self.stored, self.envelopes, self.outbox, self.reservation_written = self.folded, [], [], 0
        return self.folded


async def append(
    session: AsyncSession,
    payment_id: str,
    expected_version: int,
    events: Sequence[Message],
    *,
    occur_time: datetime | None = None,
    current: Folded | None = None,
) -> Folded:
    """Append events after `expected_version` (0 for a new payment) and write them now; returns the new fold.

    `current`: the fold at `expected_version` when the caller already has it (saves a read; the
    unique key still catches a writer that got in between).
    """
    if current is None:
        current = fold(await load_events(session, payment_id))
    batch = Batch(payment_id, current)
    batch.append(expected_version, events, occur_time)
    return await batch.flush(session)
