"""Idempotent event consumers with bounded retries and a dead-letter topic.

A subclass implements `handle(session, envelope, event)`. Each event is applied inside one database
transaction that also inserts (consumer group, event id) into `processed_events`: an event Kafka
delivers twice (a relay retry, a rebalance) finds its id there and is skipped, so its effect is
applied once. Offsets are committed only after that transaction commits.

An event that cannot be decoded (not an EventEnvelope, an unregistered type, a payload that is not
what the envelope says) goes straight to `<topic>.dlq`: retrying cannot change it. A handler that
raises is retried `max_attempts` times with backoff, then its record goes to `<topic>.dlq` with the
error in its headers, and the consumer moves on. A failure while the database is unreachable is not
the event's fault: it is retried, uncounted, until the database is back. Nothing is skipped before
the dead-letter topic has acknowledged it.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from fintech.common.v1 import event_envelope_pb2
from google.protobuf.message import DecodeError, Message
from opentelemetry import trace
from prometheus_client import Counter
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.runtime import kafka
from services.runtime.backoff import Backoff
from services.runtime.config import Settings
from services.runtime.db import Database, processed_events
from services.runtime.event_registry import EventContractError, EventRegistry
from services.runtime.outbox import default_registry

log = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)

EVENTS_CONSUMED = Counter(
    "events_consumed_total",
    "Records handled by event consumers, by outcome (applied, duplicate, dead_lettered).",
    ["consumer_group", "topic", "outcome"],
)

# Headers a dead-lettered record gets on top of its own.
DLQ_ORIGINAL_TOPIC = "dlq-original-topic"
DLQ_ORIGINAL_PARTITION = "dlq-original-partition"
DLQ_ORIGINAL_OFFSET = "dlq-original-offset"
DLQ_CONSUMER_GROUP = "dlq-consumer-group"
DLQ_ERROR_CLASS = "dlq-error-class"
DLQ_ERROR_MESSAGE = "dlq-error-message"
DLQ_ATTEMPTS = "dlq-attempts"

HANDLER_RETRY = Backoff(initial=0.2, maximum=5.0)
RECONNECT = Backoff(initial=0.5, maximum=10.0)

UNDECODABLE = (DecodeError, EventContractError, ValueError, TypeError)


class _Stopping(Exception):
    """Stop was requested while a record was still being retried: leave it uncommitted."""


class EventConsumer(abc.ABC):
    """Consumes events of `topics` as consumer group `group_id` and applies each exactly once."""

    def __init__(
        self,
        database: Database,
        *,
        group_id: str,
        topics: Sequence[str],
        settings: Settings | None = None,
        registry: EventRegistry | None = None,
        consumer_factory: Callable[[], AIOKafkaConsumer] | None = None,
        producer_factory: Callable[[], AIOKafkaProducer] | None = None,
        max_attempts: int = 5,
        retry_backoff: Backoff = HANDLER_RETRY,
        reconnect_backoff: Backoff = RECONNECT,
        max_records: int = 100,
    ) -> None:
        self.database = database
        self.group_id = group_id
        self.topics = list(topics)
        self.registry = registry or default_registry()
        self._consumer_factory = consumer_factory or (lambda: kafka.make_consumer(group_id, settings=settings))
        self._producer_factory = producer_factory or (lambda: kafka.make_producer(f"{group_id}-dlq", settings=settings))
        self.max_attempts = max_attempts
        self.retry_backoff = retry_backoff
        self.reconnect_backoff = reconnect_backoff
        self.max_records = max_records
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq_producer: AIOKafkaProducer | None = None
        self._uncommitted: dict[TopicPartition, int] = {}
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._healthy = False

    @abc.abstractmethod
    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        """Apply one event; runs in the transaction that records it as processed. Raise to retry."""

    @property
    def healthy(self) -> bool:
        """True while the consumer runs and its last poll worked (the client reconnects by itself)."""
        return self._healthy and self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self.run(), name=f"consumer-{self.group_id}")

    async def stop(self) -> None:
        """Finish the record in hand, commit what was applied and leave the group."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def run(self) -> None:
        failures = 0
        try:
            while not self._stopping.is_set():
                try:
                    consumer = await self._connect()
                    batches = await consumer.getmany(timeout_ms=500, max_records=self.max_records)
                    self._healthy = True
                    failures = 0
                    for tp, records in batches.items():
                        for record in records:
                            if tp not in consumer.assignment():
                                break  # revoked by a rebalance: its new owner takes over from the commit
                            await self._process(record)
                            self._uncommitted[tp] = record.offset + 1
                    await self._commit()
                except _Stopping:
                    break
                except Exception as exc:
                    failures += 1
                    self._healthy = False
                    delay = self.reconnect_backoff.delay(failures)
                    log.warning("event consumer failed", group=self.group_id, error=repr(exc), retry_in=delay)
                    await self._sleep(delay)
        finally:
            await self._close()

    async def _process(self, record: ConsumerRecord) -> None:
        try:
            envelope, event = self._decode(record)
        except UNDECODABLE as exc:
            await self._dead_letter(record, exc, attempts=1)
            return
        attempts = outages = 0
        while True:
            try:
                await self._apply(record, envelope, event)
                return
            except Exception as exc:
                if not await self.database.ready():
                    outages += 1
                    log.warning("database unreachable, retrying", group=self.group_id, error=repr(exc))
                    await self._sleep(self.reconnect_backoff.delay(outages))
                    continue
                attempts += 1
                log.warning(
                    "event handler failed",
                    group=self.group_id,
                    event_id=envelope.event_id,
                    attempt=attempts,
                    error=repr(exc),
                )
                if attempts >= self.max_attempts:
                    await self._dead_letter(record, exc, attempts=attempts)
                    return
                await self._sleep(self.retry_backoff.delay(attempts))

    def _decode(self, record: ConsumerRecord) -> tuple[event_envelope_pb2.EventEnvelope, Message]:
        envelope = event_envelope_pb2.EventEnvelope.FromString(record.value)
        event = self.registry.unwrap(envelope)
        uuid.UUID(envelope.event_id)
        return envelope, event

    async def _apply(self, record: ConsumerRecord, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        with tracer.start_as_current_span(
            f"{record.topic} process",
            context=kafka.extract_context(record.headers),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": record.topic,
                "messaging.consumer.group.name": self.group_id,
                "messaging.message.id": envelope.event_id,
            },
        ):
            async with self.database.transaction() as session:
                first_time = await session.scalar(
                    insert(processed_events)
                    .values(consumer_group=self.group_id, event_id=uuid.UUID(envelope.event_id))
                    .on_conflict_do_nothing()
                    .returning(processed_events.c.event_id)
                )
                if first_time is not None:
                    await self.handle(session, envelope, event)
        EVENTS_CONSUMED.labels(self.group_id, record.topic, "applied" if first_time else "duplicate").inc()

    async def _dead_letter(self, record: ConsumerRecord, error: BaseException, *, attempts: int) -> None:
        topic = kafka.dlq_topic(record.topic)
        headers = [
            *(record.headers or ()),
            *kafka.encode_headers(
                {
                    DLQ_ORIGINAL_TOPIC: record.topic,
                    DLQ_ORIGINAL_PARTITION: str(record.partition),
                    DLQ_ORIGINAL_OFFSET: str(record.offset),
                    DLQ_CONSUMER_GROUP: self.group_id,
                    DLQ_ERROR_CLASS: f"{type(error).__module__}.{type(error).__qualname__}",
                    DLQ_ERROR_MESSAGE: str(error)[:1000] or "-",
                    DLQ_ATTEMPTS: str(attempts),
                }
            ),
        ]
        failures = 0
        while True:  # the record is skipped only once the dead-letter topic holds it
            try:
                if self._dlq_producer is None:
                    producer = self._producer_factory()
                    await producer.start()
                    self._dlq_producer = producer
                await self._dlq_producer.send_and_wait(topic, value=record.value, key=record.key, headers=headers)
                break
            except Exception as exc:
                failures += 1
                log.warning("dead-letter publish failed", topic=topic, error=repr(exc))
                producer, self._dlq_producer = self._dlq_producer, None
                if producer is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(producer.stop(), 5)
                await self._sleep(self.reconnect_backoff.delay(failures))
        log.error(
            "event dead-lettered",
            group=self.group_id,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=repr(error),
        )
        EVENTS_CONSUMED.labels(self.group_id, record.topic, "dead_lettered").inc()

    async def _connect(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = self._consumer_factory()
            consumer.subscribe(self.topics, listener=_CommitOnRevoke(self))
            try:
                await consumer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await consumer.stop()
                raise
            self._consumer = consumer
        return self._consumer

    async def _commit(self, partitions: Sequence[TopicPartition] | None = None) -> None:
        offsets = {tp: offset for tp, offset in self._uncommitted.items() if partitions is None or tp in partitions}
        if offsets and self._consumer is not None:
            await self._consumer.commit(offsets)
            for tp in offsets:
                if self._uncommitted.get(tp) == offsets[tp]:
                    del self._uncommitted[tp]

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        if self._stopping.is_set():
            raise _Stopping

    async def _close(self) -> None:
        self._healthy = False
        consumer, self._consumer = self._consumer, None
        producer, self._dlq_producer = self._dlq_producer, None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await self._commit()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(consumer.stop(), 10)
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 10)


class _CommitOnRevoke(ConsumerRebalanceListener):
    """Commits what was applied on partitions about to move, so their next owner starts after it."""

    def __init__(self, owner: EventConsumer) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: Any) -> None:
        with contextlib.suppress(Exception):
            await self._owner._commit(list(revoked))
        for tp in revoked:
            self._owner._uncommitted.pop(tp, None)

    async def on_partitions_assigned(self, assigned: Any) -> None:
        pass
