"""Helpers of the data and event tests: isolated schemas on the mesh's PostgreSQL, topics on its Kafka."""

from __future__ import annotations

import asyncio
import inspect
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from fintech.payments.v1 import events_pb2
from sqlalchemy import func, select, text

from services.runtime import kafka
from services.runtime.config import get_settings
from services.runtime.db import Database, outbox_events
from services.runtime.event_registry import EventRegistry
from services.runtime.migrations import upgrade_async

SAMPLE_MIGRATIONS = Path(__file__).parent / "sample_service" / "migrations"
TEST_DATABASE = "payments"
SOURCE = "spiffe://cluster.local/ns/fintech/sa/runtime-tests"
REGISTRY = EventRegistry.discover()


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def database_url() -> str:
    """A service database of the mesh (the mesh's role owns those, but may not create databases);
    each test works in a schema of its own in it, dropped afterwards."""
    return get_settings().postgres.url(TEST_DATABASE)


@asynccontextmanager
async def sample_database(**options: Any):
    """A Database on a new schema migrated with the sample service's migrations; dropped afterwards."""
    url = database_url()
    schema = unique("t")
    await upgrade_async("sample", url, schema=schema, script_location=SAMPLE_MIGRATIONS)
    database = Database(url, schema=schema, **options)
    try:
        yield database
    finally:
        await database.dispose()
        admin = Database(url)
        async with admin.transaction() as session:
            await session.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def create_topics(*topics: str, partitions: int = 3, configs: dict[str, str] | None = None) -> None:
    admin = kafka.make_admin("runtime-tests")
    await admin.start()
    try:
        await kafka.ensure_topics(admin, topics, partitions=partitions, configs=configs)
    finally:
        await admin.close()


def payment_initiated(payment_id: str | None = None) -> events_pb2.PaymentInitiated:
    return events_pb2.PaymentInitiated(payment_id=payment_id or str(uuid.uuid4()), customer_id=str(uuid.uuid4()))


def envelope(subject: str, sequence: int = 1, **fields: Any):
    return REGISTRY.wrap(payment_initiated(subject), subject=subject, sequence=sequence, source=SOURCE, **fields)


async def read_topic(
    topic: str, *, until: Callable[[list[ConsumerRecord]], bool], timeout: float = 30.0, settle: float = 1.0
) -> list[ConsumerRecord]:
    """Every record of a topic from its start, read until `until(records)` holds and `settle` more seconds
    pass without it turning false (so a late duplicate is seen too)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=get_settings().kafka.bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout
    satisfied_at: float | None = None
    try:
        while time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
            if until(records):
                satisfied_at = satisfied_at or time.monotonic()
                if time.monotonic() - satisfied_at >= settle:
                    break
            else:
                satisfied_at = None
    finally:
        await consumer.stop()
    return records


async def wait_until(check: Callable[[], Any | Awaitable[Any]], *, timeout: float = 30.0, interval: float = 0.2) -> Any:
    """Poll `check()` (plain or async) until it gives something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        await asyncio.sleep(interval)


async def unpublished(database: Database) -> int:
    async with database.session() as session:
        return await session.scalar(
            select(func.count()).select_from(outbox_events).where(outbox_events.c.published_at.is_(None))
        )


def event_ids(records: list[ConsumerRecord]) -> list[str]:
    return [kafka.header(record.headers, kafka.EVENT_ID) for record in records]


async def all_published(database: Database) -> bool:
    return await unpublished(database) == 0
