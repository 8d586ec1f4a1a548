"""Idempotent consumers, retries and the dead-letter topic, against the mesh's real PostgreSQL and Kafka."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from aiokafka import TopicPartition
from fintech.common.v1 import event_envelope_pb2
from fintech.payments.v1 import events_pb2
from opentelemetry import trace
from prometheus_client import REGISTRY as METRICS
from sqlalchemy import func, select

from services.runtime import consumer as consumer_module
from services.runtime import kafka, outbox
from services.runtime.backoff import Backoff
from services.runtime.consumer import EventConsumer, event_types
from services.runtime.db import processed_events
from services.runtime.relay import OutboxRelay
from tests.features.support import counting
from tests.runtime.events_support import (
    REGISTRY,
    SOURCE,
    create_topics,
    envelope,
    payment_initiated,
    read_topic,
    sample_database,
    unique,
    wait_until,
)
from tests.runtime.sample_service.models import Entry

pytestmark = pytest.mark.mesh("postgres", "kafka")

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Recorder(EventConsumer):
    """Applies an event as one `sample_entries` row; fails for the subjects it is told to."""

    def __init__(self, database, *, failures: dict[str, int] | None = None, **options):
        options.setdefault("retry_backoff", Backoff(initial=0.05, maximum=0.2))
        super().__init__(database, **options)
        self.failures = dict(failures or {})  # subject -> how many times to fail (-1: always)
        self.calls: Counter[str] = Counter()
        self.trace_ids: dict[str, int] = {}

    async def handle(self, session, envelope, event):
        self.calls[envelope.event_id] += 1
        self.trace_ids[envelope.event_id] = trace.get_current_span().get_span_context().trace_id
        remaining = self.failures.get(envelope.subject, 0)
        if remaining:
            self.failures[envelope.subject] = remaining - 1
            raise RuntimeError(f"cannot apply {envelope.subject}")
        session.add(Entry(event_id=uuid.UUID(envelope.event_id), subject=envelope.subject, sequence=envelope.sequence))


@pytest.fixture
async def database():
    async with sample_database() as database:
        yield database


@pytest.fixture
async def producer():
    producer = kafka.make_producer("runtime-tests")
    await producer.start()
    yield producer
    await producer.stop()


async def publish(producer, topic, event, *, key: bytes | None = None):
    """Publish an envelope (with the outbox's headers) or raw bytes; returns the record's metadata."""
    value = event if isinstance(event, bytes) else event.SerializeToString()
    headers = [] if isinstance(event, bytes) else kafka.encode_headers(outbox.record_headers(event))
    key = key or event.subject.encode()
    return await producer.send_and_wait(topic, value=value, key=key, headers=headers)


async def run_until(recorder: EventConsumer, check) -> None:
    """Run the consumer until `check()` holds, then stop it."""
    await recorder.start()
    try:
        await wait_until(check)
    finally:
        await recorder.stop()


async def entries(database, event_id: str) -> int:
    async with database.session() as session:
        return await session.scalar(
            select(func.count()).select_from(Entry).where(Entry.event_id == uuid.UUID(event_id))
        )


async def test_an_event_delivered_twice_is_applied_once_and_offsets_are_committed(database, producer):
    topic = unique("consumer.dedupe")
    await create_topics(topic, kafka.dlq_topic(topic))
    twice = envelope(str(uuid.uuid4()), trace_context=event_envelope_pb2.TraceContext(traceparent=TRACEPARENT))
    once = envelope(str(uuid.uuid4()))
    for event in (twice, twice, once):  # the same envelope published twice, as a relay retry would
        await publish(producer, topic, event)

    group = unique("dedupe")
    recorder = Recorder(database, group_id=group, topics=[topic])
    await recorder.start()
    try:
        await wait_until(lambda: entries(database, once.event_id))
        assert recorder.healthy
    finally:
        await recorder.stop()
    assert await entries(database, twice.event_id) == 1
    assert recorder.calls == {twice.event_id: 1, once.event_id: 1}
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(processed_events)) == 2
    # The handler ran inside the trace the event carried.
    assert recorder.trace_ids[twice.event_id] == int(TRACEPARENT.split("-")[1], 16)

    # The group committed its offsets: a new member starts after what was applied.
    later = envelope(str(uuid.uuid4()))
    await publish(producer, topic, later)
    successor = Recorder(database, group_id=group, topics=[topic])
    await run_until(successor, lambda: entries(database, later.event_id))
    assert successor.calls == {later.event_id: 1}


async def test_a_transient_handler_failure_is_retried_and_applied_once(database, producer):
    topic = unique("consumer.retry")
    await create_topics(topic, kafka.dlq_topic(topic))
    event = envelope(str(uuid.uuid4()))
    await publish(producer, topic, event)
    recorder = Recorder(database, group_id=unique("retry"), topics=[topic], failures={event.subject: 2})
    await run_until(recorder, lambda: entries(database, event.event_id))
    assert recorder.calls[event.event_id] == 3
    assert await entries(database, event.event_id) == 1


async def test_poison_messages_go_to_the_dead_letter_topic_and_the_consumer_moves_on(database, producer):
    topic = unique("consumer.poison")
    dlq = kafka.dlq_topic(topic)
    await create_topics(topic, dlq)
    key = b"one-partition"  # the same key: the good event comes after both poison messages
    failing = envelope(str(uuid.uuid4()))
    good = envelope(str(uuid.uuid4()))
    partition = (await publish(producer, topic, b"\xffnot an envelope", key=key)).partition
    await publish(producer, topic, failing, key=key)
    await publish(producer, topic, good, key=key)

    group = unique("poison")
    recorder = Recorder(database, group_id=group, topics=[topic], max_attempts=3, failures={failing.subject: -1})
    dead_lettered_before = _dead_lettered(group, topic)
    await run_until(recorder, lambda: entries(database, good.event_id))
    dead = await read_topic(dlq, until=lambda records: len(records) >= 2)

    # Its batch's attempt, then bounded retries on its own, then given up.
    assert recorder.calls[failing.event_id] == 1 + 3
    assert await entries(database, failing.event_id) == 0
    assert [record.value for record in dead] == [b"\xffnot an envelope", failing.SerializeToString()]
    undecodable, unappliable = ({name: kafka.header(r.headers, name) for name, _ in r.headers} for r in dead)
    assert undecodable[consumer_module.DLQ_ERROR_CLASS] == "google.protobuf.message.DecodeError"
    assert undecodable[consumer_module.DLQ_ATTEMPTS] == "1"
    assert unappliable[consumer_module.DLQ_ERROR_CLASS] == "builtins.RuntimeError"
    # The class and where it was raised, never the message (it may hold personal data: observability.safe_error).
    assert unappliable[consumer_module.DLQ_ERROR_MESSAGE].startswith("RuntimeError at tests/runtime/test_consumer.py:")
    assert failing.subject not in unappliable[consumer_module.DLQ_ERROR_MESSAGE]
    assert unappliable[consumer_module.DLQ_ATTEMPTS] == "3"
    assert unappliable[kafka.EVENT_ID] == failing.event_id  # the original headers travel along
    for headers, offset in ((undecodable, 0), (unappliable, 1)):
        assert headers[consumer_module.DLQ_ORIGINAL_TOPIC] == topic
        assert headers[consumer_module.DLQ_ORIGINAL_OFFSET] == str(offset)
        assert headers[consumer_module.DLQ_ORIGINAL_PARTITION] == str(partition)
        assert headers[consumer_module.DLQ_CONSUMER_GROUP] == group
    assert _dead_lettered(group, topic) - dead_lettered_before == 2


def _dead_lettered(group: str, topic: str) -> float:
    labels = {"consumer_group": group, "topic": topic, "outcome": "dead_lettered"}
    return METRICS.get_sample_value("events_consumed_total", labels) or 0.0


async def test_an_event_travels_from_one_service_outbox_to_another_service_once(database):
    topic = unique("consumer.end-to-end")
    await create_topics(topic, kafka.dlq_topic(topic))
    payment_id = str(uuid.uuid4())
    async with sample_database() as producing_service:
        async with producing_service.transaction() as session:
            session.add(Entry(subject=payment_id, sequence=1))
            written = await outbox.record(
                session,
                payment_initiated(payment_id),
                subject=payment_id,
                sequence=1,
                source=SOURCE,
                topic=topic,
                trace_context=event_envelope_pb2.TraceContext(traceparent=TRACEPARENT),
            )
        relay = OutboxRelay(producing_service, poll_interval=0.05)
        recorder = Recorder(database, group_id=unique("end-to-end"), topics=[topic])
        await relay.start()
        await recorder.start()
        try:
            await wait_until(lambda: entries(database, written.event_id))
        finally:
            await recorder.stop()
            await relay.stop()
    assert recorder.calls == {written.event_id: 1}
    # One trace from the writing operation, through the relay's publish, into the consumer's handler.
    assert recorder.trace_ids[written.event_id] == int(TRACEPARENT.split("-")[1], 16)


async def poll(recorder: EventConsumer, count: int) -> dict[TopicPartition, list]:
    """The next `count` records of the recorder's topics, polled by its own consumer, as one poll (so
    that what the test hands `_consume` is one batch, whatever Kafka's fetches returned)."""
    consumer = await recorder._connect()
    batches: dict[TopicPartition, list] = {}
    for _ in range(150):
        for tp, records in (await consumer.getmany(timeout_ms=200)).items():
            batches.setdefault(tp, []).extend(records)
        if sum(map(len, batches.values())) >= count:
            break
    assert sum(map(len, batches.values())) == count
    return batches


def _consumed(group: str, topic: str, outcome: str) -> float:
    labels = {"consumer_group": group, "topic": topic, "outcome": outcome}
    return METRICS.get_sample_value("events_consumed_total", labels) or 0.0


async def test_a_poll_is_applied_in_one_transaction_and_each_event_once(database, producer):
    topic = unique("consumer.batch")
    await create_topics(topic, kafka.dlq_topic(topic))
    group = unique("batch")
    recorder = Recorder(database, group_id=group, topics=[topic])
    earlier, first, second, third = (
        envelope(str(uuid.uuid4()), trace_context=event_envelope_pb2.TraceContext(traceparent=TRACEPARENT))
        for _ in range(4)
    )
    try:
        await publish(producer, topic, earlier)
        consumer = await recorder._connect()
        await recorder._consume(consumer, await poll(recorder, 1))
        await recorder._commit()

        # Three new events over the partitions, one twice, the earlier one again, a record that is no event.
        for event in (first, second, second, third, earlier, b"\xffnot an envelope"):
            await publish(producer, topic, event, key=b"poison" if isinstance(event, bytes) else None)
        batches = await poll(recorder, 6)
        applied, duplicates = (_consumed(group, topic, outcome) for outcome in ("applied", "duplicate"))
        committed = {tp: await consumer.committed(tp) for tp in batches}
        with counting(database) as counts:
            await recorder._consume(consumer, batches)
        # One transaction: one insert of the batch's ids, one of the handlers' rows (flushed at commit).
        assert (len(counts.statements), counts.begins, counts.commits) == (2, 1, 1)
        assert recorder.calls == {e.event_id: 1 for e in (earlier, first, second, third)}
        for event in (earlier, first, second, third):
            assert await entries(database, event.event_id) == 1
        assert _consumed(group, topic, "applied") - applied == 3
        assert _consumed(group, topic, "duplicate") - duplicates == 2
        # Each handler ran in the trace its event carried.
        assert set(recorder.trace_ids.values()) == {int(TRACEPARENT.split("-")[1], 16)}
        dead = await read_topic(kafka.dlq_topic(topic), until=lambda records: len(records) >= 1)
        assert [record.value for record in dead] == [b"\xffnot an envelope"]

        # Offsets are committed after the batch was applied (by the loop, after `_consume`), past all of it.
        assert {tp: await consumer.committed(tp) for tp in batches} == committed
        await recorder._commit()
        assert {tp: await consumer.committed(tp) for tp in batches} == {
            tp: records[-1].offset + 1 for tp, records in batches.items()
        }
    finally:
        await recorder._close()


async def test_a_failing_batch_is_applied_record_by_record_and_offsets_stop_before_what_failed(database, producer):
    topic = unique("consumer.fallback")
    await create_topics(topic, kafka.dlq_topic(topic), partitions=1)
    before, failing, after = (envelope(str(uuid.uuid4())) for _ in range(3))
    for event in (before, failing, after):
        await publish(producer, topic, event)
    group = unique("fallback")
    recorder = Recorder(database, group_id=group, topics=[topic], max_attempts=1000, failures={failing.subject: -1})
    # Stopped while the failing event is retried on its own. The batch was rolled back; on their own,
    # the event before the failing one was applied, the one after it waits.
    await run_until(recorder, lambda: recorder.calls[failing.event_id] >= 3)
    assert recorder.calls[after.event_id] == 0
    assert [await entries(database, e.event_id) for e in (before, failing, after)] == [1, 0, 0]

    # The group's offset stops at the failing event: a successor applies it and what follows, once.
    successor = Recorder(database, group_id=group, topics=[topic])
    await run_until(successor, lambda: entries(database, after.event_id))
    assert successor.calls == {failing.event_id: 1, after.event_id: 1}
    assert [await entries(database, e.event_id) for e in (before, failing, after)] == [1, 1, 1]


class InitiationsOnly(Recorder):
    handles = event_types(events_pb2.PaymentInitiated)


async def test_events_of_types_the_consumer_does_not_handle_cost_no_processed_id(database, producer):
    topic = unique("consumer.handles")
    await create_topics(topic, kafka.dlq_topic(topic))
    group = unique("handles")
    recorder = InitiationsOnly(database, group_id=group, topics=[topic])
    initiated = envelope(str(uuid.uuid4()))
    screened = REGISTRY.wrap(events_pb2.PaymentScreened(payment_id=initiated.subject), subject=initiated.subject,
                             sequence=2, source=SOURCE)  # fmt: skip
    try:
        for event in (initiated, screened):
            await publish(producer, topic, event)
        consumer = await recorder._connect()
        ignored = _consumed(group, topic, "ignored")
        await recorder._consume(consumer, await poll(recorder, 2))
        assert recorder.calls == {initiated.event_id: 1}
        assert _consumed(group, topic, "ignored") - ignored == 1
        async with database.session() as session:
            claimed = set(await session.scalars(select(processed_events.c.event_id)))
        assert claimed == {uuid.UUID(initiated.event_id)}
    finally:
        await recorder._close()
