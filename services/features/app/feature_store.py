"""The feature store's use cases: online reads (Redis, else PostgreSQL) and point-in-time reads of computed
features, erasure."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import structlog
from fintech.features.v1 import entity_pb2, feature_value_pb2
from prometheus_client import Counter

from libs.featurespec.definitions import Feature
from libs.featurespec.online import OnlineRow, OnlineUnavailable, as_of
from services.features.domain.readings import historical_reading, of_entity, reading
from services.features.domain.values import Erased, Read, Result, result

log = structlog.get_logger(__name__)
ONLINE_READS = Counter("features_online_reads_total", "Online reads, by the store that answered.", ["store"])

Readings = list[feature_value_pb2.FeatureReading]


class FeatureReads(Protocol):
    async def compute(self, reads: Sequence[Read]) -> tuple[list[Result], datetime | None]:
        """The values of each read's features, and the pipeline's watermark (None before its first event)."""
        ...


class OnlineRows(Protocol):
    async def rows(self, keys: Sequence[tuple[int, str]]) -> tuple[list[OnlineRow | None], float | None]:
        """Each entity's row in the online store (None: not there) and its watermark (libs.featurespec.online)."""
        ...


class Erasure(Protocol):
    async def erase(self, entities: Sequence[entity_pb2.EntityKey], erasure_request_id: str) -> list[Erased]:
        """Erase each entity once per erasure request; a repeated request answers what the first removed."""
        ...


def _read(key: entity_pb2.EntityKey, features: Sequence[Feature], as_of: datetime | None = None) -> Read:
    """The features of `key`'s entity type among `features`, for one entity."""
    return Read(key.entity_type, uuid.UUID(key.entity_id), of_entity(key.entity_type, features), as_of)


class FeatureStore:
    def __init__(self, reads: FeatureReads, erasure: Erasure, online_rows: OnlineRows | None = None) -> None:
        self.reads = reads
        self.erasure = erasure
        self.online_rows = online_rows

    async def online(
        self, keys: Sequence[entity_pb2.EntityKey], features: Sequence[Feature], max_staleness: timedelta | None
    ) -> tuple[datetime, list[Readings]]:
        """The read time and each entity's readings, as of now: from the online store when it has every entity,
        else from PostgreSQL (the read time is then the database's now)."""
        reads = [_read(key, features) for key in keys]
        found = await self._from_online_store(reads)
        if found is not None:
            results, watermark = found
            ONLINE_READS.labels("redis").inc()
        else:
            results, watermark = await self.reads.compute(reads)
            ONLINE_READS.labels("postgresql").inc()
        read_time = results[0].as_of if results else datetime.now(UTC)
        return read_time, [[reading(v, read_time, watermark, max_staleness) for v in r.values] for r in results]

    async def _from_online_store(self, reads: Sequence[Read]) -> tuple[list[Result], datetime | None] | None:
        """The results from Redis; None when it fails, is slow, has no writer's lease, has an entity's row marked
        stale or no watermark."""
        if self.online_rows is None or not reads:
            return None
        try:
            rows, watermark = await self.online_rows.rows([(read.entity_type, str(read.entity_id)) for read in reads])
        except OnlineUnavailable as error:
            log.info("online store unavailable, reading PostgreSQL", error=str(error))
            return None
        if watermark is None or any(row is None for row in rows):
            return None
        now = datetime.now(UTC)
        results = []
        for read, row in zip(reads, rows, strict=True):
            assert row is not None
            events, last_time = as_of(row, now.timestamp())
            last = datetime.fromtimestamp(last_time, UTC) if last_time is not None else None
            results.append(result(read, now, last, events))
        return results, datetime.fromtimestamp(watermark, UTC)

    async def historical(
        self, rows: Sequence[tuple[entity_pb2.EntityKey, datetime]], features: Sequence[Feature]
    ) -> list[Readings]:
        """Each (entity, read time)'s readings as of its read time."""
        results, _ = await self.reads.compute([_read(key, features, as_of) for key, as_of in rows])
        return [[historical_reading(v, r.as_of) for v in r.values] for r in results]

    async def erase(self, entities: Sequence[entity_pb2.EntityKey], erasure_request_id: str) -> list[Erased]:
        return await self.erasure.erase(entities, erasure_request_id)
