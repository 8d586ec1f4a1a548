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

The Kafka side (polling, dead letters, commits, lag, rebalances) is `RecordConsumer`, which `EventConsumer`
extends with the transactional apply above. A consumer whose destination keeps its own positions (the lake's
sink: each Iceberg commit records the offsets it covers) extends `RecordConsumer` directly: it applies a poll its
way and, on assignment, seeks to the positions its destination holds.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from fintech.common.v1 import event_envelope_pb2
from google.protobuf.message import DecodeError, Message
from opentelemetry import trace
from prometheus_client import Counter, Gauge
from sqlalchemy import Text, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.runtime import kafka
from services.runtime.backoff import Backoff
from services.runtime.config import Settings
from services.runtime.db import Database, processed_events
from services.runtime.event_registry import EventContractError, EventRegistry
from services.runtime.observability import request_context, safe_error
from services.runtime.outbox import default_registry

log = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)

EVENTS_CONSUMED = Counter(
    "events_consumed_total",
    "Records handled by event consumers, by outcome (applied, duplicate, ignored, dead_lettered).",
    ["consumer_group", "topic", "outcome"],
)
CONSUMER_LAG = Gauge(
    "kafka_consumer_lag_records",
    "Records on the broker this process's consumer has not yet applied, by partition it owns.",
    ["consumer_group", "topic", "partition"],
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


class RecordConsumer(abc.ABC):
    """The Kafka side of a consumer of `topics` as group `group_id`: subscribe, poll, dead letters, offset commits,
    lag and rebalances. A subclass says how a poll is applied (`_consume`) and, when its destination keeps its own
    positions, where each assigned partition resumes (`_assigned`; by default from the group's committed offset).

    `EventConsumer` applies events in PostgreSQL transactions; a consumer whose destination records the offsets it
    covers (the lake's Iceberg commits) seeks there on assignment and commits to Kafka only for the lag metrics.
    """

    def __init__(
        self,
        *,
        group_id: str,
        topics: Sequence[str],
        settings: Settings | None = None,
        registry: EventRegistry | None = None,
        consumer_factory: Callable[[], AIOKafkaConsumer] | None = None,
        producer_factory: Callable[[], AIOKafkaProducer] | None = None,
        reconnect_backoff: Backoff = RECONNECT,
        max_records: int = 100,
        batch_wait_ms: int | None = None,
    ) -> None:
        self.group_id = group_id
        self.topics = list(topics)
        self.registry = registry or default_registry()
        # batch_wait_ms: the broker holds each fetch that long (unless a MiB is waiting), for a consumer that may
        # lag a little: one batch per interval instead of one per commit upstream (fewer fetches and transactions).
        batching: dict[str, Any] = {}
        if batch_wait_ms is not None:
            batching = {"fetch_max_wait_ms": batch_wait_ms, "fetch_min_bytes": 1 << 20}
        self._consumer_factory = consumer_factory or (
            lambda: kafka.make_consumer(group_id, settings=settings, **batching)
        )
        self._producer_factory = producer_factory or (lambda: kafka.make_producer(f"{group_id}-dlq", settings=settings))
        self.reconnect_backoff = reconnect_backoff
        self.max_records = max_records
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq_producer: AIOKafkaProducer | None = None
        self._uncommitted: dict[TopicPartition, int] = {}
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._healthy = False

    # The event types (full names) `handle` acts on; None: every type. Events of other types are skipped
    # before the transaction, so they cost no processed-id row.
    handles: frozenset[str] | None = None

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
                    await self._record_lag(consumer)
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

    @abc.abstractmethod
    async def _consume(self, consumer: AIOKafkaConsumer, batches: Batches) -> None:
        """Apply one poll (possibly empty), marking in `_uncommitted` the offsets whose effect is durable."""

    async def _assigned(self, consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]) -> None:
        """Partitions just assigned: by default they resume from the group's committed offsets."""
        return

    async def _revoked(self, partitions: Sequence[TopicPartition]) -> None:
        """Partitions about to move to another consumer, after what was applied on them is committed."""
        return

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
            consumer.subscribe(self.topics, listener=_CommitOnRevoke(self, consumer))
            try:
                await consumer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await consumer.stop()
                raise
            self._consumer = consumer
        return self._consumer

    async def _record_lag(self, consumer: AIOKafkaConsumer) -> None:
        """The broker's end of each owned partition (as of the last fetch) minus where this consumer is."""
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is not None:  # known once the partition was fetched; then the position is too
                lag = highwater - await consumer.position(tp)
                CONSUMER_LAG.labels(self.group_id, tp.topic, str(tp.partition)).set(max(lag, 0))

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


