"""The payment event store: append with optimistic concurrency, load, fold.

    folded = await event_store.append(session, payment_id, expected_version, [PaymentCancelled(...)])

`append` runs in the caller's transaction. It folds the stored events, refuses a stale
`expected_version` (ABORTED, CONCURRENT_MODIFICATION) and an event the state does not allow
(FAILED_PRECONDITION, INVALID_STATE_TRANSITION), then writes, all in that one transaction: the event
rows (unique (payment_id, version): of two writers that read the same version only one commits),
the same envelopes to the outbox (Kafka key = payment id), the change of the debtor account's
reservation, and the read model's row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.event_envelope_pb2 import EventEnvelope
from google.protobuf.message import Message
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments import projection
from services.payments.domain import Folded, InvalidTransition, apply, fold
from services.payments.ledger import source
from services.payments.models import AccountRow, PaymentEventRow
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


async def append(
    session: AsyncSession,
    payment_id: str,
    expected_version: int,
    events: Sequence[Message],
    *,
    occur_time: datetime | None = None,
    current: Folded | None = None,
) -> Folded:
    """Append events after `expected_version` (0 for a new payment); returns the new fold.

    `current`: the fold at `expected_version` when the caller already has it (saves a read; the
    unique key still catches a writer that got in between).
    """
    if current is None:
        current = fold(await load_events(session, payment_id))
    if current.version != expected_version:
        raise stale(payment_id, expected_version, current.version)
    now = occur_time or datetime.now(UTC)
    folded, envelopes = current, []
    registry = outbox.default_registry()
    for offset, event in enumerate(events, start=1):
        envelope = registry.wrap(event, subject=payment_id, sequence=expected_version + offset, source=source(),
                                 occur_time=now)  # fmt: skip
        try:
            folded = apply(folded, envelope)
        except InvalidTransition as error:
            reason = ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION
            raise FailedPrecondition(str(error), reason=reason, metadata={"payment_id": payment_id}) from None
        envelopes.append(envelope)
    # The debtor account's row first (its lock), then the events: every writer of a payment that moves
    # a reservation or books takes the account lock before the event rows, so none waits in a cycle. A
    # writer that lost a race fails on the events' unique key below (or, releasing a reservation twice,
    # on the account's reserved >= 0 check) and its whole transaction rolls back.
    reservation_change = folded.reserved_minor - current.reserved_minor
    if reservation_change:
        try:
            await session.execute(
                update(AccountRow)
                .where(AccountRow.account_id == uuid.UUID(folded.payment.debtor_account_id))
                .values(reserved_minor=AccountRow.reserved_minor + reservation_change, update_time=now)
            )
        except IntegrityError:
            raise stale(payment_id, expected_version, expected_version + 1) from None
    try:
        await session.execute(
            insert(PaymentEventRow),
            [
                {"payment_id": uuid.UUID(payment_id), "version": e.sequence, "event_id": uuid.UUID(e.event_id),
                 "event_type": e.event_type, "envelope": e.SerializeToString(deterministic=True), "occur_time": now}
                for e in envelopes
            ],
        )  # fmt: skip
    except IntegrityError:
        raise stale(payment_id, expected_version, expected_version + 1) from None
    for envelope in envelopes:
        await outbox.add_event(session, envelope, registry=registry)
    await projection.store(session, folded)
    return folded
