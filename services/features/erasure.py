"""Erasure of an entity's feature values (GDPR): its online row and its history, once per erasure request.

The EraseEntityFeatures RPC (services.features.service) and the pipeline's CustomerErased handler
(services.features.pipeline) share it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence

from fintech.features.v1 import entity_pb2, feature_store_service_pb2
from fintech.features.v1 import events_pb2 as feature_events_pb2
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.featurespec.definitions import FEATURES, Entity
from services.features.models import feature_erasures, feature_events, online_features
from services.runtime import outbox

pb = feature_store_service_pb2
# How many features each entity type has: the values an online row holds.
FEATURE_COUNTS = Counter(feature.entity for feature in FEATURES)


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
    online_values = online.rowcount * FEATURE_COUNTS[Entity(entity_type)]
    return online_values, history.rowcount


async def erase_entities(
    session: AsyncSession, entities: Sequence[entity_pb2.EntityKey], erasure_request_id: str, source: str
) -> list[pb.EntityErasure]:
    """Erase each entity once per erasure request; a repeated request answers what the first removed."""
    request_id = uuid.UUID(erasure_request_id)
    erasures = []
    for key in entities:
        entity_id = uuid.UUID(key.entity_id)
        done = (
            await session.execute(
                select(feature_erasures).where(
                    feature_erasures.c.erasure_request_id == request_id,
                    feature_erasures.c.entity_type == key.entity_type,
                    feature_erasures.c.entity_id == entity_id,
                )
            )
        ).first()
        if done is None:
            online, history = await delete_entity(session, key.entity_type, entity_id)
            await session.execute(
                insert(feature_erasures)
                .values(
                    erasure_request_id=request_id,
                    entity_type=key.entity_type,
                    entity_id=entity_id,
                    online_value_count=online,
                    history_value_count=history,
                )
                .on_conflict_do_nothing()
            )
            event = feature_events_pb2.EntityFeaturesErased(
                entity=key,
                erasure_request_id=erasure_request_id,
                online_value_count=online,
                history_value_count=history,
            )
            # Sequence: erasure ends the entity's stream; a high number keeps it after every update.
            await outbox.record(session, event, subject=key.entity_id, sequence=2**31 - 1, source=source)
        else:
            online, history = done.online_value_count, done.history_value_count
        erasures.append(pb.EntityErasure(entity=key, online_value_count=online, history_value_count=history))
    return erasures
