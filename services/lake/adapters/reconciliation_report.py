"""`governance.reconciliation`: one row per check and key of every reconciliation run, appended (never rewritten),
partitioned by the run's day. Values are text so that counts and decimal amounts of any currency stay exact.

pyiceberg is synchronous: callers run it in a worker thread.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from datetime import datetime

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import CommitFailedException, NamespaceAlreadyExistsError, TableAlreadyExistsError
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import DayTransform
from pyiceberg.types import BooleanType, NestedField, StringType, TimestamptzType

from services.lake.domain.reconciliation import ReportRow

NAMESPACE, NAME = "governance", "reconciliation"
SCHEMA = Schema(
    NestedField(1, "run_id", StringType(), required=True),
    NestedField(2, "run_time", TimestamptzType(), required=True),
    NestedField(3, "check", StringType(), required=True),
    NestedField(4, "key", StringType(), required=True),
    NestedField(5, "lake_value", StringType(), required=True),
    NestedField(6, "source", StringType(), required=True),
    NestedField(7, "source_value", StringType(), required=True),
    NestedField(8, "matched", BooleanType(), required=True),
)
SPEC = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="run_time_day"))
COMMIT_ATTEMPTS = 5


def report_table(catalog: Catalog) -> Table:
    """The table, created when missing (two processes racing to create it both end with the one table)."""
    with contextlib.suppress(NamespaceAlreadyExistsError):
        catalog.create_namespace(NAMESPACE)
    try:
        return catalog.create_table((NAMESPACE, NAME), schema=SCHEMA, partition_spec=SPEC)
    except TableAlreadyExistsError:
        return catalog.load_table((NAMESPACE, NAME))


def append(table: Table, run_id: str, run_time: datetime, rows: Sequence[ReportRow]) -> None:
    """Append one run's rows in one commit; another run's commit in between is retried on the new snapshot."""
    data = pa.Table.from_pylist(
        [{"run_id": run_id, "run_time": run_time, "check": row.check, "key": row.key, "lake_value": row.lake_value,
          "source": row.source, "source_value": row.source_value, "matched": row.matched} for row in rows],
        schema=SCHEMA.as_arrow(),
    )  # fmt: skip
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        try:
            table.append(data)
            return
        except CommitFailedException:
            if attempt == COMMIT_ATTEMPTS:
                raise
            time.sleep(0.1 * attempt)
            table.refresh()
