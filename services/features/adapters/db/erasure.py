"""Erasure of an entity's feature values (GDPR): its online row and its history, once per erasure request.

The EraseEntityFeatures RPC and the pipeline's CustomerErased handler (services.features.adapters.pipeline) share it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from fintech.features.v1 import entity_pb2
from fintech.features.v1 import events_pb2 as feature_events_pb2
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.featurespec.definitions import Entity
from services.features.adapters.db.tables import feature_erasures, feature_events, online_features
from services.features.adapters.online import Erase, OnlineWriter
from services.features.domain.payments import FEATURE_COUNTS
from services.features.domain.values import Erased
from services.runtime import outbox
from services.runtime.db import Database


async def delete_entity(session: AsyncSession, entity_type: int, entity_id: uuid.UUID) -> tuple[int, int]:
    """Remove an entity's online row and history; returns (online values, history values) removed."""
    # A DELETE's result is a CursorResult (its rowcount), which execute()'s type does not say.
    online = cast(
        CursorResult[Any],
        await session.execute(
            delete(online_features).where(
                online_features.c.entity_type == entity_type, online_features.c.entity_id == entity_id
            )
        ),
    )
    history = cast(
        CursorResult[Any],
        await session.execute(
            delete(feature_events).where(
                feature_events.c.entity_type == entity_type, feature_events.c.entity_id == entity_id
            )
        ),
    )
    online_values = online.rowcount * FEATURE_COUNTS[Entity(entity_type)]
    return online_values, history.rowcount


async def erase_entities(
    session: AsyncSession, entities: Sequence[entity_pb2.EntityKey], erasure_request_id: str, source: str
) -> list[Erased]:
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
        erasures.append(Erased(key, online, history))
    return erasures


class Erasure:
    """Erasure requests, each in its own transaction; the online store (Redis) loses the rows once it commits."""

    def __init__(self, database: Database, source: str, online: OnlineWriter | None = None) -> None:
        self.database = database
        self.source = source
        self.online = online

    async def erase(self, entities: Sequence[entity_pb2.EntityKey], erasure_request_id: str) -> list[Erased]:
        async with self.database.transaction() as session:
            erased = await erase_entities(session, entities, erasure_request_id, self.source)
            if self.online is not None:
                self.online.queue(session, [Erase(key.entity_type, uuid.UUID(key.entity_id)) for key in entities])
            return erased
