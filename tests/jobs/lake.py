"""The tests' way into the lake: the lake service's catalog and event schema; jobs run as `make jobs` runs them."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import subprocess
import sys
import time
from typing import Any

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, NoSuchTableError
from pyiceberg.table import Table

from services.lake.adapters.catalog import EVENT_PARTITION_SPEC, EVENT_SCHEMA
from services.runtime.config import ROOT

RUN_LINE = re.compile(r"^(?P<job>\w+): (?P<seconds>[\d.]+) s, .* run (?P<run_id>[0-9a-f-]{36})$", re.MULTILINE)
Row = dict[str, Any]


def fresh_event_tables(catalog: Catalog, namespace: str, domains: list[str]) -> None:
    """`<namespace>.<domain>` with the lake's event schema and partitioning, emptied: a lake of the test's own."""
    with contextlib.suppress(NamespaceAlreadyExistsError):
        catalog.create_namespace(namespace)
    for domain in domains:
        with contextlib.suppress(NoSuchTableError):
            catalog.purge_table(f"{namespace}.{domain}")
        catalog.create_table(f"{namespace}.{domain}", schema=EVENT_SCHEMA, partition_spec=EVENT_PARTITION_SPEC)


def append_rows(catalog: Catalog, table_name: str, rows: list[Row]) -> None:
    table = catalog.load_table(table_name)
    table.append(pa.Table.from_pylist(rows, schema=table.schema().as_arrow()))


def run_jobs(*names: str, **settings: str) -> dict[str, str]:
    """`python -m jobs <names>` in a process of its own ([jobs] `settings` as FINTECH_JOBS__*); job -> run id."""
    environment = os.environ | {f"FINTECH_JOBS__{key.upper()}": value for key, value in settings.items()}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "jobs", *names],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{done.stdout}wall {time.monotonic() - started:.1f} s, largest child so far {peak_mb:.0f} MB")
    return {m["job"]: m["run_id"] for m in RUN_LINE.finditer(done.stdout)}


def job_run(catalog: Catalog, run_id: str) -> Row:
    """The lineage row of one run."""
    rows = [r for r in catalog.load_table("governance.job_runs").scan().to_arrow().to_pylist() if r["run_id"] == run_id]
    assert len(rows) == 1, f"run {run_id}: {len(rows)} lineage rows"
    return rows[0]


def rows_at(table: Table, snapshot_id: int | None) -> list[Row]:
    return [] if snapshot_id is None else table.scan(snapshot_id=snapshot_id).to_arrow().to_pylist()


def read_inputs(catalog: Catalog, run: Row) -> dict[str, list[Row]]:
    """The input tables' rows at the snapshots the run names, by table name without its namespace."""
    return {
        i["table_name"].rsplit(".", 1)[1]: rows_at(catalog.load_table(i["table_name"]), i["snapshot_id"])
        for i in run["inputs"]
    }


def read_output(catalog: Catalog, run: Row) -> list[Row]:
    (output,) = run["outputs"]
    return rows_at(catalog.load_table(output["table_name"]), output["snapshot_id"])
