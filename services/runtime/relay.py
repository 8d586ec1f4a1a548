"""The outbox relay: publishes committed outbox rows to Kafka, in order, and marks them published.

Each cycle claims the oldest unpublished rows (`FOR UPDATE SKIP LOCKED`, so several relays share the
work), publishes them with an idempotent producer (record key = aggregate id, so one aggregate's
events land on one partition in order) and marks them published in the same transaction once the
broker acknowledged them. Rows are never dropped: a failed publish leaves them unpublished with
`attempts` and `last_error` recorded, the relay backs off and retries on a new producer.

When idle it waits for its process to commit outbox rows (`Database.outbox_committed`), polling every
`poll_interval` (2 s) only for rows other processes wrote (a replica that died before its relay ran): each poll
is a transaction, and at 0.2 s the five services' polls cost the idle mesh about 45 ms of CPU per second.
A busy service's commits are gathered for
`gather_interval` (50 ms: at 10 ms, cycles of a row or two doubled Kafka's CPU per payment) so they share a cycle.

Ordering: a cycle's rows of one partition go out as record batches in position order (`outbox_publish`), and a row
is held back while an earlier row of its aggregate is unpublished and not ours (another
relay holds it, or it failed). Writers must serialise the events of one aggregate (they do: an
aggregate's version check or row lock), so rows of an aggregate commit in insertion order.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from prometheus_client import Counter, Gauge
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from services.runtime import kafka, outbox, outbox_publish
from services.runtime.backoff import Backoff
from services.runtime.config import Settings
from services.runtime.db import Database, outbox_events
from services.runtime.observability import safe_error
from services.runtime.outbox_publish import OutboxRow
from services.runtime.periodic import PeriodicTask

log = structlog.get_logger(__name__)

OUTBOX_PENDING = Gauge("outbox_pending_events", "Outbox rows not yet published to Kafka.")
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_pending_age_seconds", "Age of the oldest outbox row not yet published (0 when none)."
)
OUTBOX_PUBLISHED = Counter("outbox_published_events_total", "Outbox rows published to Kafka.")
OUTBOX_FAILURES = Counter("outbox_publish_failures_total", "Outbox rows whose publish attempt failed.")

RETRY = Backoff(initial=0.2, maximum=10.0)
# Published rows older than the retention are deleted once an hour, a batch per transaction.
PURGE_INTERVAL = 3600.0
PURGE_BATCH = 1000

ProducerFactory = Callable[[], AIOKafkaProducer]


class PublishError(Exception):
    """Some claimed rows could not be published; they stay in the outbox."""


class OutboxRelay(PeriodicTask):
    def __init__(
        self,
        database: Database,
        producer_factory: ProducerFactory | None = None,
        *,
        name: str = "outbox-relay",
        settings: Settings | None = None,
        batch_size: int = 100,
        poll_interval: float = 2.0,
        gather_interval: float = 0.05,
        publish_timeout: float = 15.0,
        backoff: Backoff = RETRY,
        probe_interval: float = 5.0,
        metrics_interval: float = 5.0,
        retention: timedelta | None = timedelta(days=7),
    ) -> None:
        super().__init__(name, poll_interval, backoff)
        self.database = database
        self._producer_factory = producer_factory or (lambda: kafka.make_producer(name, settings=settings))
        self.batch_size = batch_size
        self.gather_interval = gather_interval
        self.publish_timeout = publish_timeout
        self.probe_interval = probe_interval
        self.metrics_interval = metrics_interval
        self.retention = retention
        self._producer: AIOKafkaProducer | None = None
        self._healthy = False
        self._last_probe = self._last_metrics = self._last_purge = 0.0

    @property
    def healthy(self) -> bool:
        """True while the relay runs with a producer connected to Kafka (for the health service)."""
        return self._healthy and self._task is not None and not self._task.done()

    async def tick(self) -> bool:
        await self._connect()
        published = await self.publish_batch()
        await self._housekeeping(idle=published == 0)
        return published >= self.batch_size  # a full batch: more may be waiting

    async def idle(self) -> None:
        """Until this process commits outbox rows (or `interval` passes, for rows committed elsewhere),
        then `gather_interval` more: a busy service's commits share a cycle instead of one cycle each."""
        committed = self.database.outbox_committed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.interval):
                await _first(committed.wait(), self._stopping.wait())
        committed.clear()  # before the claim: a commit from now on wakes the next cycle
        await self.pause(self.gather_interval)

    async def failed(self, error: Exception) -> None:
        log.warning("outbox relay failed", relay=self.name, error=safe_error(error))
        if not isinstance(error, SQLAlchemyError):  # the database's trouble is not Kafka's
            self._healthy = False
            await self._discard_producer()

    async def closing(self) -> None:
        await self._close_producer()

    async def publish_batch(self) -> int:
        """One cycle: claim, publish and mark a batch; returns how many rows were published."""
        producer = await self._connect()
        failed: dict[Any, str] = {}
        async with self.database.transaction() as session:
            rows = await self._claim(session)
            if not rows:
                return 0
            published, failed = await self._publish(producer, rows)
            if published:
                await session.execute(
                    update(outbox_events).where(outbox_events.c.id.in_(published)).values(published_at=func.now())
                )
            for row_id, error in failed.items():
                await session.execute(
                    update(outbox_events)
                    .where(outbox_events.c.id == row_id)
                    .values(attempts=outbox_events.c.attempts + 1, last_error=error[:2000])
                )
        OUTBOX_PUBLISHED.inc(len(published))
        if failed:
            OUTBOX_FAILURES.inc(len(failed))
            raise PublishError(f"{len(failed)} outbox rows not published: {next(iter(failed.values()))}")
        self._healthy = True
        return len(published)

    async def _claim(self, session: AsyncSession) -> list[OutboxRow]:
        t = outbox_events
        rows = (
            await session.execute(
                select(t.c.id, t.c.position, t.c.topic, t.c.key, t.c.payload, t.c.headers)
                .where(t.c.published_at.is_(None))
                .order_by(t.c.position)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not rows:
            return []
        # The earliest unpublished row of each aggregate that is not in this batch: rows after it wait.
        earliest_other = dict(
            (
                await session.execute(
                    select(t.c.key, func.min(t.c.position))
                    .where(
                        t.c.published_at.is_(None),
                        t.c.key.in_({row.key for row in rows}),
                        t.c.id.not_in([row.id for row in rows]),
                    )
                    .group_by(t.c.key)
                )
            ).all()
        )
        return [row for row in rows if row.key not in earliest_other or row.position < earliest_other[row.key]]

    async def _publish(self, producer: AIOKafkaProducer, rows: Sequence[OutboxRow]) -> tuple[list[Any], dict[Any, str]]:
        """Send the rows; returns (acked ids, failed id -> error)."""
        return await outbox_publish.publish(producer, rows, self.publish_timeout)

    async def _connect(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            try:
                await asyncio.wait_for(producer.start(), self.publish_timeout)
            except BaseException:
                await _abort(producer)
                raise
            self._producer = producer
            self._healthy = True
            self._last_probe = time.monotonic()
            log.info("outbox relay connected to Kafka", relay=self.name)
        return self._producer

    async def _housekeeping(self, *, idle: bool) -> None:
        now = time.monotonic()
        if idle and self._producer is not None and now - self._last_probe >= self.probe_interval:
            # Nothing to publish: check the brokers still answer, so `healthy` tells the truth.
            self._last_probe = now
            await asyncio.wait_for(self._producer.client.fetch_all_metadata(), self.publish_timeout)
            self._healthy = True
        if now - self._last_metrics >= self.metrics_interval:
            self._last_metrics = now
            await self.refresh_metrics()
        if self.retention is not None and idle and now - self._last_purge >= PURGE_INTERVAL:
            self._last_purge = now
            deleted = PURGE_BATCH
            while deleted == PURGE_BATCH and not self._stopping.is_set():  # short transactions
                async with self.database.transaction() as session:
                    deleted = await outbox.purge_published(session, self.retention, limit=PURGE_BATCH)

    async def refresh_metrics(self) -> tuple[int, float]:
        """Update and return the lag gauges: unpublished rows and the oldest one's age in seconds."""
        t = outbox_events
        async with self.database.session() as session:
            count, age = (
                await session.execute(
                    select(
                        func.count(),
                        func.coalesce(func.extract("epoch", func.now() - func.min(t.c.created_at)), 0),
                    ).where(t.c.published_at.is_(None))
                )
            ).one()
        OUTBOX_PENDING.set(count)
        OUTBOX_OLDEST_AGE.set(float(age))
        return count, float(age)

    async def _discard_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await _abort(producer)

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        self._healthy = False
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), self.publish_timeout)
            except Exception:
                await _abort(producer)


async def _first(*waits: Coroutine[Any, Any, Any]) -> None:
    """Until the first of `waits` is done; the others are cancelled."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


async def _abort(producer: AIOKafkaProducer) -> None:
    """Close a producer without waiting for its unacknowledged records, and make sure they never go out.

    `stop()` waits until every pending record is delivered, which an idempotent producer retries for as
    long as Kafka is away; its rows are already back in the outbox, so cancel the sender first, or a
    record could still be delivered behind the outbox's back and then again by the next attempt.
    """
    sender = getattr(producer, "_sender", None)
    accumulator = getattr(producer, "_message_accumulator", None)
    with contextlib.suppress(Exception):
        if sender is not None:
            await sender.close()
        if accumulator is not None:  # resolve the pending records' futures, so stop() does not wait
            accumulator.fail_all(KafkaConnectionError("producer aborted"))
    with contextlib.suppress(Exception):
        await asyncio.wait_for(producer.stop(), 5)
