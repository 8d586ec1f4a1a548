"""Future-dated payments: an accepted payment with a requested execution date is booked when the date
comes. Payments due at once are booked by their own initiation (or by the release after a review); what
stays ACCEPTED is waiting for its date, so this task walks the ACCEPTED payments and executes the due
ones through `Payments.execute`, the same path as ExecutePayment: the debtor's funds are checked then
(an uncovered payment is rejected with INSUFFICIENT_FUNDS, its reservation released) and the event
stream's version check books each payment once, however many workers run this at the same time.

The business date is the UTC date; a bank calendar (TARGET2 holidays) would shift it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime

import structlog
from fintech.payments.v1 import payment_pb2 as p
from sqlalchemy import select, tuple_

from services.payments.models import PaymentHistoryRow
from services.payments.service import Payments, due
from services.runtime.errors import DomainError
from services.runtime.periodic import PeriodicTask

BATCH = 100
log = structlog.get_logger("payments.scheduler")


def _today() -> date:
    return datetime.now(UTC).date()


class DueExecutions(PeriodicTask):
    def __init__(self, payments: Payments, interval: float = 60.0, today: Callable[[], date] = _today) -> None:
        super().__init__("payments-due-executions", interval)
        self.payments = payments
        self.today = today
        self._after: tuple[datetime, uuid.UUID] | None = None  # where the walk over ACCEPTED payments is

    async def tick(self) -> bool:
        """Execute the due payments of the next batch of ACCEPTED ones; True until the walk is through."""
        row = PaymentHistoryRow
        query = select(row.payment_id, row.create_time, row.payment).where(row.state == p.PAYMENT_STATE_ACCEPTED)
        if self._after is not None:
            query = query.where(tuple_(row.create_time, row.payment_id) > self._after)
        async with self.payments.database.session() as session:
            batch = (await session.execute(query.order_by(row.create_time, row.payment_id).limit(BATCH))).all()
        today = self.today()
        for payment_id, _, payment in batch:
            if due(p.Payment.FromString(payment), today):
                await self._execute(str(payment_id), today)
        self._after = (batch[-1].create_time, batch[-1].payment_id) if len(batch) == BATCH else None
        return self._after is not None

    async def _execute(self, payment_id: str, today: date) -> None:
        try:
            result = await self.payments.execute(payment_id, today=today)
        except DomainError as error:  # rejected at execution (funds, frozen) and recorded, or moved meanwhile
            log.info("payments.scheduled_not_executed", payment_id=payment_id, reason=error.message)
            return
        log.info("payments.scheduled_executed", payment_id=payment_id, ledger_posting_id=result.ledger_posting_id)
