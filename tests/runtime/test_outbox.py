"""The transactional outbox and its relay, against the mesh's real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from datetime import timedelta

import pytest
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from fintech.common.v1 import event_envelope_pb2
from fintech.payments.v1 import events_pb2
from opentelemetry import context as otel_context
from opentelemetry import trace
from prometheus_client import REGISTRY as METRICS
from sqlalchemy import func, select, update

from services.runtime import kafka, outbox
from services.runtime.backoff import Backoff
from services.runtime.db import outbox_events
from services.runtime.event_registry import EventContractError
from services.runtime.relay import OutboxRelay, PublishError
from tests.runtime.events_support import (
    REGISTRY,
    SOURCE,
    all_published,
    create_topics,
    envelope,
    event_ids,
    payment_initiated,
    read_topic,
    sample_database,
    unique,
    unpublished,
    wait_until,
)
from tests.runtime.sample_service.models import Entry

pytestmark = pytest.mark.mesh("postgres", "kafka")

TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736
STRICT_LIMIT = 2048  # max.message.bytes of a topic that refuses one of a batch's records


@pytest.fixture
async def database():
    async with sample_database() as database:
        yield database


def relay_for(database, **options) -> OutboxRelay:
    defaults = {
        "poll_interval": 0.05,
        "publish_timeout": 3.0,
        "backoff": Backoff(initial=0.1, maximum=1.0),
        "probe_interval": 0.5,
    }
    return OutboxRelay(database, **(defaults | options))


def decode(record) -> event_envelope_pb2.EventEnvelope:
    return event_envelope_pb2.EventEnvelope.FromString(record.value)


async def test_a_committed_event_is_published_with_its_key_headers_and_trace():
    topic = unique("outbox.published")
    await create_topics(topic)
    payment_id = str(uuid.uuid4())
    parent = trace.NonRecordingSpan(
        trace.SpanContext(TRACE_ID, 0x00F067AA0BA902B7, is_remote=False, trace_flags=trace.TraceFlags(1))
    )
    async with sample_database() as database:
        token = otel_context.attach(trace.set_span_in_context(parent))
        try:  # the operation that writes the event runs inside a trace
            async with database.transaction() as session:
                session.add(Entry(subject=payment_id, sequence=1))
                written = await outbox.record(
                    session, payment_initiated(payment_id), subject=payment_id, sequence=1, source=SOURCE, topic=topic
                )
        finally:
            otel_context.detach(token)
        relay = relay_for(database)
        await relay.start()
        try:
            records = await read_topic(topic, until=lambda records: len(records) >= 1)
            await wait_until(lambda: all_published(database))
            assert relay.healthy
        finally:
            await relay.stop()
    [record] = records
    assert record.key == payment_id.encode()
    assert decode(record) == written
    assert kafka.header(record.headers, kafka.EVENT_ID) == written.event_id
    assert kafka.header(record.headers, kafka.EVENT_TYPE) == "fintech.payments.v1.PaymentInitiated"
    assert written.trace_context.traceparent.startswith(f"00-{TRACE_ID:032x}-")
    # The trace continues through Kafka: the record's context belongs to the writer's trace.
    extracted = trace.get_current_span(kafka.extract_context(record.headers)).get_span_context()
    assert extracted.trace_id == TRACE_ID


async def test_a_rolled_back_transaction_publishes_nothing(database):
    topic = unique("outbox.rollback")
    await create_topics(topic)
    rolled_back = envelope(str(uuid.uuid4()))
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            session.add(Entry(subject=rolled_back.subject, sequence=1))
            await outbox.add_event(session, rolled_back, topic=topic)
            raise RuntimeError("the state change failed")
    committed = envelope(str(uuid.uuid4()))
    async with database.transaction() as session:
        await outbox.add_event(session, committed, topic=topic)

    relay = relay_for(database)
    await relay.start()
    try:
        records = await read_topic(topic, until=lambda records: committed.event_id in event_ids(records))
    finally:
        await relay.stop()
    assert event_ids(records) == [committed.event_id]
    async with database.session() as session:
        assert (await session.scalars(select(outbox_events.c.id))).all() == [uuid.UUID(committed.event_id)]


async def test_only_registered_events_get_in(database):
    forged = envelope(str(uuid.uuid4()))
    forged.event_type = "fintech.payments.v1.NotAnEvent"
    async with database.transaction() as session:
        with pytest.raises(EventContractError):
            await outbox.add_event(session, forged)
        with pytest.raises(EventContractError):
            await outbox.record(session, event_envelope_pb2.TraceContext(), subject="x", sequence=1, source=SOURCE)
    assert await unpublished(database) == 0


async def test_each_aggregate_keeps_its_order_across_two_relays(database):
    topic = unique("outbox.order")
    await create_topics(topic, partitions=3)
    aggregates = [str(uuid.uuid4()) for _ in range(4)]
    versions = 15
    for sequence in range(1, versions + 1):  # one transaction per step, the aggregates interleaved
        async with database.transaction() as session:
            for aggregate in aggregates:
                await outbox.add_event(session, envelope(aggregate, sequence), topic=topic)

    relays = [relay_for(database, name=f"relay-{n}", batch_size=7) for n in range(2)]
    for relay in relays:
        await relay.start()
    try:
        total = len(aggregates) * versions
        records = await read_topic(topic, until=lambda records: len(records) >= total)
    finally:
        for relay in relays:
            await relay.stop()
    sequences = defaultdict(list)
    for record in records:
        sequences[record.key.decode()].append(decode(record).sequence)
    assert dict(sequences) == {aggregate: list(range(1, versions + 1)) for aggregate in aggregates}


async def test_a_cycle_sends_each_partitions_rows_as_one_batch_in_order(database):
    topic = unique("outbox.batched")
    await create_topics(topic, partitions=3)
    aggregates = [str(uuid.uuid4()) for _ in range(6)]
    async with database.transaction() as session:  # a payment's three transactions, three steps of six aggregates
        for sequence in (1, 2, 3):
            await outbox.add_events(session, [envelope(aggregate, sequence) for aggregate in aggregates], topic=topic)

    relay = relay_for(database)
    producer = await relay._connect()
    batches = []
    send_batch = producer.send_batch

    async def counted(batch, topic, *, partition):
        batches.append(partition)
        return await send_batch(batch, topic, partition=partition)

    producer.send_batch = counted  # the real producer, its produce requests counted
    try:
        assert await relay.publish_batch() == 18
    finally:
        await relay.closing()
    records = await read_topic(topic, until=lambda records: len(records) >= 18)
    # One batch per partition written to, not one send per row.
    assert sorted(batches) == sorted({record.partition for record in records})
    sequences = defaultdict(list)
    for record in records:
        sequences[record.key.decode()].append(decode(record).sequence)
    assert dict(sequences) == {aggregate: [1, 2, 3] for aggregate in aggregates}


async def test_two_relays_publish_each_row_once(database):
    topic = unique("outbox.shared")
    await create_topics(topic)
    written = []
    async with database.transaction() as session:
        for _ in range(200):
            event = envelope(str(uuid.uuid4()))
            await outbox.add_event(session, event, topic=topic)
            written.append(event.event_id)

    relays = [relay_for(database, name=f"relay-{n}", batch_size=10) for n in range(2)]
    await asyncio.gather(*(relay.start() for relay in relays))
    try:
        records = await read_topic(topic, until=lambda records: len(records) >= len(written), settle=2.0)
        await wait_until(lambda: all_published(database))
    finally:
        for relay in relays:
            await relay.stop()
    assert sorted(event_ids(records)) == sorted(written)


async def test_a_batch_marks_published_exactly_the_rows_kafka_acknowledged(database):
    roomy, strict = unique("outbox.roomy"), unique("outbox.strict")
    await create_topics(roomy)
    # The broker refuses a record larger than its topic's max.message.bytes: one row of the batch is not
    # acknowledged, for as long as the topic stays so, while the others are.
    await create_topics(strict, partitions=1, configs={"max.message.bytes": str(STRICT_LIMIT)})
    accepted = [envelope(str(uuid.uuid4())) for _ in range(3)]
    subject = str(uuid.uuid4())
    too_large = REGISTRY.wrap(
        events_pb2.PaymentInitiated(payment_id=subject, initiated_by="x" * 4 * STRICT_LIMIT),
        subject=subject,
        sequence=1,
        source=SOURCE,
    )
    behind = envelope(subject, 2)  # the same aggregate after the refused row: it waits for it
    async with database.transaction() as session:  # the refused rows between acknowledged ones
        await outbox.add_events(session, accepted[:2], topic=roomy)
        await outbox.add_events(session, [too_large, behind], topic=strict)
        await outbox.add_events(session, accepted[2:], topic=roomy)

    relay = relay_for(database)
    try:  # one cycle, the whole outbox in its batch
        with pytest.raises(PublishError, match="MessageSizeTooLarge"):
            await relay.publish_batch()
    finally:
        await relay.closing()
    rows = await _rows(database)
    published = {row_id for row_id, row in rows.items() if row.published_at is not None}
    assert published == {_id(event) for event in accepted}
    assert rows[_id(too_large)].attempts == 1 and "MessageSizeTooLarge" in rows[_id(too_large)].last_error
    assert rows[_id(behind)].attempts == 0  # never sent while the row before it is refused
    acknowledged = await read_topic(roomy, until=lambda records: len(records) >= len(accepted))
    assert sorted(event_ids(acknowledged)) == sorted(event.event_id for event in accepted)

    # Once the topic takes it, the relay delivers the rows it kept, in order, and the others not again.
    await _set_max_message_bytes(strict, 1_048_588)
    await relay.start()
    try:
        await wait_until(lambda: all_published(database))
    finally:
        await relay.stop()
    kept = await read_topic(strict, until=lambda records: len(records) >= 2)
    assert event_ids(kept) == [too_large.event_id, behind.event_id]
    again = await read_topic(roomy, until=lambda records: len(records) >= len(accepted))
    assert sorted(event_ids(again)) == sorted(event.event_id for event in accepted)  # none a second time


async def test_rows_stay_unpublished_until_kafka_acknowledges_them(database, mesh):
    topic = unique("outbox.unacked")
    await create_topics(topic)
    relay = relay_for(database, probe_interval=3600)
    await relay.start()
    try:
        # A first event through: the producer knows the topic's partitions, so once Kafka is gone the next
        # records are queued at once and only their acknowledgement is missing.
        first = envelope(str(uuid.uuid4()))
        async with database.transaction() as session:
            await outbox.add_event(session, first, topic=topic)
        await wait_until(lambda: all_published(database))
        await asyncio.to_thread(mesh.stop, "kafka")
        try:
            events = [envelope(str(uuid.uuid4())) for _ in range(3)]
            async with database.transaction() as session:
                await outbox.add_events(session, events, topic=topic)
            # Until the relay has dealt with every row, either way; none may then be marked published.
            rows = await wait_until(lambda: _tried(database, events))
            assert [row.published_at for row in rows] == [None] * len(events)
            assert all(row.last_error for row in rows)
        finally:
            await asyncio.to_thread(mesh.start, "kafka")
        await wait_until(lambda: all_published(database), timeout=60)
        records = await read_topic(topic, until=lambda records: len(records) >= 1 + len(events), settle=2.0)
    finally:
        await relay.stop()
    assert sorted(event_ids(records)) == sorted(event.event_id for event in [first, *events])


def _id(event: event_envelope_pb2.EventEnvelope) -> uuid.UUID:
    return uuid.UUID(event.event_id)


async def _rows(database) -> dict:
    async with database.session() as session:
        return {row.id: row for row in (await session.execute(select(outbox_events))).all()}


async def _tried(database, events) -> list | None:
    """The rows of `events` once each is published or has a failed attempt, else None."""
    rows = await _rows(database)
    mine = [rows[_id(event)] for event in events]
    return mine if all(row.published_at is not None or row.attempts >= 1 for row in mine) else None


async def _set_max_message_bytes(topic: str, limit: int) -> None:
    admin = kafka.make_admin("runtime-tests")
    await admin.start()
    try:
        [response] = await admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, configs={"max.message.bytes": str(limit)})]
        )
        assert all(code == 0 for code, *_ in response.resources), response
    finally:
        await admin.close()


async def test_an_event_written_while_kafka_is_down_is_delivered_once_when_it_returns(database, mesh):
    topic = unique("outbox.outage")
    await create_topics(topic)
    # No idle probe: the relay learns of the outage by publishing into it, the path that must not
    # lose the row nor let an abandoned send deliver it a second time later.
    relay = relay_for(database, probe_interval=3600)
    await relay.start()
    try:
        await wait_until(lambda: relay.healthy)
        await asyncio.to_thread(mesh.stop, "kafka")
        try:
            event = envelope(str(uuid.uuid4()))
            async with database.transaction() as session:
                session.add(Entry(subject=event.subject, sequence=1))
                await outbox.add_event(session, event, topic=topic)

            # The relay tries, fails, records why and keeps the row.
            row = await wait_until(lambda: _failed_row(database))
            assert row.published_at is None and row.last_error
            assert not relay.healthy
            count, age = await relay.refresh_metrics()
            assert count == 1 and age > 0
            assert METRICS.get_sample_value("outbox_pending_events") == 1
        finally:
            await asyncio.to_thread(mesh.start, "kafka")

        await wait_until(lambda: all_published(database), timeout=60)
        records = await read_topic(topic, until=lambda records: event.event_id in event_ids(records), settle=2.0)
        await wait_until(lambda: relay.healthy)
    finally:
        await relay.stop()
    assert event_ids(records) == [event.event_id]
    assert (await relay.refresh_metrics())[0] == 0


async def _failed_row(database):
    async with database.session() as session:
        row = (await session.execute(select(outbox_events))).one_or_none()
    return row if row is not None and row.attempts >= 1 else None


async def test_purge_deletes_only_rows_published_before_the_retention(database):
    old, recent, waiting = (envelope(str(uuid.uuid4())) for _ in range(3))
    async with database.transaction() as session:
        for event in (old, recent, waiting):
            await outbox.add_event(session, event)
        for event, published in ((old, func.now() - timedelta(days=8)), (recent, func.now())):
            await session.execute(
                update(outbox_events)
                .where(outbox_events.c.id == uuid.UUID(event.event_id))
                .values(published_at=published)
            )
    async with database.transaction() as session:
        assert await outbox.purge_published(session, timedelta(days=7)) == 1
    async with database.session() as session:
        left = set((await session.scalars(select(outbox_events.c.id))).all())
    assert left == {uuid.UUID(recent.event_id), uuid.UUID(waiting.event_id)}


async def test_a_commit_wakes_the_relay_of_its_process_long_before_its_next_poll(database):
    topic = unique("outbox.wake")
    await create_topics(topic)
    relay = relay_for(database, poll_interval=60.0)
    await relay.start()
    try:
        await wait_until(lambda: relay.healthy)
        await asyncio.sleep(0.5)  # its first cycle found nothing: it waits for the next poll
        written = envelope(str(uuid.uuid4()))
        async with database.transaction() as session:
            await outbox.add_event(session, written, topic=topic)
        started = asyncio.get_running_loop().time()
        records = await read_topic(topic, until=lambda records: written.event_id in event_ids(records))
        waited = asyncio.get_running_loop().time() - started
    finally:
        await relay.stop()
    assert event_ids(records) == [written.event_id]
    assert waited < 30.0  # published on the commit's signal, not after the 60 s poll
