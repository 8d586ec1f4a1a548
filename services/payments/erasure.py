"""GDPR erasure reaches payments: the customer service's `CustomerErased` event destroys the customer's
payment data keys (crypto-shredding), so the personal data sealed in the stored payment events and in
those on Kafka (creditor account, remittance text, device fingerprint) can no longer be opened.

Amounts, account ids and states stay readable: the bank must keep its books (a legal obligation that
outranks erasure), and they hold no clear personal data. Each process caches unwrapped keys; this one
drops its entry, and a service with several processes must run this consumer in each (or restart them).
"""

from __future__ import annotations

import uuid

import structlog
from fintech.common.v1 import event_envelope_pb2
from fintech.customer.v1 import events_pb2 as customer_events
from google.protobuf.message import Message
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import DataKeyRow
from services.payments.sealing import Sealer
from services.runtime.config import Settings
from services.runtime.consumer import EventConsumer, event_types
from services.runtime.db import Database
from services.runtime.event_registry import topic_for

GROUP_ID = "payments-erasure"
log = structlog.get_logger("payments.erasure")


class PaymentDataErasure(EventConsumer):
    handles = event_types(customer_events.CustomerErased)

    def __init__(self, database: Database, sealer: Sealer, settings: Settings, **options) -> None:
        super().__init__(database, group_id=GROUP_ID, topics=[topic_for("fintech.customer.v1")], settings=settings,
                         **options)  # fmt: skip
        self.sealer = sealer

    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        if not isinstance(event, customer_events.CustomerErased):
            return
        customer_id = uuid.UUID(event.customer_id)
        destroyed = await session.execute(delete(DataKeyRow).where(DataKeyRow.customer_id == customer_id))
        self.sealer.forget(event.customer_id)
        log.info("payments.customer_data_keys_destroyed", customer_id=event.customer_id, keys=destroyed.rowcount)
