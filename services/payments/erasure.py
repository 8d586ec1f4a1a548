"""GDPR erasure reaches payments: the customer service's `CustomerErased` event destroys the customer's
payment data keys (crypto-shredding), so the personal data sealed in the stored payment events and in
those on Kafka (creditor account, remittance text, device fingerprint) can no longer be opened.

Amounts, account ids and states stay readable: the bank must keep its books (a legal obligation that
outranks erasure), and they hold no clear personal data.

Each process caches unwrapped keys (services/payments/sealing.py). `PaymentDataErasure` runs in one consumer
group (one process destroys the keys); `KeyEviction` runs in a consumer group of its own per process, from the
topic's end, so every process, however many replicas run, drops the erased customer's cached key.
"""

from __future__ import annotations

import os
import socket
import uuid

import structlog
from fintech.common.v1 import event_envelope_pb2
from fintech.customer.v1 import events_pb2 as customer_events
from google.protobuf.message import Message
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import DataKeyRow
from services.payments.sealing import Sealer
from services.runtime import kafka
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


def process_group_id(prefix: str = "payments-key-eviction") -> str:
    """A consumer group of this process alone: host, pid and a random part (a restarted pid gets a new one)."""
    return f"{prefix}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class KeyEviction(EventConsumer):
    """Drops an erased customer's cached data key in this process (every process runs one, in its own group).

    The group is new each start and reads from the topic's end: erasures before the process started cannot be
    in its cache. Its offsets and processed-event ids are those of a group nobody resumes (Kafka expires the
    offsets; the ids are one row per erasure per process)."""

    handles = event_types(customer_events.CustomerErased)

    def __init__(self, sealer: Sealer, database: Database, settings: Settings, **options) -> None:
        group_id = process_group_id()
        latest = {"settings": settings, "auto_offset_reset": "latest"}
        options.setdefault("consumer_factory", lambda: kafka.make_consumer(group_id, **latest))
        super().__init__(database, group_id=group_id, topics=[topic_for("fintech.customer.v1")], settings=settings,
                         **options)  # fmt: skip
        self.sealer = sealer

    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        if isinstance(event, customer_events.CustomerErased):
            self.sealer.forget(event.customer_id)
            log.info("payments.customer_data_key_evicted", customer_id=event.customer_id, group=self.group_id)
