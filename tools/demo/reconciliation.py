"""The demo's reconciliation step: the lake against the ledger and Kafka, once the lake holds this run's events
(`python -m tools.lake reconcile` does the same)."""

from __future__ import annotations

import asyncio

from services.runtime.config import Settings
from tools.demo.narration import Narrator
from tools.lake.reconcile import reconcile


def show_reconciliation(settings: Settings, say: Narrator) -> bool:
    """Print the run's rows; True when everything matched."""
    say.step(
        "Reconciliation of the lake",
        "Every event is also written to the lake (Iceberg tables on the object store). The lake's executed payments "
        "per day and currency must equal the ledger's to the cent, and its events per topic Kafka's records; the "
        "lake service checks it every minute (a mismatch is an alert), here once by hand.",
    )
    with say.working("waiting until the lake holds every event of this run"):
        report = asyncio.run(reconcile(settings))
    say.table(
        f"Reconciliation {report.run_id[:8]}, appended to governance.reconciliation",
        ("check", "key", "lake", "source", "matched"),
        [(row.check, row.key, row.lake_value, f"{row.source} {row.source_value}", "yes" if row.matched else "NO")
         for row in report.rows],
    )  # fmt: skip
    unmatched = sum(report.mismatches.values())
    say.say("the lake matches the ledger and Kafka" if not unmatched else f"{unmatched} mismatches", style="bold")
    return not unmatched
