"""The lake sink: one consumer per domain topic appends its events to `events.<domain>`, exactly once.

Where it resumes is the table's business, not Kafka's: each Iceberg append records in its snapshot summary the
next offset of every partition it covers (domain/offsets.py). On assignment the consumer seeks there (a partition
the table has never seen starts from the oldest retained record); the offsets it commits to Kafka serve the lag
metric only. A crash between writing a data file and the commit leaves an unreferenced file and no snapshot: the
restart reads those records again and appends them once. A commit is conditional on the snapshot it started from;
if another writer moved the table on (a rebalance's previous owner), the append is recomputed against the new
snapshot, dropping the rows it already covers.

Events wait in memory until `flush_records` of them wait or the oldest has waited `flush_seconds` ([lake]): one
append writes one Parquet file per day partition and one snapshot, so appending each poll (a few records) would
leave thousands of tiny files and snapshots a day, which every reader pays for. An undecodable record goes to the
dead-letter topic (the runtime's path) and its offset is covered by the next append.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

import pyarrow as pa
import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import Counter, Histogram
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.io.pyarrow import schema_to_pyarrow
from pyiceberg.table import Table
from pyiceberg.table.snapshots import ancestors_of

from services.lake.adapters.catalog import EVENT_SCHEMA, table_name, topic_of
from services.lake.adapters.lake import Lake
from services.lake.domain import offsets
from services.lake.domain.rows import Row, event_row
from services.runtime.config import Settings
from services.runtime.consumer import EVENTS_CONSUMED, UNDECODABLE, Batches, RecordConsumer
from services.runtime.observability import safe_error

log = structlog.get_logger(__name__)

ARROW_SCHEMA = schema_to_pyarrow(EVENT_SCHEMA)
# Commits lost to another writer in a row before the append is given up (and retried from the next poll).
COMMIT_ATTEMPTS = 5

LAKE_APPENDS = Counter("lake_appends_total", "Iceberg appends of the lake sink, by table.", ["table"])
LAKE_ROWS = Counter("lake_rows_appended_total", "Events appended to the lake, by table.", ["table"])
LAKE_APPEND_SECONDS = Histogram(
    "lake_append_seconds",
    "Time one append takes (Parquet write plus catalog commit), by table.",
    ["table"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)


def group_id(domain: str) -> str:
    """The consumer group of a domain's sink (its committed offsets feed the lag metric and the reconciliation)."""
    return f"lake-{domain}"


