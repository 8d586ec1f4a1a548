"""Each job's output held against the direct computation (reference.py) over the snapshots its run read."""

from __future__ import annotations

from typing import Any

import pytest
from pyiceberg.catalog import Catalog

from services.runtime.config import Settings
from tests.jobs import reference
from tests.jobs.lake import read_inputs, read_output, rows_at

Row = dict[str, Any]


def volumes_match(catalog: Catalog, run: Row) -> dict[tuple[Any, ...], tuple[int, int]]:
    expected = reference.daily_payment_volumes(read_inputs(catalog, run)["payments"])
    rows = read_output(catalog, run)
    got = {(r["day"], r["currency"], r["channel"], r["on_us"]): (r["payment_count"], r["value_minor"]) for r in rows}
    assert len(got) == len(rows), "one row per day, currency, channel, on-us"
    assert got == expected
    return got


def fraud_outcomes_match(catalog: Catalog, run: Row) -> dict[tuple[str, str], Row]:
    inputs = read_inputs(catalog, run)
    expected = reference.fraud_outcomes(inputs["risk"], inputs["payments"])
    got = {(r.pop("model_name"), r.pop("model_version")): r for r in read_output(catalog, run)}
    assert got.keys() == expected.keys()
    for key, row in got.items():
        want = dict(expected[key])
        assert row.pop("mean_score") == pytest.approx(want.pop("mean_score"), rel=1e-12), key
        precision, wanted = row.pop("review_precision"), want.pop("review_precision")
        assert (precision is None) == (wanted is None), key
        if precision is not None:
            assert precision == pytest.approx(wanted, rel=1e-12), key
        assert row == want, key
    return expected


def large_exposures_match(settings: Settings, catalog: Catalog, run: Row) -> dict[tuple[str, str], Row]:
    jobs = settings.jobs
    expected = reference.large_exposures(
        read_inputs(catalog, run)["payments"],
        jobs.eligible_capital_minor,
        jobs.large_exposure_reporting_bp,
        jobs.large_exposure_limit_bp,
    )
    got = {(r.pop("group_id"), r.pop("currency")): r for r in read_output(catalog, run)}
    assert got == expected
    return got


def lineage_is_complete(catalog: Catalog, job: str, run: Row, code_version: str) -> None:
    """The run succeeded, names the code and each input at a snapshot with its row count, and its output."""
    assert run["status"] == "SUCCEEDED", job
    assert run["code_version"].removesuffix("-dirty") == code_version, job
    assert run["started_at"] <= run["finished_at"], job
    assert run["inputs"], job
    for read in run["inputs"]:
        table = catalog.load_table(read["table_name"])
        assert table.snapshot_by_id(read["snapshot_id"]) is not None, (job, read)
        assert read["row_count"] == len(rows_at(table, read["snapshot_id"])) > 0, (job, read)
    (written,) = run["outputs"]
    assert catalog.load_table(written["table_name"]).snapshot_by_id(written["snapshot_id"]) is not None, job
    assert written["row_count"] == len(read_output(catalog, run)) > 0, job
