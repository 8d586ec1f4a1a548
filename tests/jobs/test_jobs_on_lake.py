"""The Spark jobs over two seeded days of a bank (bank_day.py): every result equals a direct computation.

The days' events go into tables of the test's own (namespace jobs_test_events, the lake's event schema), so the
lake sink's tables stay exactly what Kafka holds; `python -m jobs all` runs once for the module, as `make jobs`
does (its own process, Spark in local[2]), pointed at them by [jobs] settings. The expected results are computed
in plain Python (reference.py) from the snapshots each run's lineage row names.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from pyiceberg.catalog import Catalog

from services.runtime.config import ROOT, Settings
from tests.jobs import expectations
from tests.jobs.bank_day import bank_day
from tests.jobs.lake import append_rows, fresh_event_tables, job_run, read_inputs, run_jobs
from tools.mesh import Mesh

COMPONENTS = ("postgres", "object_store")
pytestmark = pytest.mark.mesh(*COMPONENTS)

EVENTS, RESULTS = "jobs_test_events", "jobs_test_analytics"
NAMESPACES = {"events_namespace": EVENTS, "results_namespace": RESULTS}
JOBS = ("daily_payment_volumes", "fraud_outcomes", "large_exposures")


@pytest.fixture(scope="module")
def lake(mesh: Mesh, settings: Settings) -> Catalog:
    mesh.up(*COMPONENTS)  # a module's fixture runs before the marker's components start
    from services.lake.adapters.catalog import open_catalog

    catalog = open_catalog(settings)
    rows = bank_day()
    fresh_event_tables(catalog, EVENTS, list(rows))
    for domain, domain_rows in rows.items():
        append_rows(catalog, f"{EVENTS}.{domain}", domain_rows)
    return catalog


@pytest.fixture(scope="module")
def runs(lake: Catalog) -> dict[str, dict[str, Any]]:
    """Each job's lineage row of the module's run of all jobs."""
    run_ids = run_jobs("all", **NAMESPACES)
    assert set(run_ids) == set(JOBS)
    return {job: job_run(lake, run_id) for job, run_id in run_ids.items()}


def test_daily_payment_volumes_equal_a_direct_computation(lake: Catalog, runs: dict[str, dict[str, Any]]):
    got = expectations.volumes_match(lake, runs["daily_payment_volumes"])
    # The two days' payments: both days, both currencies, on-us and off-us, more than one channel.
    assert len({key[0] for key in got}) == 2 and {key[1] for key in got} == {"EUR", "USD"}
    assert {key[3] for key in got} == {True, False} and len({key[2] for key in got}) > 1


def test_fraud_outcomes_equal_a_direct_computation(lake: Catalog, runs: dict[str, dict[str, Any]]):
    expected = expectations.fraud_outcomes_match(lake, runs["fraud_outcomes"])
    assert {("fraud_model", "3"), ("fraud_model", "4"), ("rules_only", "rules_only")} <= expected.keys()
    assert any(row["reviews_confirmed"] and row["reviews_released"] for row in expected.values())


def test_large_exposures_equal_a_direct_computation(settings: Settings, lake: Catalog, runs: dict[str, dict[str, Any]]):
    got = expectations.large_exposures_match(settings, lake, runs["large_exposures"])
    assert any(row["exposure_minor"] > 0 for row in got.values()), "the bank days overdraw some accounts"
    assert any(row["eligible_capital_minor"] is None for row in got.values()), "USD has no capital configured"


def test_each_run_records_its_input_snapshots_code_version_and_output(lake: Catalog, runs: dict[str, dict[str, Any]]):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    for job, run in runs.items():
        expectations.lineage_is_complete(lake, job, run, head.stdout.strip())
    assert [i["table_name"] for i in runs["fraud_outcomes"]["inputs"]] == [f"{EVENTS}.risk", f"{EVENTS}.payments"]
    assert runs["large_exposures"]["outputs"][0]["table_name"] == f"{RESULTS}.large_exposures"


def test_running_a_job_again_replaces_its_result(lake: Catalog, runs: dict[str, dict[str, Any]]):
    first = runs["daily_payment_volumes"]
    again = job_run(lake, run_jobs("daily_payment_volumes", **NAMESPACES)["daily_payment_volumes"])
    assert again["outputs"][0]["snapshot_id"] != first["outputs"][0]["snapshot_id"]
    assert again["inputs"] == first["inputs"], "nothing was added to the inputs meanwhile"
    current = lake.load_table(f"{RESULTS}.daily_payment_volumes").scan().to_arrow().to_pylist()
    assert len(current) == len(expectations.volumes_match(lake, again)), "replaced, not added to"
    assert len(read_inputs(lake, again)["payments"]) == first["inputs"][0]["row_count"]