class EventConsumer(RecordConsumer):
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
        batch_wait_ms: int | None = None,
    ) -> None:
        super().__init__(
            group_id=group_id,
            topics=topics,
            settings=settings,
            registry=registry,
            consumer_factory=consumer_factory,
            producer_factory=producer_factory,
            reconnect_backoff=reconnect_backoff,
            max_records=max_records,
            batch_wait_ms=batch_wait_ms,
        )
        self.database = database
        self.max_attempts = max_attempts
        self.retry_backoff = retry_backoff
        # A batch's ids in one statement; an array parameter keeps its SQL (and prepared statement) one.
        ids = func.unnest(bindparam("ids", type_=ARRAY(UUID(as_uuid=True))))
        self._claim = (
            insert(processed_events)
            .from_select(["consumer_group", "event_id"], select(literal(group_id, Text), ids))
            .on_conflict_do_nothing()
            .returning(processed_events.c.event_id)
        )

    @abc.abstractmethod
    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        """Apply one event; runs in the transaction that records it as processed. Raise to retry."""

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
        done: list[event_envelope_pb2.EventEnvelope] = []
        with self._batch_span(decoded):
            async with self.database.transaction() as session:
                ids = list(dict.fromkeys(uuid.UUID(envelope.event_id) for _, envelope, _, _ in decoded))
                first_time = set(await session.scalars(self._claim, {"ids": ids}))
                for record, envelope, event, carried in decoded:
                    event_id = uuid.UUID(envelope.event_id)
                    applied = event_id in first_time
                    if applied:
                        first_time.discard(event_id)  # a duplicate within the batch is applied once
                        with self._record_span(record, envelope, carried), request_context(envelope.correlation_id):
                            await self.handle(session, envelope, event)
                        done.append(envelope)
                    key = (record.topic, "applied" if applied else "duplicate")
                    outcomes[key] = outcomes.get(key, 0) + 1
        for (topic, outcome), count in outcomes.items():
            EVENTS_CONSUMED.labels(self.group_id, topic, outcome).inc(count)
        self._log_applied(done)
        return undecodable

    def _log_applied(self, done: Sequence[event_envelope_pb2.EventEnvelope]) -> None:
        """After the commit, one line per request id whose events were applied, under that id: a request's id
        finds the work its events did in every consumer, as it finds its calls. Per request, not per event: a
        payment's events mostly arrive in one batch, and every line costs CPU here, in rsyslog and in the store."""
        by_request: dict[str, list[str]] = {}
        for envelope in done:
            by_request.setdefault(envelope.correlation_id, []).append(envelope.event_type.rsplit(".", 1)[-1])
        for request_id, event_types in by_request.items():
            with request_context(request_id):
                log.info("events.applied", group=self.group_id, event_types=event_types)

    def _record_span(
        self, record: ConsumerRecord, envelope: event_envelope_pb2.EventEnvelope, carried: trace.SpanContext | None
    ) -> contextlib.AbstractContextManager[object]:
        """A batched record's handler runs in a span of its own, a child of the record's publish span: the trace
        of the request that wrote the event goes on into every consumer group (a link from the batch's span
        alone ends it at the publish), and what the handler writes (outbox events) continues it. Applied records
        only; a record that carries no trace gets none (its handler runs in the batch's span)."""
        if carried is None:
            return contextlib.nullcontext()
        return tracer.start_as_current_span(
            f"{record.topic} process",
            context=trace.set_span_in_context(trace.NonRecordingSpan(carried)),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": record.topic,
                "messaging.consumer.group.name": self.group_id,
                "messaging.message.id": envelope.event_id,
                "fintech.event_type": envelope.event_type,
            },
        )

    def _batch_span(self, decoded: list[Decoded]) -> contextlib.AbstractContextManager[trace.Span]:
        """One span per batch, linked to the traces its records carry (OpenTelemetry's messaging conventions
        for batches: a batch has many parents, so none is its parent)."""
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
                    request_id=envelope.correlation_id,
                    attempt=attempts,
                    error=safe_error(exc),
                )
                if attempts >= self.max_attempts:
                    await self._dead_letter(record, exc, attempts=attempts)
                    return
                await self._sleep(self.retry_backoff.delay(attempts))

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
                    with request_context(envelope.correlation_id):
                        await self.handle(session, envelope, event)
        EVENTS_CONSUMED.labels(self.group_id, record.topic, "applied" if first_time else "duplicate").inc()
        if first_time is not None:
            self._log_applied([envelope])


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka is untyped: its classes are Any
    """Commits what was applied on partitions about to move, so their next owner starts after it; tells the owner
    of assignments (a consumer that keeps its positions elsewhere seeks there)."""

    def __init__(self, owner: RecordConsumer, consumer: AIOKafkaConsumer) -> None:
        self._owner = owner
        # Its own consumer: the first assignment comes while start() runs, before the owner holds it.
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: Any) -> None:
        with contextlib.suppress(Exception):
            await self._owner._commit(list(revoked))
        for tp in revoked:
            self._owner._uncommitted.pop(tp, None)
            # Its next owner reports it now.
            with contextlib.suppress(KeyError):
                CONSUMER_LAG.remove(self._owner.group_id, tp.topic, str(tp.partition))
        await self._owner._revoked(list(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._owner._assigned(self._consumer, list(assigned))
