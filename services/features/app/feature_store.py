"""The feature store's use cases: online and point-in-time reads of computed features, erasure."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from fintech.features.v1 import entity_pb2, feature_value_pb2

from libs.featurespec.definitions import Feature
from services.features.domain.readings import historical_reading, of_entity, reading
from services.features.domain.values import Erased, Read, Result

Readings = list[feature_value_pb2.FeatureReading]


class FeatureReads(Protocol):
    async def compute(self, reads: Sequence[Read]) -> tuple[list[Result], datetime | None]:
        """The values of each read's features, and the pipeline's watermark (None before its first event)."""
        ...


class Erasure(Protocol):
    async def erase(self, entities: Sequence[entity_pb2.EntityKey], erasure_request_id: str) -> list[Erased]:
        """Erase each entity once per erasure request; a repeated request answers what the first removed."""
        ...


def _read(key: entity_pb2.EntityKey, features: Sequence[Feature], as_of: datetime | None = None) -> Read:
    """The features of `key`'s entity type among `features`, for one entity."""
    return Read(key.entity_type, uuid.UUID(key.entity_id), of_entity(key.entity_type, features), as_of)


class FeatureStore:
    def __init__(self, reads: FeatureReads, erasure: Erasure) -> None:
        self.reads = reads
        self.erasure = erasure

    async def online(
        self, keys: Sequence[entity_pb2.EntityKey], features: Sequence[Feature], max_staleness: timedelta | None
    ) -> tuple[datetime, list[Readings]]:
        """The read time (the database's now) and each entity's readings, as of now."""
        results, watermark = await self.reads.compute([_read(key, features) for key in keys])
        read_time = results[0].as_of if results else datetime.now(UTC)
        return read_time, [[reading(v, read_time, watermark, max_staleness) for v in r.values] for r in results]

    async def historical(
        self, rows: Sequence[tuple[entity_pb2.EntityKey, datetime]], features: Sequence[Feature]
    ) -> list[Readings]:
        """Each (entity, read time)'s readings as of its read time."""
        results, _ = await self.reads.compute([_read(key, features, as_of) for key, as_of in rows])
        return [[historical_reading(v, r.as_of) for v in r.values] for r in results]

    async def erase(self, entities: Sequence[entity_pb2.EntityKey], erasure_request_id: str) -> list[Erased]:
        return await self.erasure.erase(entities, erasure_request_id)
