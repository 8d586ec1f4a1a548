"""What Kafka holds of a topic, for the reconciliation: its partitions' offsets, the records the lake's sink
dead-lettered, and, where offsets have gaps, the records actually there.

A topic's offsets are dense when its producers are idempotent but not transactional and nothing compacts it (the
outbox relays: `cleanup.policy=delete`), so a partition's records in [start, end) are `end - start`. Transaction
markers and compaction leave gaps; `count_records` reads the range (read_committed: no markers, no aborted
records) when the dense count does not match, so a gap is never reported as a lost event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.lake.domain.reconciliation import PartitionWindow
from services.runtime import kafka
from services.runtime.config import Settings
from services.runtime.consumer import DLQ_CONSUMER_GROUP as GROUP
from services.runtime.consumer import DLQ_ORIGINAL_OFFSET as OFFSET
from services.runtime.consumer import DLQ_ORIGINAL_PARTITION as PARTITION
from services.runtime.consumer import DLQ_ORIGINAL_TOPIC as TOPIC

POLL_MS = 500
READ_TIMEOUT = 30.0


class KafkaRecords:
    """A group-less reader (nothing committed, no rebalance): started per reconciliation run."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._consumer: AIOKafkaConsumer | None = None
        self._admin: AIOKafkaAdminClient | None = None

    async def __aenter__(self) -> KafkaRecords:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka.bootstrap_servers, client_id="lake-reconciliation",
            group_id=None, enable_auto_commit=False, isolation_level="read_committed", request_timeout_ms=10_000,
        )  # fmt: skip
        self._admin = kafka.make_admin("lake-reconciliation", settings=self._settings)
        await self._consumer.start()
        await self._admin.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()
        admin, self._admin = self._admin, None
        if admin is not None:
            await admin.close()

    @property
    def consumer(self) -> AIOKafkaConsumer:
        assert self._consumer is not None, "use KafkaRecords as an async context manager"
        return self._consumer

    async def partitions(self, topic: str) -> list[TopicPartition]:
        """The topic's partitions (none when it does not exist)."""
        assert self._admin is not None, "use KafkaRecords as an async context manager"
        (described,) = await self._admin.describe_topics([topic])
        if described["error_code"] != 0:
            return []
        return [
            TopicPartition(topic, p["partition"]) for p in sorted(described["partitions"], key=lambda p: p["partition"])
        ]

    async def offsets(self, topic: str) -> tuple[dict[int, int], dict[int, int]]:
        """(oldest retained offset, next offset) per partition."""
        parts = await self.partitions(topic)
        if not parts:
            return {}, {}
        starts = await self.consumer.beginning_offsets(parts)
        ends = await self.consumer.end_offsets(parts)
        return {tp.partition: starts[tp] for tp in parts}, {tp.partition: ends[tp] for tp in parts}

    async def count_records(self, topic: str, window: PartitionWindow) -> int:
        """The records really in one partition's window (read, not computed)."""
        return sum(1 for _ in await self._read(TopicPartition(topic, window.partition), window.start, window.end))

    async def dead_lettered(self, topic: str, group: str, partition_windows: Iterable[PartitionWindow]) -> int:
        """The records of `topic` inside the windows that `group` sent to the topic's dead-letter twin, each once (a
        sink that died before its commit dead-letters the same record again after its restart)."""
        by_partition = {w.partition: w for w in partition_windows}
        dlq = kafka.dlq_topic(topic)
        starts, ends = await self.offsets(dlq)
        originals: set[tuple[int, int]] = set()
        for partition, end in ends.items():
            for headers in await self._read(TopicPartition(dlq, partition), starts[partition], end):
                if kafka.header(headers, GROUP) != group or kafka.header(headers, TOPIC) != topic:
                    continue
                original = int(kafka.header(headers, PARTITION) or -1), int(kafka.header(headers, OFFSET) or -1)
                if (window := by_partition.get(original[0])) and window.holds(original[1]):
                    originals.add(original)
        return len(originals)

    async def _read(self, tp: TopicPartition, start: int, end: int) -> list[Any]:
        """The headers of the records of `tp` in [start, end)."""
        if end <= start:
            return []
        consumer = self.consumer
        consumer.assign([tp])
        consumer.seek(tp, start)
        found: list[Any] = []
        deadline = asyncio.get_running_loop().time() + READ_TIMEOUT
        while True:
            batch: Mapping[TopicPartition, list[Any]] = await consumer.getmany(tp, timeout_ms=POLL_MS)
            records = batch.get(tp, [])
            found += [record.headers for record in records if record.offset < end]
            if (records and records[-1].offset >= end - 1) or await consumer.position(tp) >= end:
                return found
            if asyncio.get_running_loop().time() > deadline:  # an open transaction holds the range back
                raise TimeoutError(f"{tp.topic}[{tp.partition}] not readable up to offset {end}")
