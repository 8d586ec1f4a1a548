"""What the reconciliation counts of Kafka, against the real broker: offsets whose span is not the records (a
transaction's marker, an aborted transaction's records) are counted by reading, and the dead letters of the lake's
sink within the window are counted once each."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaProducer

from services.lake.adapters.kafka_records import KafkaRecords
from services.lake.domain.reconciliation import PartitionWindow, windows
from services.runtime import kafka
from services.runtime.config import Settings
from services.runtime.consumer import (
    DLQ_CONSUMER_GROUP,
    DLQ_ORIGINAL_OFFSET,
    DLQ_ORIGINAL_PARTITION,
    DLQ_ORIGINAL_TOPIC,
)

pytestmark = pytest.mark.mesh("kafka")


async def _topic(settings: Settings, name: str) -> None:
    admin = kafka.make_admin(settings=settings)
    await admin.start()
    try:
        await kafka.ensure_topics(admin, [name], partitions=1)
    finally:
        await admin.close()


async def test_transaction_markers_and_aborted_records_are_no_events(settings: Settings):
    topic = f"test.reconciliation.{uuid.uuid4().hex[:8]}"
    await _topic(settings, topic)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, transactional_id=topic)
    await producer.start()
    try:
        async with producer.transaction():
            for index in range(3):
                await producer.send_and_wait(topic, f"kept-{index}".encode(), partition=0)
        await producer.begin_transaction()
        await producer.send_and_wait(topic, b"aborted", partition=0)
        await producer.abort_transaction()
    finally:
        await producer.stop()

    async with KafkaRecords(settings) as records:
        retained, ends = await records.offsets(topic)
        assert retained == {0: 0} and ends == {0: 6}  # 3 records, a commit marker, 1 aborted record, an abort marker
        (window,) = windows(retained, ends)
        assert window.span == 6
        assert await records.count_records(topic, window) == 3
        assert await records.count_records(topic, PartitionWindow(0, 1, 3)) == 2


async def test_the_sinks_dead_letters_in_the_window_count_once(settings: Settings):
    topic = f"test.reconciliation.{uuid.uuid4().hex[:8]}"
    await _topic(settings, kafka.dlq_topic(topic))
    producer = kafka.make_producer("test-dead-letters", settings=settings)
    await producer.start()
    try:
        for group, partition, offset in [("sink", 0, 4), ("sink", 0, 4), ("sink", 0, 9), ("sink", 1, 2),
                                         ("other", 0, 5), ("sink", 0, 10)]:  # fmt: skip
            original = {
                DLQ_ORIGINAL_TOPIC: topic,
                DLQ_ORIGINAL_PARTITION: str(partition),
                DLQ_ORIGINAL_OFFSET: str(offset),
            }
            headers = kafka.encode_headers({DLQ_CONSUMER_GROUP: group, **original})
            await producer.send_and_wait(kafka.dlq_topic(topic), b"poison", headers=headers)
    finally:
        await producer.stop()

    async with KafkaRecords(settings) as records:
        # Partition 0's window is [3, 10): offset 4 (twice) and 9; not 10 (beyond), not the other group's 5.
        assert await records.dead_lettered(topic, "sink", [PartitionWindow(0, 3, 10)]) == 2
        assert await records.dead_lettered(topic, "sink", [PartitionWindow(0, 3, 10), PartitionWindow(1, 0, 3)]) == 3
        assert await records.dead_lettered(f"{topic}.none", "sink", [PartitionWindow(0, 0, 100)]) == 0
