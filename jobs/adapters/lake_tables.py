"""The lake's Iceberg tables as a job sees them through Spark: read at one snapshot, overwrite, record a run.

Reads pin the table's current snapshot, so the snapshot a run records is exactly the data it computed from
(the sink may commit meanwhile). A result overwrites its whole table in one commit: a job recomputes everything
it outputs, so running it again replaces the result instead of adding to it.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.domain import lineage
from jobs.domain.lineage import JobRun, TableVersion


class LakeTables:
    def __init__(self, session: SparkSession, catalog: str) -> None:
        self.session = session
        self.catalog = catalog

    def qualified(self, table: str) -> str:
        return f"{self.catalog}.{table}"

    def current_snapshot(self, table: str) -> int | None:
        """The table's current snapshot id, None while it has none (created, never written)."""
        rows = self.session.sql(
            f"SELECT snapshot_id FROM {self.qualified(table)}.history WHERE is_current_ancestor "
            "ORDER BY made_current_at DESC LIMIT 1"
        ).collect()
        return int(rows[0]["snapshot_id"]) if rows else None

    def read(self, table: str) -> tuple[DataFrame, TableVersion]:
        """The table at its current snapshot (cached: counted once, then transformed) and that version."""
        snapshot = self.current_snapshot(table)
        reader = self.session.read.format("iceberg")
        if snapshot is not None:
            reader = reader.option("snapshot-id", str(snapshot))
        frame = reader.load(self.qualified(table)).cache()
        return frame, TableVersion(table, snapshot, frame.count())

    def ensure_table(self, table: str, ddl: str) -> None:
        namespace = table.rsplit(".", 1)[0]
        self.session.sql(f"CREATE NAMESPACE IF NOT EXISTS {self.qualified(namespace)}")
        self.session.sql(f"CREATE TABLE IF NOT EXISTS {self.qualified(table)} ({ddl}) USING iceberg")

    def overwrite(self, table: str, ddl: str, result: DataFrame) -> TableVersion:
        """Replace the table's rows with `result` in one commit; the snapshot written and its row count."""
        self.ensure_table(table, ddl)
        rows = result.cache()
        count = rows.count()
        rows.writeTo(self.qualified(table)).overwrite(F.lit(True))
        rows.unpersist()
        return TableVersion(table, self.current_snapshot(table), count)

    def record(self, run: JobRun) -> None:
        """Append the run to governance.job_runs."""
        self.ensure_table(lineage.TABLE, lineage.DDL)
        target = self.session.table(self.qualified(lineage.TABLE))
        frame = self.session.createDataFrame([run.row()], target.schema)
        frame.writeTo(self.qualified(lineage.TABLE)).append()
