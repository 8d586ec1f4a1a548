"""What runs beside the payments service: erasure of customers' data keys and their eviction from every
process's cache, the sweeper of stranded screenings, the executor of future-dated payments, and the closer
of settlement windows.

GDPR erasure reaches payments: the customer service's `CustomerErased` event destroys the customer's
payment data keys (crypto-shredding), so the personal data sealed in the stored payment events and in
those on Kafka (creditor account, remittance text, device fingerprint) can no longer be opened.

Amounts, account ids and states stay readable: the bank must keep its books (a legal obligation that
outranks erasure), and they hold no clear personal data.

Each process caches unwrapped keys (services/payments/adapters/sealing.py) and which customers passed KYC
(adapters/verified_customers.py). `PaymentDataErasure` runs in one consumer group (one process destroys the keys);
`KeyEviction` runs in a consumer group of its own per process, from the topic's end, so every process, however
many replicas run, drops the erased customer's cached key and forgets that an erased customer, or one whose KYC
no longer holds, was verified.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, cast

import structlog
from fintech.common.v1 import event_envelope_pb2
from fintech.customer.v1 import events_pb2 as customer_events
from google.protobuf.message import Message
from sqlalchemy import CursorResult, delete
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters.db import projection, settlement
from services.payments.adapters.db.models import DataKeyRow
from services.payments.adapters.sealing import Sealer
from services.payments.adapters.verified_customers import VerifiedCustomers
from services.payments.domain import execution_dates
from services.runtime import kafka
from services.runtime.config import Settings
from services.runtime.consumer import EventConsumer, event_types
from services.runtime.db import Database
from services.runtime.errors import Aborted, DomainError
from services.runtime.event_registry import topic_for
from services.runtime.periodic import PeriodicTask

GROUP_ID = "payments-erasure"
log = structlog.get_logger("payments.background")
# Well beyond a screening call's own timeout: a payment this long in SCREENING has no call behind it.
STRANDED_AFTER = timedelta(seconds=60)
STRANDED_BATCH = 50
DUE_BATCH = 100


class PaymentDataErasure(EventConsumer):
    handles = event_types(customer_events.CustomerErased)

    def __init__(self, database: Database, sealer: Sealer, settings: Settings, **options: Any) -> None:
        super().__init__(database, group_id=GROUP_ID, topics=[topic_for("fintech.customer.v1")], settings=settings,
                         **options)  # fmt: skip
        self.sealer = sealer

    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        if not isinstance(event, customer_events.CustomerErased):
            return
        customer_id = uuid.UUID(event.customer_id)
        destroyed = cast(
            CursorResult[Any], await session.execute(delete(DataKeyRow).where(DataKeyRow.customer_id == customer_id))
        )
        self.sealer.forget(event.customer_id)
        log.info("payments.customer_data_keys_destroyed", customer_id=event.customer_id, keys=destroyed.rowcount)


def process_group_id(prefix: str = "payments-key-eviction") -> str:
    """A consumer group of this process alone: host, pid and a random part (a restarted pid gets a new one)."""
    return f"{prefix}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class KeyEviction(EventConsumer):
    """Drops an erased customer's cached data key in this process, and forgets that a customer was verified when
    they are erased or their KYC no longer holds (every process runs one, in its own group).

    The group is new each start and reads from the topic's end: erasures and revocations before the process
    started cannot be in its caches. Its offsets and processed-event ids are those of a group nobody resumes
    (Kafka expires the offsets; the ids are one row per erasure or revocation per process)."""

    handles = event_types(customer_events.CustomerErased, customer_events.CustomerVerificationChanged)

    def __init__(
        self, sealer: Sealer, database: Database, settings: Settings, verified: VerifiedCustomers | None = None,
        **options: Any,
    ) -> None:  # fmt: skip
        group_id = process_group_id()
        options.setdefault(
            "consumer_factory", lambda: kafka.make_consumer(group_id, settings=settings, auto_offset_reset="latest")
        )
        super().__init__(database, group_id=group_id, topics=[topic_for("fintech.customer.v1")], settings=settings,
                         **options)  # fmt: skip
        self.sealer = sealer
        self.verified = verified
        if verified is not None:
            verified.listen_with(lambda: self.listening)

    @property
    def listening(self) -> bool:
        """Connected, its last poll worked and it has its partitions: a revocation from now on reaches it."""
        return self.healthy and self._consumer is not None and bool(self._consumer.assignment())

    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        if isinstance(event, customer_events.CustomerErased):
            self.sealer.forget(event.customer_id)
            if self.verified is not None:
                self.verified.revoke(event.customer_id)
            log.info("payments.customer_data_key_evicted", customer_id=event.customer_id, group=self.group_id)
        elif isinstance(event, customer_events.CustomerVerificationChanged) and not event.payments_allowed:
            if self.verified is not None:
                self.verified.revoke(event.customer_id)
            log.info("payments.customer_verification_revoked", customer_id=event.customer_id, group=self.group_id)


class StrandedPayments(Protocol):
    """What the sweeper needs of the payments application."""

    @property
    def database(self) -> Database: ...

    async def hold_stranded(self, payment_id: uuid.UUID) -> None: ...


class StrandedScreenings(PeriodicTask):
    """Payments a crash left half-done: recorded and SCREENING, but the process died (kill -9, a lost node)
    before the screening outcome was stored. Nothing else would ever move them and their amount would stay
    reserved, so after STRANDED_AFTER this sweeper holds each one for review with the reason
    SCREENING_UNAVAILABLE, as when risk is unreachable: a person decides; never silently passed or dropped.
    The request's idempotency key gets the held payment as its outcome, so its retries answer with it.
    """

    def __init__(
        self, payments: StrandedPayments, interval: float = 15.0, stranded_after: timedelta = STRANDED_AFTER
    ) -> None:
        super().__init__("payments-stranded-screenings", interval)
        self.payments = payments
        self.stranded_after = stranded_after

    async def tick(self) -> bool:
        cutoff = datetime.now(UTC) - self.stranded_after
        async with self.payments.database.session() as session:
            stranded = await projection.stranded_screenings(session, cutoff, STRANDED_BATCH)
        for payment_id in stranded:
            try:
                await self.payments.hold_stranded(payment_id)
            except Aborted:  # its own call finished meanwhile
                continue
        return len(stranded) == STRANDED_BATCH


class Executed(Protocol):
    @property
    def ledger_posting_id(self) -> str: ...


class DuePayments(Protocol):
    """What the executor of future-dated payments needs of the payments application."""

    @property
    def database(self) -> Database: ...

    async def execute(self, payment_id: str, expected_version: int = 0, today: date | None = None) -> Executed: ...


class DueExecutions(PeriodicTask):
    """Future-dated payments: an accepted payment with a requested execution date is booked when the date
    comes. Payments due at once are booked by their own initiation (or by the release after a review); what
    stays ACCEPTED is waiting for its date, so this task walks the ACCEPTED payments and executes the due
    ones through `Payments.execute`, the same path as ExecutePayment: the debtor's funds are checked then
    (an uncovered payment is rejected with INSUFFICIENT_FUNDS, its reservation released) and the event
    stream's version check books each payment once, however many workers run this at the same time.

    The business date is the UTC date; a bank calendar (TARGET2 holidays) would shift it.
    """

    def __init__(
        self, payments: DuePayments, interval: float = 60.0, today: Callable[[], date] = execution_dates.today
    ) -> None:
        super().__init__("payments-due-executions", interval)
        self.payments = payments
        self.today = today
        self._after: tuple[datetime, uuid.UUID] | None = None  # where the walk over ACCEPTED payments is

    async def tick(self) -> bool:
        """Execute the due payments of the next batch of ACCEPTED ones; True until the walk is through."""
        async with self.payments.database.session() as session:
            batch = await projection.accepted_after(session, self._after, DUE_BATCH)
        today = self.today()
        for payment_id, _, payment in batch:
            if execution_dates.due(payment, today):
                await self._execute(str(payment_id), today)
        self._after = (batch[-1][1], batch[-1][0]) if len(batch) == DUE_BATCH else None
        return self._after is not None

    async def _execute(self, payment_id: str, today: date) -> None:
        try:
            result = await self.payments.execute(payment_id, today=today)
        except DomainError as error:  # rejected at execution (funds, frozen) and recorded, or moved meanwhile
            log.info("payments.scheduled_not_executed", payment_id=payment_id, reason=error.message)
            return
        log.info("payments.scheduled_executed", payment_id=payment_id, ledger_posting_id=result.ledger_posting_id)


class WindowCloser(PeriodicTask):
    """Gathers payments into OPEN settlement batches, and closes and nets those whose window has ended (a
    batch closes on its own, settlement_batch.proto)."""

    def __init__(self, database: Database, interval: float = 5.0) -> None:
        super().__init__("settlement-window-closer", interval)
        self.database = database

    async def tick(self) -> bool:
        now = datetime.now(UTC)
        async with self.database.transaction() as session:
            for batch in await settlement.open_batches_locked(session):
                if batch.window_end_time <= now:
                    await settlement.close_and_net(session, batch, now)
                else:
                    await settlement.gather(session, batch)
        return False
