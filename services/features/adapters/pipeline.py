"""The streaming feature pipeline: payment events in, per-entity feature rows out, exactly once.

It consumes `fintech.payments.events.v1` (PaymentInitiated) and `fintech.customer.events.v1`
(CustomerErased) with the runtime's EventConsumer: each event is applied in the transaction that records
its id, so a redelivered event changes nothing; poison events end in the `.dlq` twin. The online rows it
changed go to Redis once that transaction commits (services.features.adapters.online).
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from fintech.common.v1 import event_envelope_pb2
from fintech.customer.v1 import events_pb2 as customer_events
from fintech.features.v1 import entity_pb2
from fintech.features.v1 import events_pb2 as feature_events_pb2
from fintech.payments.v1 import events_pb2 as payment_events
from google.protobuf.message import Message
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.featurespec.compute import Event
from libs.featurespec.definitions import Entity
from libs.featurespec.online import encode_event, event_field
from services.features.adapters.db.erasure import erase_entities
from services.features.adapters.db.reads import PIPELINE
from services.features.adapters.db.tables import online_features
from services.features.adapters.online import Erase, OnlineWriter, Update
from services.features.domain.payments import FEATURE_NAMES, erased_customer_keys, payment_rows
from services.features.domain.readings import entity_type
from services.runtime import outbox
from services.runtime.config import Settings
from services.runtime.consumer import EventConsumer, event_types
from services.runtime.db import Database

log = structlog.get_logger(__name__)

GROUP_ID = "features-pipeline"
TOPICS = ("fintech.payments.events.v1", "fintech.customer.events.v1")


# One payment event in one statement: its history rows (one per entity; a redelivery adds none), the running
# row of each entity that got one (its version: the sequence of its EntityFeaturesUpdated) and the watermark.
# Arrays keep the text one for two or three entities, so it is prepared once per connection.
APPLY_PAYMENT = text("""
WITH entities AS (
    SELECT * FROM unnest(CAST(:types AS smallint[]), CAST(:ids AS uuid[]), CAST(:counterparties AS uuid[]))
        AS e (entity_type, entity_id, counterparty_id)
), added AS (
    INSERT INTO feature_events (entity_type, entity_id, customer_id, source_event_id, payment_id, occur_time,
                                amount_minor, currency_code, counterparty_id)
    SELECT entity_type, entity_id, CAST(:customer AS uuid), CAST(:source_event AS uuid), CAST(:payment AS uuid),
           CAST(:occur AS timestamptz), CAST(:amount AS bigint), CAST(:currency AS text), counterparty_id
    FROM entities
    ON CONFLICT DO NOTHING
    RETURNING entity_type, entity_id
), progress AS (
    INSERT INTO pipeline_progress AS p (pipeline, watermark_time) VALUES (:pipeline, :occur)
    ON CONFLICT (pipeline) DO UPDATE
        SET watermark_time = greatest(p.watermark_time, excluded.watermark_time), update_time = now()
)
INSERT INTO online_features AS o (entity_type, entity_id, customer_id, payment_count, amount_count, amount_sum,
                                  amount_sum_squares, first_occur_time, last_occur_time, version)
SELECT entity_type, entity_id, CASE WHEN entity_type <> :merchant THEN CAST(:customer AS uuid) END, 1,
       CAST(:in_currency AS bigint), CAST(:amount_sum AS numeric), CAST(:amount_squares AS numeric),
       CAST(:occur AS timestamptz), CAST(:occur AS timestamptz), 1
FROM added
ON CONFLICT (entity_type, entity_id) DO UPDATE SET
    payment_count = o.payment_count + 1,
    amount_count = o.amount_count + excluded.amount_count,
    amount_sum = o.amount_sum + excluded.amount_sum,
    amount_sum_squares = o.amount_sum_squares + excluded.amount_sum_squares,
    first_occur_time = least(o.first_occur_time, excluded.first_occur_time),
    last_occur_time = greatest(o.last_occur_time, excluded.last_occur_time),
    version = o.version + 1,
    update_time = now()
RETURNING entity_type, entity_id, version
""").bindparams(merchant=int(Entity.MERCHANT))


class FeaturePipeline(EventConsumer):
    handles = event_types(payment_events.PaymentInitiated, customer_events.CustomerErased)

    def __init__(
        self, database: Database, settings: Settings, online: OnlineWriter | None = None, **options: Any
    ) -> None:
        super().__init__(database, group_id=GROUP_ID, topics=TOPICS, settings=settings, **options)
        self.source = settings.spiffe_id("features")
        self.online = online  # None: PostgreSQL only (the cost tests)

    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        if isinstance(event, payment_events.PaymentInitiated):
            await self._payment(session, envelope, event)
        elif isinstance(event, customer_events.CustomerErased):
            accounts = await session.scalars(
                select(online_features.c.entity_id).where(
                    online_features.c.entity_type == Entity.ACCOUNT,
                    online_features.c.customer_id == uuid.UUID(event.customer_id),
                )
            )
            keys = erased_customer_keys(event.customer_id, list(accounts))
            await erase_entities(session, keys, envelope.event_id, self.source)
            if self.online is not None:
                self.online.queue(session, [Erase(k.entity_type, uuid.UUID(k.entity_id)) for k in keys])

    async def _payment(
        self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: payment_events.PaymentInitiated
    ) -> None:
        payment = payment_rows(envelope, event)
        occur, amount = payment.occur_time, payment.amount_in_currency
        updated = await session.execute(
            APPLY_PAYMENT,
            {
                "types": [row.entity for row in payment.rows],
                "ids": [row.entity_id for row in payment.rows],
                "counterparties": [row.counterparty for row in payment.rows],
                "customer": payment.customer,
                "source_event": uuid.UUID(envelope.event_id),
                "payment": uuid.UUID(event.payment_id),
                "occur": occur,
                "amount": event.amount.amount_minor,
                "currency": event.amount.currency_code,
                "in_currency": int(payment.in_currency),
                "amount_sum": amount,
                "amount_squares": amount * amount,
                "pipeline": PIPELINE,
            },
        )
        envelopes = []
        writes = []
        counterparties = {row.entity: row.counterparty for row in payment.rows}
        for entity, entity_id, version in updated:  # the entities that had not seen this event yet
            if self.online is not None:
                counterparty = counterparties[Entity(entity)]
                history = Event(occur.timestamp(), event.amount.amount_minor, event.amount.currency_code,
                                str(counterparty) if counterparty else None)  # fmt: skip
                writes.append(Update(entity, entity_id, version, event_field(envelope.event_id),
                                     encode_event(history), history.time))  # fmt: skip
            update = feature_events_pb2.EntityFeaturesUpdated(
                entity=entity_pb2.EntityKey(entity_type=entity_type(Entity(entity)), entity_id=str(entity_id)),
                feature_names=FEATURE_NAMES[Entity(entity)],
                source_event_id=envelope.event_id,
                source_event_type=envelope.event_type,
            )
            update.source_occur_time.FromDatetime(occur)
            envelopes.append(
                outbox.wrap(
                    update, subject=str(entity_id), sequence=version, source=self.source, registry=self.registry,
                    causation_id=envelope.event_id, correlation_id=envelope.correlation_id,
                )
            )  # fmt: skip
        outbox.add_at_commit(session, envelopes, registry=self.registry)  # a batch's events: one insert
        if self.online is not None:
            self.online.queue(session, writes)  # written to Redis once the batch commits
