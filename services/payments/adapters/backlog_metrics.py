"""Gauges of what waits on people: payments held for review and settlement batches past their window, read
from the database every few seconds (one statement) so that Prometheus can alert on their age
(tools/observability/rules.py ReviewQueueStale, SettlementMissedCutoff). Every replica reports the same
values; the rules take the max."""

from __future__ import annotations

from fintech.payments.v1 import payment_pb2 as p
from fintech.payments.v1 import settlement_batch_pb2 as sb
from prometheus_client import Gauge
from sqlalchemy import text

from services.runtime.db import Database
from services.runtime.periodic import PeriodicTask

REVIEW_QUEUE = Gauge("payments_review_queue_size", "Payments held for review, waiting for a person's decision.")
REVIEW_QUEUE_AGE = Gauge(
    "payments_review_queue_oldest_age_seconds", "How long the longest-held payment has waited for review (0: none)."
)
UNSETTLED = Gauge(
    "payments_settlement_batches_unsettled", "Settlement batches whose window has ended, neither settled nor failed."
)
UNSETTLED_AGE = Gauge(
    "payments_settlement_oldest_unsettled_age_seconds",
    "Seconds since the window end of the oldest batch neither settled nor failed (0: none).",
)
# Batches still to settle: OPEN (closing at its window end), CLOSED and NETTED; SETTLED and FAILED are final.
PENDING_BATCHES = (
    sb.SETTLEMENT_BATCH_STATE_OPEN,
    sb.SETTLEMENT_BATCH_STATE_CLOSED,
    sb.SETTLEMENT_BATCH_STATE_NETTED,
)
_BACKLOG = text(
    """
    SELECT held.count AS held, held.age AS held_age, batches.count AS unsettled, batches.age AS unsettled_age
    FROM (SELECT count(*), coalesce(extract(epoch FROM now() - min(update_time)), 0) AS age
          FROM payment_history WHERE state = :held) AS held,
         (SELECT count(*), coalesce(extract(epoch FROM now() - min(window_end_time)), 0) AS age
          FROM settlement_batches WHERE state = ANY(:pending) AND window_end_time < now()) AS batches
    """
)


class BacklogMetrics(PeriodicTask):
    def __init__(self, database: Database, interval: float = 15.0) -> None:
        super().__init__("payments-backlog-metrics", interval)
        self.database = database

    async def tick(self) -> bool:
        async with self.database.session() as session:
            row = (
                await session.execute(
                    _BACKLOG, {"held": p.PAYMENT_STATE_HELD_FOR_REVIEW, "pending": [int(s) for s in PENDING_BATCHES]}
                )
            ).one()
        REVIEW_QUEUE.set(row.held)
        REVIEW_QUEUE_AGE.set(float(row.held_age))
        UNSETTLED.set(row.unsettled)
        UNSETTLED_AGE.set(float(row.unsettled_age))
        return False
