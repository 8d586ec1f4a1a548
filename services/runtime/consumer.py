# Over 400 lines: the consumer's batch, one-by-one retry, dead-letter and rebalance paths share one state machine.
"""Idempotent event consumers with bounded retries and a dead-letter topic.

A subclass implements `handle(session, envelope, event)`. Each event is applied inside a database
transaction that also inserts (consumer group, event id) into `processed_events`: an event Kafka
delivers twice (a relay retry, a rebalance) finds its id there and is skipped, so its effect is
applied once. Offsets are committed only after that transaction commits.

A poll is applied as one batch: one transaction, one insert of all its event ids, then `handle` for
each first-time event in offset order (per partition) in that transaction's session; handlers of one
batch share the session (and its identity map). If anything in the batch fails, it is rolled back and
its records are applied one by one, each in a transaction of its own, as described below: a poison
event never holds up or drops the others.

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
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from fintech.common.v1 import event_envelope_pb2
from google.protobuf.message import DecodeError, Message
from opentelemetry import context as otel_context
from opentelemetry import trace
from prometheus_client import Counter
from sqlalchemy import Text, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.runtime import kafka
from services.runtime.backoff import Backoff
from services.runtime.config import Settings
from services.runtime.db import Database, processed_events
from services.runtime.event_registry import EventContractError, EventRegistry
from services.runtime.observability import safe_error
from services.runtime.outbox import default_registry

log = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)

EVENTS_CONSUMED = Counter(
    "events_consumed_total",
    "Records handled by event consumers, by outcome (applied, duplicate, ignored, dead_lettered).",
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

Batches = dict[TopicPartition, list[ConsumerRecord]]
# A decoded record: its envelope, its event and the span context it carries (None: none).
Decoded = tuple[ConsumerRecord, event_envelope_pb2.EventEnvelope, Message, trace.SpanContext | None]


def event_types(*messages: type[Message]) -> frozenset[str]:
    """The full names of event messages, for `EventConsumer.handles`."""
    return frozenset(message.DESCRIPTOR.full_name for message in messages)


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
        # A batch's ids in one statement; an array parameter keeps its SQL (and prepared statement) one.
        ids = func.unnest(bindparam("ids", type_=ARRAY(UUID(as_uuid=True))))
        self._claim = (
            insert(processed_events)
            .from_select(["consumer_group", "event_id"], select(literal(group_id, Text), ids))
            .on_conflict_do_nothing()
            .returning(processed_events.c.event_id)
        )

    # The event types (full names) `handle` acts on; None: every type. Events of other types are skipped
    # before the transaction, so they cost no processed-id row.
    handles: frozenset[str] | None = None

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
                    await self._consume(consumer, batches)
                    await self._commit()
                except _Stopping:
                    break
                except Exception as exc:
                    failures += 1
                    self._healthy = False
                    delay = self.reconnect_backoff.delay(failures)
                    log.warning("event consumer failed", group=self.group_id, error=safe_error(exc), retry_in=delay)
                    await self._sleep(delay)
        finally:
            await self._close()

    async def _consume(self, consumer: AIOKafkaConsumer, batches: Batches) -> None:
        """Apply a poll as one batch; if any of it fails, record by record (retries, dead letters)."""
        batches = {tp: records for tp, records in batches.items() if records and tp in consumer.assignment()}
        if not batches:
            return
        try:
            undecodable = await self._apply_batch(batches)
        except Exception as exc:
            log.warning("event batch failed, applying it record by record", group=self.group_id, error=safe_error(exc))
            await self._each(consumer, batches, self._process)
            return

        async def dead_letter(record: ConsumerRecord) -> None:
            error = undecodable.get((record.topic, record.partition, record.offset))
            if error is not None:
                await self._dead_letter(record, error, attempts=1)

        await self._each(consumer, batches, dead_letter)

    async def _each(
        self, consumer: AIOKafkaConsumer, batches: Batches, action: Callable[[ConsumerRecord], Awaitable[None]]
    ) -> None:
        """`action` on each record in offset order, marking its offset done after it."""
        for tp, records in batches.items():
            for record in records:
                if tp not in consumer.assignment():
                    break  # revoked by a rebalance: its new owner takes over from the commit
                await action(record)
                self._uncommitted[tp] = record.offset + 1

    async def _apply_batch(self, batches: Batches) -> dict[tuple[str, int, int], BaseException]:
        """Apply the decodable records in one transaction; returns the undecodable ones' errors, by
        (topic, partition, offset), for the dead-letter topic once the batch is committed."""
        decoded: list[Decoded] = []
        undecodable: dict[tuple[str, int, int], BaseException] = {}
        for records in batches.values():
            for record in records:
                try:
                    envelope, event = self._decode(record)
                except UNDECODABLE as exc:
                    undecodable[(record.topic, record.partition, record.offset)] = exc
                    continue
                if not self._wanted(record, envelope):
                    continue
                span_context = trace.get_current_span(kafka.extract_context(record.headers)).get_span_context()
                decoded.append((record, envelope, event, span_context if span_context.is_valid else None))
        if not decoded:
            return undecodable
        outcomes: dict[tuple[str, str], int] = {}
        with self._batch_span(decoded):
            async with self.database.transaction() as session:
                ids = list(dict.fromkeys(uuid.UUID(envelope.event_id) for _, envelope, _, _ in decoded))
                first_time = set(await session.scalars(self._claim, {"ids": ids}))
                for record, envelope, event, carried in decoded:
                    event_id = uuid.UUID(envelope.event_id)
                    applied = event_id in first_time
                    if applied:
                        first_time.discard(event_id)  # a duplicate within the batch is applied once
                        with _within(carried):
                            await self.handle(session, envelope, event)
                    key = (record.topic, "applied" if applied else "duplicate")
                    outcomes[key] = outcomes.get(key, 0) + 1
        for (topic, outcome), count in outcomes.items():
            EVENTS_CONSUMED.labels(self.group_id, topic, outcome).inc(count)
        return undecodable

    def _batch_span(self, decoded: list[Decoded]) -> contextlib.AbstractContextManager[trace.Span]:
        """One span per batch, linked to the traces its records carry."""
        topics = sorted({record.topic for record, *_ in decoded})
        return tracer.start_as_current_span(
            f"{' '.join(topics)} process",
            kind=trace.SpanKind.CONSUMER,
            links=[trace.Link(carried) for *_, carried in decoded if carried is not None],
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topics[0] if len(topics) == 1 else topics,
                "messaging.consumer.group.name": self.group_id,
                "messaging.batch.message_count": len(decoded),
            },
        )

    async def _process(self, record: ConsumerRecord) -> None:
        try:
            envelope, event = self._decode(record)
        except UNDECODABLE as exc:
            await self._dead_letter(record, exc, attempts=1)
            return
        if not self._wanted(record, envelope):
            return
        attempts = outages = 0
        while True:
            try:
                await self._apply(record, envelope, event)
                return
            except Exception as exc:
                if not await self.database.ready():
                    outages += 1
                    log.warning("database unreachable, retrying", group=self.group_id, error=safe_error(exc))
                    await self._sleep(self.reconnect_backoff.delay(outages))
                    continue
                attempts += 1
                log.warning(
                    "event handler failed",
                    group=self.group_id,
                    event_id=envelope.event_id,
                    attempt=attempts,
                    error=safe_error(exc),
                )
                if attempts >= self.max_attempts:
                    await self._dead_letter(record, exc, attempts=attempts)
                    return
                await self._sleep(self.retry_backoff.delay(attempts))

    def _wanted(self, record: ConsumerRecord, envelope: event_envelope_pb2.EventEnvelope) -> bool:
        """Whether `handle` acts on the event's type; the others are passed over without a processed-id row
        (there is nothing to apply twice)."""
        if self.handles is None or envelope.event_type in self.handles:
            return True
        EVENTS_CONSUMED.labels(self.group_id, record.topic, "ignored").inc()
        return False

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
                first_time = await session.scalar(self._claim, {"ids": [uuid.UUID(envelope.event_id)]})
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
                    # Never the message: it can quote the event's data (safe_error).
                    DLQ_ERROR_MESSAGE: safe_error(error)[:1000],
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
                log.warning("dead-letter publish failed", topic=topic, error=safe_error(exc))
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
            error=safe_error(error),
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


@contextlib.contextmanager
def _within(carried: trace.SpanContext | None) -> Iterator[None]:
    """A batched record's handler runs in the trace the record carries, so what it writes (outbox
    events) continues that trace; no span of its own, to keep batches cheap."""
    if carried is None:
        yield
        return
    token = otel_context.attach(trace.set_span_in_context(trace.NonRecordingSpan(carried)))
    try:
        yield
    finally:
        otel_context.detach(token)


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka is untyped: its classes are Any
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