class LakeSink(RecordConsumer):
    """Appends every event of `fintech.<domain>.events.v1` to `events.<domain>`."""

    def __init__(self, lake: Lake, domain: str, settings: Settings, *, max_records: int = 500) -> None:
        super().__init__(
            group_id=group_id(domain),
            topics=[topic_of(domain)],
            settings=settings,
            max_records=max_records,
            batch_wait_ms=500,  # events wait up to flush_seconds here anyway
        )
        self.lake = lake
        self.domain = domain
        self.table_name = table_name(domain)
        self.flush_records = settings.lake.flush_records
        self.flush_seconds = settings.lake.flush_seconds
        # (partition, offset) -> row: a record Kafka hands over twice before an append (a rebalance, a seek)
        # is held once.
        self._rows: dict[tuple[int, int], Row] = {}
        # partition -> the next offset after what is in memory (rows or records that made none).
        self._advanced: dict[int, int] = {}
        self._waiting_since: float | None = None
        # Bumped by each assignment: the rest of a poll applied across one is stale (its records come again).
        self._generation = 0
        self._opening: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Starts consuming once the catalog is open (its table exists before an assignment asks where to resume),
        without holding up the service's start."""
        if self._opening is None or self._opening.done():
            self._opening = asyncio.create_task(self._start_when_open(), name=f"lake-sink-{self.domain}")

    async def _start_when_open(self) -> None:
        await self.lake.catalog()
        await super().start()

    async def stop(self) -> None:
        if self._opening is not None and not self._opening.done():
            self._opening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._opening
        self._opening = None
        await super().stop()

    # -- where to resume --------------------------------------------------------------------------------

    async def _assigned(self, consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]) -> None:
        # Paused until every one is at the table's offsets: records fetched from the group's committed offset while
        # the table is read would otherwise be held beside the same records read again after the seek.
        consumer.pause(*partitions)
        try:
            covered = await asyncio.to_thread(self._covered)
            unseen = [tp for tp in partitions if tp.partition not in covered]
            oldest = await consumer.beginning_offsets(unseen) if unseen else {}
            # From here to the resume nothing awaits: no poll is applied between forgetting and seeking. They are
            # read again from where the table ends, so what waits in memory for them would come twice.
            self._generation += 1
            self._forget({tp.partition for tp in partitions})
            for tp in partitions:
                consumer.seek(tp, covered[tp.partition] if tp.partition in covered else oldest[tp])
        finally:
            consumer.resume(*partitions)
        log.info("lake.sink_assigned", table=self.table_name, partitions=sorted(tp.partition for tp in partitions))

    async def _revoked(self, partitions: Sequence[TopicPartition]) -> None:
        """What waits in memory for partitions leaving is dropped: their next owner reads it from the table's
        offsets."""
        self._generation += 1
        self._forget({tp.partition for tp in partitions})

    def _forget(self, partitions: set[int]) -> None:
        self._rows = {key: row for key, row in self._rows.items() if key[0] not in partitions}
        self._advanced = {p: offset for p, offset in self._advanced.items() if p not in partitions}

    def _covered(self) -> offsets.Offsets:
        return _covered(self._load())

    # -- applying a poll --------------------------------------------------------------------------------

    async def _consume(self, consumer: AIOKafkaConsumer, batches: Batches) -> None:
        generation = self._generation
        for tp, records in batches.items():
            if tp not in consumer.assignment():
                continue
            for record in records:
                if self._generation != generation:  # reassigned while a record was dead-lettered: read again
                    return
                try:
                    envelope, event = self._decode(record)
                except UNDECODABLE as exc:
                    await self._dead_letter(record, exc, attempts=1)
                else:
                    self._rows[(record.partition, record.offset)] = event_row(
                        envelope, event, record.partition, record.offset
                    )
                self._advanced[record.partition] = record.offset + 1
                if self._waiting_since is None:
                    self._waiting_since = time.monotonic()
        if self._due():
            try:
                await self._flush()
            except Exception:
                # The lake is unreachable: stop fetching once a batch's worth waits (memory stays bounded); the
                # records in memory stay and the next poll, empty, tries the append again.
                if len(self._rows) >= self.flush_records:
                    consumer.pause(*consumer.assignment())
                raise
            if consumer.paused():
                consumer.resume(*consumer.paused())

    def _due(self) -> bool:
        if self._waiting_since is None:
            return False
        return len(self._rows) >= self.flush_records or time.monotonic() - self._waiting_since >= self.flush_seconds

    async def _flush(self) -> None:
        rows, advanced = list(self._rows.values()), dict(self._advanced)
        if not advanced:
            return
        if rows:
            with LAKE_APPEND_SECONDS.labels(self.table_name).time():
                appended = await asyncio.to_thread(self._append, rows, advanced)
            LAKE_APPENDS.labels(self.table_name).inc()
            LAKE_ROWS.labels(self.table_name).inc(appended)
            EVENTS_CONSUMED.labels(self.group_id, self.topics[0], "applied").inc(appended)
            EVENTS_CONSUMED.labels(self.group_id, self.topics[0], "duplicate").inc(len(rows) - appended)
        # Offsets without rows (dead letters alone) wait for the next append to record them. A rebalance during
        # the append may have moved partitions: only what is still here (and unchanged) is cleared.
        self._waiting_since = None
        if rows:
            for row in rows:
                key = (row["kafka_partition"], row["kafka_offset"])
                if self._rows.get(key) is row:
                    del self._rows[key]
            for partition, offset in advanced.items():
                if self._advanced.get(partition) == offset:
                    del self._advanced[partition]
                tp = TopicPartition(self.topics[0], partition)
                if self._consumer is not None and tp in self._consumer.assignment():
                    self._uncommitted[tp] = offset
            if self._rows:
                self._waiting_since = time.monotonic()

    def _append(self, rows: list[Row], advanced: offsets.Offsets) -> int:
        """Append the rows the table does not cover yet, recording the merged offsets; returns how many."""
        table = self._load()
        for attempt in range(1, COMMIT_ATTEMPTS + 1):
            covered = _covered(table)
            keep = offsets.not_covered(((row["kafka_partition"], row["kafka_offset"]) for row in rows), covered)
            fresh = [row for row, kept in zip(rows, keep, strict=True) if kept]
            properties = {
                offsets.TOPIC_PROPERTY: self.topics[0],
                offsets.OFFSETS_PROPERTY: offsets.render(offsets.merge(covered, advanced)),
            }
            try:
                table.append(pa.Table.from_pylist(fresh, schema=ARROW_SCHEMA), snapshot_properties=properties)
                return len(fresh)
            except CommitFailedException as exc:  # another writer committed first: recompute on its snapshot
                log.warning("lake.commit_conflict", table=self.table_name, attempt=attempt, error=safe_error(exc))
                table = self._load()
        raise CommitFailedException(f"{self.table_name}: {COMMIT_ATTEMPTS} commits lost to other writers")

    def _load(self) -> Table:
        return self.lake.opened_catalog().load_table(self.table_name)

    # -- stopping ---------------------------------------------------------------------------------------

    async def _close(self) -> None:
        """A graceful stop appends what waits first (a crash loses nothing either: it is read again)."""
        try:
            await self._flush()
        except Exception as exc:
            log.warning("lake.final_flush_failed", table=self.table_name, error=safe_error(exc))
        await super()._close()


def _covered(table: Table) -> offsets.Offsets:
    """The offsets the table's newest sink snapshot records (empty for a table the sink never wrote)."""
    return offsets.latest(
        snapshot.summary.additional_properties
        for snapshot in ancestors_of(table.current_snapshot(), table.metadata)
        if snapshot.summary is not None
    )
