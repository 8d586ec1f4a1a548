"""What the reconciliation reads of the lake's `events.*` tables, all from one snapshot per table: the Kafka offsets
that snapshot covers (its summary, written by the sink with each append) and the rows below them.

pyiceberg is synchronous: the reconciliation runs these in a worker thread (`asyncio.to_thread`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pyiceberg.catalog import Catalog
from pyiceberg.table import Table
from pyiceberg.table.snapshots import Snapshot, ancestors_of

from services.lake.domain import offsets
from services.lake.domain.offsets import OFFSETS_PROPERTY
from services.lake.domain.reconciliation import EXECUTED_EVENT, Executed, executed_from_payload

EVENTS_NAMESPACE = "events"


@dataclass(frozen=True)
class TableState:
    """One snapshot of an events table: the offsets it covers and its rows' (partition, offset)."""

    snapshot_id: int | None
    covered: dict[int, int]
    rows: list[tuple[int, int]]


def covering_snapshot(table: Table) -> Snapshot | None:
    """The newest snapshot that records the offsets it covers (a maintenance commit without them is skipped)."""
    for snapshot in ancestors_of(table.current_snapshot(), table.metadata):
        if snapshot.summary is not None and OFFSETS_PROPERTY in snapshot.summary.additional_properties:
            return snapshot
    return None


def covered_offsets(snapshot: Snapshot | None) -> dict[int, int]:
    if snapshot is None or snapshot.summary is None:
        return {}
    return offsets.parse(snapshot.summary.additional_properties.get(OFFSETS_PROPERTY))


def events_table(catalog: Catalog, domain: str) -> Table:
    return catalog.load_table((EVENTS_NAMESPACE, domain))


def table_state(table: Table) -> TableState:
    """The covering snapshot's offsets and rows (rows appended after it are in flight: not read)."""
    snapshot = covering_snapshot(table)
    if snapshot is None:
        return TableState(None, {}, [])
    rows = table.scan(selected_fields=("kafka_partition", "kafka_offset"), snapshot_id=snapshot.snapshot_id).to_arrow()
    partitions, offsets = rows.column("kafka_partition").to_pylist(), rows.column("kafka_offset").to_pylist()
    return TableState(snapshot.snapshot_id, covered_offsets(snapshot), list(zip(partitions, offsets, strict=True)))


def executed_payments(table: Table, since: datetime) -> list[Executed]:
    """The PaymentExecuted events the table's current snapshot holds that occurred since `since` (a day earlier
    as well: the day is the execution's, and its event may be stamped on either side of midnight)."""
    earliest = (since - timedelta(days=1)).isoformat()  # our own values, no input: safe in the filter's text
    scan = table.scan(row_filter=f"event_type = '{EXECUTED_EVENT}' AND occur_time >= '{earliest}'",
                      selected_fields=("event_id", "payload"))  # fmt: skip
    rows = scan.to_arrow()
    # An event a relay published twice is in the lake twice (two Kafka records): it is one execution.
    once = dict(zip(rows.column("event_id").to_pylist(), rows.column("payload").to_pylist(), strict=True))
    return [executed_from_payload(payload) for payload in once.values()]
