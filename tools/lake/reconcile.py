"""`python -m tools.lake reconcile`: one reconciliation run by hand (the lake service runs one every
`[reconciliation] interval_seconds`), printed as a table and appended to governance.reconciliation like any run.

It runs the lake's own code as the lake (its workload certificate: the mesh lets only the lake read the ledger's
totals), after waiting until the lake holds every event Kafka held when it started, so the amounts are compared up
to the moment it was asked (it waits `grace_seconds` first: an event may wait that long in its outbox) rather
than up to the service's last watermark.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from pyiceberg.catalog import Catalog
from rich.console import Console
from rich.table import Table

from services.lake.adapters.catalog import DOMAINS, open_catalog
from services.lake.adapters.ledger import LedgerTotals
from services.lake.adapters.sink import group_id
from services.lake.app.reconciliation import Reconciliation, Report
from services.runtime.clients import ServiceClient
from services.runtime.config import Settings, get_settings

PATIENCE = 60.0  # the sink appends within [lake] flush_seconds of an event


async def reconcile(settings: Settings, *, patience: float = PATIENCE) -> Report:
    payments = ServiceClient("lake", "payments", settings=settings)
    await payments.start()
    try:
        catalog = await asyncio.to_thread(open_catalog, settings)

        async def opened() -> Catalog:
            return catalog

        groups = {domain: group_id(domain) for domain in DOMAINS}
        run = Reconciliation(settings, opened, LedgerTotals(payments), DOMAINS, sink_groups=groups)
        # Compared up to when it was asked: an event may spend `grace` in its outbox, so wait that long first.
        grace = timedelta(seconds=settings.reconciliation.grace_seconds)
        await asyncio.sleep(grace.total_seconds())
        complete = await run.caught_up(patience)
        return await run.run(cutoff=complete - grace)
    finally:
        await payments.stop()


def report_table(report: Report) -> Table:
    table = Table(title=f"Reconciliation {report.run_id[:8]} (governance.reconciliation)")
    for column in ("check", "key", "lake", "source", "source value", "matched"):
        table.add_column(column, justify="right" if column in ("lake", "source value") else "left")
    for row in report.rows:
        table.add_row(row.check, row.key, row.lake_value, row.source, row.source_value,
                      "yes" if row.matched else "[bold red]NO[/]")  # fmt: skip
    return table


def main() -> int:
    report = asyncio.run(reconcile(get_settings()))
    console = Console()
    console.print(report_table(report))
    unmatched = sum(report.mismatches.values())
    console.print(f"{unmatched} mismatches" if unmatched else "the lake matches the ledger and Kafka")
    return 1 if unmatched else 0


if __name__ == "__main__":
    sys.exit(main())
