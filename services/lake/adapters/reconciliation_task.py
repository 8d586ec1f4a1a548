"""The reconciliation as a background loop of the lake service: one run every `[reconciliation]
interval_seconds`; a run that fails (Kafka, the catalog or payments away) is logged and retried with backoff, and
LakeReconciliationStale fires when none succeeds for long."""

from __future__ import annotations

from services.lake.app.reconciliation import Reconciliation
from services.runtime.periodic import PeriodicTask


class ReconciliationTask(PeriodicTask):
    def __init__(self, reconciliation: Reconciliation, interval: float) -> None:
        super().__init__("lake-reconciliation", interval)
        self.reconciliation = reconciliation

    async def tick(self) -> bool:
        await self.reconciliation.run()
        return False
