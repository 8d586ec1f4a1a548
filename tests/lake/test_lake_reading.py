"""What the reconciliation reads of an events table and writes to governance.reconciliation, on a real Iceberg
catalog (pyiceberg's SQL catalog in SQLite, files in a temporary directory: the lake's format without its store)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.table import Table

from services.lake.adapters import lake_reading, reconciliation_report
from services.lake.adapters.catalog import EVENT_PARTITION_SPEC, EVENT_SCHEMA
from services.lake.domain.reconciliation import EXECUTED_EVENT, Executed, ReportRow
from tests.lake.test_reconciliation_rules import executed_payload

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def catalog(tmp_path: Path) -> SqlCatalog:
    catalog = SqlCatalog("test", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{tmp_path}/warehouse")
    catalog.create_namespace("events")
    return catalog


def _rows(table: Table, *events: tuple[str, str, int, int, datetime, str]) -> pa.Table:
    return pa.Table.from_pylist(
        [{"event_id": event_id, "event_type": event_type, "kafka_partition": partition, "kafka_offset": offset,
          "occur_time": when, "payload": payload} for event_id, event_type, partition, offset, when, payload in events],
        schema=table.schema().as_arrow(),
    )  # fmt: skip


def _append(table: Table, rows: pa.Table, offsets: dict[int, int] | None) -> None:
    properties = {lake_reading.OFFSETS_PROPERTY: json.dumps(offsets)} if offsets is not None else {}
    table.append(rows, snapshot_properties=properties)


def test_the_state_is_the_newest_snapshot_that_records_its_offsets(catalog: SqlCatalog):
    table = catalog.create_table(("events", "payments"), schema=EVENT_SCHEMA, partition_spec=EVENT_PARTITION_SPEC)
    assert lake_reading.table_state(table) == lake_reading.TableState(None, {}, [])
    _append(table, _rows(table, ("a", "x", 0, 0, NOW, "{}"), ("b", "x", 1, 0, NOW, "{}")), {0: 1, 1: 1})
    _append(table, _rows(table, ("c", "x", 0, 1, NOW, "{}")), {0: 2, 1: 1})
    covering = table.current_snapshot()
    _append(table, _rows(table, ("d", "x", 0, 2, NOW, "{}")), None)  # a commit that records no offsets
    state = lake_reading.table_state(table)
    assert covering is not None and state.snapshot_id == covering.snapshot_id
    assert state.covered == {0: 2, 1: 1}
    assert sorted(state.rows) == [(0, 0), (0, 1), (1, 0)]


def test_executed_payments_are_read_from_their_payloads_since_a_day_before(catalog: SqlCatalog):
    table = catalog.create_table(("events", "payments"), schema=EVENT_SCHEMA, partition_spec=EVENT_PARTITION_SPEC)
    old, earlier = NOW - timedelta(days=3), NOW - timedelta(hours=30)
    _append(table, _rows(
        table,
        ("a", EXECUTED_EVENT, 0, 0, NOW, executed_payload(1_23, "EUR", NOW)),
        ("b", EXECUTED_EVENT, 0, 1, earlier, executed_payload(4_56, "USD", earlier)),
        ("c", EXECUTED_EVENT, 0, 2, old, executed_payload(7_89, "EUR", old)),  # more than a day before: not read
        ("d", "fintech.payments.v1.PaymentInitiated", 0, 3, NOW, "{}"),
        ("a", EXECUTED_EVENT, 1, 0, NOW, executed_payload(1_23, "EUR", NOW)),  # "a" published twice: one execution
    ), {0: 4, 1: 1})  # fmt: skip
    found = lake_reading.executed_payments(table, NOW - timedelta(hours=12))
    assert sorted(found, key=lambda e: e.amount_minor) == [
        Executed(NOW, "EUR", 1_23),
        Executed(NOW - timedelta(hours=30), "USD", 4_56),
    ]


def test_report_rows_are_appended_run_after_run(catalog: SqlCatalog):
    table = reconciliation_report.report_table(catalog)
    assert reconciliation_report.report_table(catalog).name() == table.name()  # created once
    first = [ReportRow("executed_amount", "2026-12-07/EUR", "1.23", "ledger", "1.23", True)]
    second = [ReportRow("event_count", "fintech.ml.events.v1", "3", "kafka", "4", False)]
    reconciliation_report.append(table, "run-1", NOW, first)
    reconciliation_report.append(reconciliation_report.report_table(catalog), "run-2", NOW, second)
    stored = sorted(table.refresh().scan().to_arrow().to_pylist(), key=lambda row: row["run_id"])
    assert [(r["run_id"], r["check"], r["key"], r["lake_value"], r["source"], r["source_value"], r["matched"])
            for r in stored] == [
        ("run-1", "executed_amount", "2026-12-07/EUR", "1.23", "ledger", "1.23", True),
        ("run-2", "event_count", "fintech.ml.events.v1", "3", "kafka", "4", False),
    ]  # fmt: skip
