"""Helpers of the online store tests: a Redis client on a database of its own (the mesh's features service writes
database 0, and its watermark and synced mark are global keys), the pipeline with its writer on a new schema."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import redis.asyncio as aioredis

from libs.featurespec.definitions import FEATURES, Entity
from libs.featurespec.online import OnlineReader, OnlineRow, key
from services.features.adapters.db.reads import FeatureReads
from services.features.adapters.online import OnlineWriter
from services.features.adapters.pipeline import FeaturePipeline
from services.features.domain.values import Read
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.redis_client import connect
from tests.features.support import REGISTRY, service_database

TEST_DB = 3


def redis_for_tests(settings: Settings, *, port: int | None = None, timeout: float | None = None) -> aioredis.Redis:
    """The mesh's Redis (or a port where none listens) as the features workload, on the tests' database."""
    if port is not None:
        settings = settings.model_copy(update={"redis": settings.redis.model_copy(update={"port": port})})
    client = connect(settings, "features", timeout=timeout or 5.0)  # a TLS handshake on a busy machine
    client.connection_pool.connection_kwargs["db"] = TEST_DB
    return client


@dataclass
class Store:
    database: Database
    redis: aioredis.Redis
    writer: OnlineWriter
    pipeline: FeaturePipeline
    reader: OnlineReader

    async def handle(self, *envelopes) -> None:
        """The events in one transaction, as the consumer applies a batch."""
        async with self.database.transaction() as session:
            for envelope in envelopes:
                await self.pipeline.handle(session, envelope, REGISTRY.unwrap(envelope))

    async def row(self, entity: Entity, entity_id: str) -> OnlineRow | None:
        rows, _ = await self.reader.rows([(int(entity), entity_id)])
        return rows[0]

    async def postgres_values(self, entity: Entity, entity_id: str, at) -> list[float | None]:
        """What the PostgreSQL read computes as of `at` (the numbers the features service serves)."""
        features = [f for f in FEATURES if f.entity == entity]
        results, _ = await FeatureReads(self.database).compute([Read(int(entity), uuid.UUID(entity_id), features, at)])
        return [_number(v.value) for v in results[0].values]

    async def raw(self, entity: Entity, entity_id: str) -> dict[bytes, bytes]:
        return await self.redis.hgetall(key(int(entity), entity_id))


def _number(value: object) -> float | None:
    if value is None:
        return None
    seconds = getattr(value, "total_seconds", None)
    return float(seconds()) if seconds else float(value)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def online_store(settings: Settings) -> AsyncIterator[Store]:
    """A features schema of its own, the pipeline writing Redis (the tests' database, emptied first)."""
    async with service_database("features") as database:
        redis = redis_for_tests(settings)
        await redis.flushdb()
        writer = OnlineWriter(database, redis, lease=600.0)  # steps run by hand: the lease outlives a test
        pipeline = FeaturePipeline(database, settings, writer)
        try:
            yield Store(database, redis, writer, pipeline, OnlineReader(redis, timeout=5.0))
        finally:
            await redis.aclose()
