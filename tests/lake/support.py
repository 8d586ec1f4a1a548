"""What Kafka holds and what the lake holds, read independently of the sink."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from fintech.common.v1 import event_envelope_pb2
from google.protobuf.message import DecodeError

from services.lake.adapters.catalog import open_catalog, table_name, topic_of
from services.runtime.config import Settings
from services.runtime.event_registry import EventContractError, EventRegistry

# (partition, offset, event id) of one record.
Record = tuple[int, int, str]


@dataclass(frozen=True)
class Comparison:
    kafka: list[Record]
    lake: list[Record]

    @property
    def missing(self) -> set[Record]:
        return set(self.kafka) - set(self.lake)

    @property
    def extra(self) -> set[Record]:
        return set(self.lake) - set(self.kafka)

    @property
    def repeated(self) -> dict[Record, int]:
        return {record: n for record, n in Counter(self.lake).items() if n > 1}

    @property
    def exact(self) -> bool:
        return not self.missing and not self.extra and not self.repeated


def kafka_records(settings: Settings, domain: str) -> list[Record]:
    """Every event record now on the domain's topic, read from the beginning without a consumer group
    (records that are no event of the contracts go to the dead-letter topic, not to the lake)."""
    registry = EventRegistry.discover()

    async def read() -> list[Record]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka.bootstrap_servers,
            enable_auto_commit=False,
            isolation_level="read_committed",
            client_id="lake-test-reader",
        )
        await consumer.start()
        try:
            topic = topic_of(domain)
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            if not partitions:
                await consumer._client.force_metadata_update()  # noqa: SLF001 (first use of the topic)
                partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            found: list[Record] = []
            while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
                for records in (await consumer.getmany(*partitions, timeout_ms=1000)).values():
                    for record in records:
                        if record.offset >= ends[TopicPartition(record.topic, record.partition)]:
                            continue
                        try:
                            envelope = event_envelope_pb2.EventEnvelope.FromString(record.value or b"")
                            registry.unwrap(envelope)
                        except (DecodeError, EventContractError, ValueError, TypeError):
                            continue
                        found.append((record.partition, record.offset, envelope.event_id))
            return found
        finally:
            await consumer.stop()

    return asyncio.run(read())


def lake_records(settings: Settings, domain: str) -> list[Record]:
    """Every row of events.<domain>, read through the catalog (the table's current snapshot)."""
    table = open_catalog(settings).load_table(table_name(domain))
    rows = table.scan(selected_fields=("kafka_partition", "kafka_offset", "event_id")).to_arrow().to_pylist()
    return [(row["kafka_partition"], row["kafka_offset"], row["event_id"]) for row in rows]


def compare(settings: Settings, domain: str) -> Comparison:
    return Comparison(kafka_records(settings, domain), lake_records(settings, domain))


def until(check: Callable[[], Any], timeout: float, interval: float = 2.0) -> Any:
    """`check()` once it is truthy; its last value when `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
