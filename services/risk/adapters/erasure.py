"""GDPR erasure reaches risk: the customer service's `CustomerErased` event marks the customer's risk data key
for destruction once the AML retention period has passed, and `DataRetention` destroys it then.

What risk keeps of a screening is an AML record (who was screened, against which lists, with what result) that
the bank must retain for `[risk] aml_retention_days` after the business relationship ends (EU AMLD: five years),
an obligation that outranks erasure; so the party's personal data, sealed under the customer's data key
(services/risk/adapters/keys.py), stays readable until then, and cannot be opened by anyone after the key is shredded.
With a retention of 0 days the key is destroyed as the event is applied.

Keys are never cached (keys.DataKeys reads the table every time), so one consumer group is enough: every risk
replica sees a shredded key as gone at once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, cast

import structlog
from fintech.common.v1 import event_envelope_pb2
from fintech.customer.v1 import events_pb2 as customer_events
from google.protobuf.message import Message
from sqlalchemy import CursorResult, delete, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk.adapters.db import screenings
from services.risk.adapters.db.models import risk_data_keys
from services.risk.adapters.keys import DataKeys, shred_due
from services.runtime.config import Settings
from services.runtime.consumer import EventConsumer, event_types
from services.runtime.db import Database
from services.runtime.event_registry import topic_for
from services.runtime.observability import safe_error
from services.runtime.periodic import PeriodicTask

GROUP_ID = "risk-erasure"
log = structlog.get_logger("risk.erasure")


class RiskDataErasure(EventConsumer):
    handles = event_types(customer_events.CustomerErased)

    def __init__(self, database: Database, settings: Settings, **options: Any) -> None:
        super().__init__(database, group_id=GROUP_ID, topics=[topic_for("fintech.customer.v1")], settings=settings,
                         **options)  # fmt: skip
        self.retention = timedelta(days=settings.risk.aml_retention_days)

    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        if not isinstance(event, customer_events.CustomerErased):
            return
        customer_id = uuid.UUID(event.customer_id)
        t = risk_data_keys.c
        if self.retention <= timedelta(0):
            destroyed = cast(
                "CursorResult[Any]", await session.execute(delete(risk_data_keys).where(t.customer_id == customer_id))
            )
            log.info("risk.customer_data_key_shredded", customer_id=event.customer_id, keys=destroyed.rowcount)
            return
        marked = cast(
            "CursorResult[Any]",
            await session.execute(
                update(risk_data_keys)
                .where(t.customer_id == customer_id)
                .values(
                    erase_time=func.coalesce(t.erase_time, func.now()),
                    shred_after=func.coalesce(t.shred_after, func.now() + self.retention),
                )
            ),
        )
        log.info("risk.customer_data_key_retained", customer_id=event.customer_id, keys=marked.rowcount,
                 retention_days=self.retention.days)  # fmt: skip


class DataRetention(PeriodicTask):
    """Every `interval` seconds: destroys the data keys whose `shred_after` has passed (erased customers whose
    AML retention ended), and seals the parties of screenings stored before they were sealed."""

    def __init__(self, database: Database, keys: DataKeys, interval: float, *, batch: int = 500) -> None:
        super().__init__("risk-data-retention", interval)
        self.database = database
        self.keys = keys
        self.batch = batch

    async def tick(self) -> bool:
        async with self.database.transaction() as session:
            shredded = await shred_due(session, limit=self.batch)
        for customer_id in shredded:
            log.info("risk.customer_data_key_shredded", customer_id=str(customer_id))
        async with self.database.transaction() as session:
            sealed = await screenings.seal_legacy(session, self.keys, limit=self.batch)
        if sealed:
            log.info("risk.legacy_screenings_sealed", screenings=sealed)
        return len(shredded) >= self.batch or sealed >= self.batch

    async def failed(self, error: Exception) -> None:
        log.warning("risk.data_retention_failed", error=safe_error(error))  # never the message: it may quote data
