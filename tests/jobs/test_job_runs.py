"""Running a job and recording it, without Spark: the run's lineage, its failure, the session's settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jobs.adapters import spark_session
from jobs.app.run import Job, run_job
from jobs.domain.large_exposures import ExposurePolicy
from jobs.domain.lineage import JobRun, RunStatus, TableVersion
from services.runtime.config import Settings


class RecordingTables:
    """The lake as a job sees it, in memory: tables hold plain values, every write and run is kept."""

    def __init__(self, contents: dict[str, Any]) -> None:
        self.contents = contents
        self.recorded: list[JobRun] = []

    def read(self, table: str) -> tuple[Any, TableVersion]:
        return self.contents[table], TableVersion(table, hash(table) % 1000, len(self.contents[table]))

    def overwrite(self, table: str, ddl: str, result: Any) -> TableVersion:
        self.contents[table] = result
        return TableVersion(table, 7, len(result))

    def record(self, run: JobRun) -> None:
        self.recorded.append(run)


def ticking_clock() -> Any:
    moments = iter(datetime(2026, 12, 1, tzinfo=UTC) + timedelta(seconds=n) for n in range(100))
    return lambda: next(moments)


def test_a_run_reads_its_inputs_in_order_writes_its_output_and_records_both():
    tables = RecordingTables({"events.a": [1, 2], "events.b": [3]})
    job = Job("concat", ("events.a", "events.b"), "analytics.c", "x int", lambda a, b: a + b, "")
    run = run_job(job, tables, "abc123", ticking_clock())
    assert tables.contents["analytics.c"] == [1, 2, 3]
    assert tables.recorded == [run]
    assert [(i.table_name, i.row_count) for i in run.inputs] == [("events.a", 2), ("events.b", 1)]
    assert run.outputs == [TableVersion("analytics.c", 7, 3)]
    row = run.row()
    assert row["status"] == "SUCCEEDED" and row["code_version"] == "abc123" and row["error"] is None
    assert row["started_at"] < row["finished_at"]
    assert row["inputs"][0] == {"table_name": "events.a", "snapshot_id": hash("events.a") % 1000, "row_count": 2}


def test_a_failed_run_is_recorded_with_its_error_class_only_and_the_error_raised():
    def broken(rows: list[int]) -> list[int]:
        raise ValueError("customer 4711 has a bad row")  # a message may carry data: it stays out of the record

    tables = RecordingTables({"events.a": [1]})
    with pytest.raises(ValueError):
        run_job(Job("broken", ("events.a",), "analytics.x", "x int", broken, ""), tables, "v", ticking_clock())
    (run,) = tables.recorded
    assert run.status is RunStatus.FAILED and run.error == "ValueError"
    assert run.outputs == [] and [i.table_name for i in run.inputs] == ["events.a"]
    assert "4711" not in str(run.row())


def test_an_unfinished_run_is_not_a_lineage_row():
    with pytest.raises(ValueError):
        JobRun("id", "job", "v", datetime.now(UTC)).row()


@pytest.mark.parametrize(
    ("capital", "basis_points", "threshold"),
    [
        (100_000_000, 1000, 10_000_000),
        (100_000_000, 2500, 25_000_000),
        (999, 1000, 99),
        (12_345_678_901, 2500, 3_086_419_725),
    ],
)
def test_thresholds_are_exact_shares_of_capital_rounded_down(capital: int, basis_points: int, threshold: int):
    assert ExposurePolicy.threshold(capital, basis_points) == threshold


def test_the_class_path_is_the_checked_list_and_a_missing_jar_is_named(tmp_path: Path):
    names = [line.split()[1] for line in spark_session.JAR_LIST.read_text().splitlines()]
    assert any(n.startswith("org.apache.iceberg.iceberg-spark-runtime") for n in names)
    assert not any("bundle" in n for n in names), "the AWS SDK bundle (558 MB) stays out"
    for name in names[1:]:
        (tmp_path / name).write_bytes(b"")
    settings = Settings(jobs={"jar_dir": str(tmp_path)})
    with pytest.raises(spark_session.MissingJars, match=names[0]):
        spark_session.jar_paths(settings)
    (tmp_path / names[0]).write_bytes(b"")
    assert [p.name for p in spark_session.jar_paths(settings)] == names


def test_secrets_stay_off_the_command_line_and_the_operator_sets_the_master(tmp_path: Path):
    for line in spark_session.JAR_LIST.read_text().splitlines():
        (tmp_path / line.split()[1]).write_bytes(b"")
    settings = Settings(jobs={"jar_dir": str(tmp_path)})
    options = spark_session.session_options(settings, "test")
    values = " ".join(options.values())
    for secret in (settings.postgres.password, settings.object_store.secret_key, settings.object_store.access_key):
        assert secret not in values
    assert options["spark.master"] == "local[2]"
    cluster = Settings(jobs={"jar_dir": str(tmp_path), "master": ""})
    assert "spark.master" not in spark_session.session_options(cluster, "test")
