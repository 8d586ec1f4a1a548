"""A job run's lineage record (a row of governance.job_runs): what it read, what it wrote, from which code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

TABLE = "governance.job_runs"
DDL = (
    "run_id string NOT NULL, job string NOT NULL, code_version string NOT NULL, "
    "started_at timestamp NOT NULL, finished_at timestamp NOT NULL, status string NOT NULL, "
    "inputs array<struct<table_name: string, snapshot_id: bigint, row_count: bigint>>, "
    "outputs array<struct<table_name: string, snapshot_id: bigint, row_count: bigint>>, "
    "error string"
)


class RunStatus(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class TableVersion:
    """A table at one snapshot (None: the table had none yet, so it was read as empty) and its rows there."""

    table_name: str
    snapshot_id: int | None
    row_count: int


@dataclass
class JobRun:
    run_id: str
    job: str
    code_version: str
    started_at: datetime
    finished_at: datetime | None = None
    status: RunStatus | None = None
    inputs: list[TableVersion] = field(default_factory=list)
    outputs: list[TableVersion] = field(default_factory=list)
    # The exception's class only: a message may quote data.
    error: str | None = None

    def finish(self, at: datetime, error: BaseException | None = None) -> None:
        self.finished_at = at
        self.status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
        self.error = type(error).__name__ if error else None

    def row(self) -> dict[str, object]:
        """The run as a governance.job_runs row."""
        if self.finished_at is None or self.status is None:
            raise ValueError("a run is recorded once it has finished")
        return {
            "run_id": self.run_id,
            "job": self.job,
            "code_version": self.code_version,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": str(self.status),
            "inputs": [vars(version) for version in self.inputs],
            "outputs": [vars(version) for version in self.outputs],
            "error": self.error,
        }
