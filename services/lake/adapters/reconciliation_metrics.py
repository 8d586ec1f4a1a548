"""The reconciliation's gauges: unmatched report rows per check of the latest run, and when each check last ran
(tools/observability/rules.py: LakeReconciliationMismatch, LakeReconciliationStale)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from prometheus_client import Gauge

from services.lake.domain.reconciliation import AMOUNT, CHECKS, COUNT

MISMATCHES = Gauge(
    "lake_reconciliation_mismatches",
    "Report rows of the latest reconciliation run whose lake value differs from its source's, per check.",
    ["check"],
)
LAST_RUN = Gauge(
    "lake_reconciliation_last_run_timestamp_seconds",
    "When each reconciliation check last ran to the end (Unix time); the amount checks only once the lake is known "
    "complete up to a cutoff.",
    ["check"],
)


def record(mismatches: Mapping[str, int], run_time: datetime, *, amounts_compared: bool) -> None:
    for check in CHECKS:
        if check in (AMOUNT, COUNT) and not amounts_compared:
            continue  # not run: its last result and time stand
        MISMATCHES.labels(check).set(mismatches.get(check, 0))
        LAST_RUN.labels(check).set(run_time.timestamp())
