"""Run one job: read its input tables at their current snapshots, compute, overwrite its output, record the run.

Every run, failed ones too, appends its lineage row (governance.job_runs): the inputs with the snapshot read and
its row count, the output with the snapshot written, the code version, start and finish, status.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pyspark.sql import DataFrame

from jobs.domain.lineage import JobRun, TableVersion


class Tables(Protocol):
    """The lake as a job reads and writes it (adapters/lake_tables.py)."""

    def read(self, table: str) -> tuple[DataFrame, TableVersion]: ...

    def overwrite(self, table: str, ddl: str, result: DataFrame) -> TableVersion: ...

    def record(self, run: JobRun) -> None: ...


@dataclass(frozen=True)
class Job:
    """A batch job: the tables it reads (in the order `transform` takes them), what it computes, where to."""

    name: str
    inputs: Sequence[str]
    output: str
    ddl: str
    transform: Callable[..., DataFrame]
    description: str


def utcnow() -> datetime:
    return datetime.now(UTC)


def run_job(job: Job, tables: Tables, code_version: str, clock: Callable[[], datetime] = utcnow) -> JobRun:
    """Run `job` once; its run is recorded whether it succeeds or fails (then the error is raised again)."""
    run = JobRun(run_id=str(uuid.uuid4()), job=job.name, code_version=code_version, started_at=clock())
    try:
        frames = []
        for table in job.inputs:
            frame, version = tables.read(table)
            frames.append(frame)
            run.inputs.append(version)
        run.outputs.append(tables.overwrite(job.output, job.ddl, job.transform(*frames)))
    except Exception as error:
        run.finish(clock(), error)
        tables.record(run)
        raise
    run.finish(clock())
    tables.record(run)
    return run
