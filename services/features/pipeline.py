"""The streaming feature pipeline: payment events in, per-entity feature rows out, exactly once.

It consumes `fintech.payments.events.v1` (PaymentInitiated) and `fintech.customer.events.v1`
(CustomerErased) with the runtime's EventConsumer: each event is applied in the transaction that records
its id, so a redelivered event changes nothing; poison events end in the `.dlq` twin.
"""

from __future__ import annotations

import uuid
from datetime import UTC

import structlog
from fintech.common.v1 import event_envelope_pb2
from fintech.customer.v1 import events_pb2 as customer_events
from fintech.features.v1 import entity_pb2
from fintech.features.v1 import events_pb2 as feature_events_pb2
from fintech.payments.v1 import events_pb2 as payment_events
from google.protobuf.message import Message
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.features.definitions import CURRENCY, FEATURES, Entity
from services.features.models import feature_events, online_features, pipeline_progress
from services.features.store import PIPELINE
from services.runtime import outbox
from services.runtime.config import Settings, get_settings
from services.runtime.consumer import EventConsumer
from services.runtime.db import Database

log = structlog.get_logger(__name__)

GROUP_ID = "features-pipeline"
TOPICS = ("fintech.payments.events.v1", "fintech.customer.events.v1")
FEATURE_NAMES = {entity: [f.name for f in FEATURES if f.entity == entity] for entity in Entity}


def _uuid(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


class FeaturePipeline(EventConsumer):
    def __init__(self, database: Database, settings: Settings | None = None, **options) -> None:
        settings = settings or get_settings()
        super().__init__(database, group_id=GROUP_ID, topics=TOPICS, settings=settings, **options)
        self.source = settings.spiffe_id("features")

    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        if isinstance(event, payment_events.PaymentInitiated):
            await self._payment(session, envelope, event)
        elif isinstance(event, customer_events.CustomerErased):
            from services.features.service import erase_entities  # the RPC and the event share the erasure

            customer = entity_pb2.EntityKey(entity_type=Entity.CUSTOMER, entity_id=event.customer_id)
            accounts = await session.scalars(
                select(online_features.c.entity_id).where(
                    online_features.c.entity_type == Entity.ACCOUNT,
                    online_features.c.customer_id == uuid.UUID(event.customer_id),
                )
            )
            keys = [customer] + [
                entity_pb2.EntityKey(entity_type=Entity.ACCOUNT, entity_id=str(account)) for account in accounts
            ]
            await erase_entities(session, keys, envelope.event_id, self.source)

    async def _payment(
        self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: payment_events.PaymentInitiated
    ) -> None:
        occur = (event.create_time if event.HasField("create_time") else envelope.occur_time).ToDatetime(tzinfo=UTC)
        customer = _uuid(event.customer_id)
        debtor = _uuid(event.debtor_account_id)
        creditor = _uuid(event.creditor_account_id) if event.WhichOneof("creditor") == "creditor_account_id" else None
        rows = [(Entity.CUSTOMER, customer, creditor), (Entity.ACCOUNT, debtor, creditor)]
        if creditor is not None:
            rows.append((Entity.MERCHANT, creditor, debtor))
        source_event_id = uuid.UUID(envelope.event_id)
        for entity, entity_id, counterparty in rows:
            if entity_id is None:
                continue
            inserted = await session.scalar(
                insert(feature_events)
                .values(
                    entity_type=entity,
                    entity_id=entity_id,
                    customer_id=customer,
                    source_event_id=source_event_id,
                    payment_id=uuid.UUID(event.payment_id),
                    occur_time=occur,
                    amount_minor=event.amount.amount_minor,
                    currency_code=event.amount.currency_code,
                    counterparty_id=counterparty,
                )
                .on_conflict_do_nothing()
                .returning(feature_events.c.id)
            )
            if inserted is None:
                continue
            in_currency = event.amount.currency_code == CURRENCY
            amount = event.amount.amount_minor if in_currency else 0
            upsert = insert(online_features).values(
                entity_type=entity,
                entity_id=entity_id,
                customer_id=customer if entity != Entity.MERCHANT else None,
                payment_count=1,
                amount_count=1 if in_currency else 0,
                amount_sum=amount,
                amount_sum_squares=amount * amount,
                first_occur_time=occur,
                last_occur_time=occur,
                version=1,
            )
            current = online_features.c
            version = await session.scalar(
                upsert.on_conflict_do_update(
                    index_elements=[current.entity_type, current.entity_id],
                    set_={
                        "payment_count": current.payment_count + 1,
                        "amount_count": current.amount_count + upsert.excluded.amount_count,
                        "amount_sum": current.amount_sum + upsert.excluded.amount_sum,
                        "amount_sum_squares": current.amount_sum_squares + upsert.excluded.amount_sum_squares,
                        "first_occur_time": func.least(current.first_occur_time, occur),
                        "last_occur_time": func.greatest(current.last_occur_time, occur),
                        "version": current.version + 1,
                        "update_time": func.now(),
                    },
                ).returning(current.version)
            )
            updated = feature_events_pb2.EntityFeaturesUpdated(
                entity=entity_pb2.EntityKey(entity_type=entity, entity_id=str(entity_id)),
                feature_names=FEATURE_NAMES[entity],
                source_event_id=envelope.event_id,
                source_event_type=envelope.event_type,
            )
            updated.source_occur_time.FromDatetime(occur)
            await outbox.record(
                session, updated, subject=str(entity_id), sequence=version, source=self.source,
                causation_id=envelope.event_id, correlation_id=envelope.correlation_id,
            )  # fmt: skip
        progress = insert(pipeline_progress).values(pipeline=PIPELINE, watermark_time=occur)
        await session.execute(
            progress.on_conflict_do_update(
                index_elements=[pipeline_progress.c.pipeline],
                set_={
                    "watermark_time": func.greatest(pipeline_progress.c.watermark_time, occur),
                    "update_time": func.now(),
                },
            )
        )


async def delete_entity(session: AsyncSession, entity_type: int, entity_id: uuid.UUID) -> tuple[int, int]:
    """Remove an entity's online row and history; returns (online values, history values) removed."""
    online = await session.execute(
        delete(online_features).where(
            online_features.c.entity_type == entity_type, online_features.c.entity_id == entity_id
        )
    )
    history = await session.execute(
        delete(feature_events).where(
            feature_events.c.entity_type == entity_type, feature_events.c.entity_id == entity_id
        )
    )
    online_values = online.rowcount * len(FEATURE_NAMES[Entity(entity_type)])
    return online_values, history.rowcount
