"""Payments a crash left half-done: recorded and SCREENING, but the process died (kill -9, a lost node)
before the screening outcome was stored. Nothing else would ever move them and their amount would stay
reserved, so after STRANDED_AFTER this sweeper holds each one for review with the reason
SCREENING_UNAVAILABLE, as when risk is unreachable: a person decides; never silently passed or dropped.
The request's idempotency key gets the held payment as its outcome, so its retries answer with it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p
from sqlalchemy import select

from services.payments import event_store
from services.payments.models import PaymentHistoryRow
from services.payments.screening import skipped
from services.payments.service import Payments
from services.runtime import idempotency
from services.runtime.errors import Aborted
from services.runtime.periodic import PeriodicTask

# Well beyond a screening call's own timeout: a payment this long in SCREENING has no call behind it.
STRANDED_AFTER = timedelta(seconds=60)
BATCH = 50
log = structlog.get_logger("payments.recovery")


class StrandedScreenings(PeriodicTask):
    def __init__(self, payments: Payments, interval: float = 15.0, stranded_after: timedelta = STRANDED_AFTER):
        super().__init__("payments-stranded-screenings", interval)
        self.payments = payments
        self.stranded_after = stranded_after

    async def tick(self) -> bool:
        cutoff = datetime.now(UTC) - self.stranded_after
        async with self.payments.database.session() as session:
            stranded = (
                await session.scalars(
                    select(PaymentHistoryRow.payment_id)
                    .where(PaymentHistoryRow.state == p.PAYMENT_STATE_SCREENING, PaymentHistoryRow.update_time < cutoff)
                    .limit(BATCH)
                )
            ).all()
        for payment_id in stranded:
            try:
                async with self.payments.database.transaction() as session:
                    folded = await event_store.load(session, payment_id)
                    if folded.state == p.PAYMENT_STATE_SCREENING:
                        held = await self.payments.screened(session, folded, skipped("screening never finished"))
                        response = isvc.InitiatePaymentResponse(payment=await self.payments.present(session, held))
                        await idempotency.complete_unfinished(session, payment_id, response)
                        log.warning("payments.stranded_screening_held", payment_id=str(payment_id))
            except Aborted:  # its own call finished meanwhile
                continue
        return len(stranded) == BATCH
