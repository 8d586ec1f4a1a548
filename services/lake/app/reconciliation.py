"""A reconciliation run: the lake against the ledger (executed payments per day and currency) and against Kafka
(records per topic), reported as rows of `governance.reconciliation` and as gauges (services.lake.adapters.
reconciliation_metrics), which the alerts LakeReconciliationMismatch and LakeReconciliationStale watch.

`Reconciliation.run()` is one run, for the periodic task in the lake service and for `python -m tools.lake
reconcile`. The rules (what is compared, over which window) are services.lake.domain.reconciliation.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from pyiceberg.catalog import Catalog

from services.lake.adapters import lake_reading, reconciliation_metrics, reconciliation_report
from services.lake.adapters.kafka_records import KafkaRecords
from services.lake.adapters.ledger import LedgerTotals
from services.lake.domain import reconciliation as rules
from services.lake.domain.reconciliation import ReportRow, Watermark
from services.runtime.config import Settings
from services.runtime.event_registry import topic_for

log = structlog.get_logger("lake.reconciliation")
PAYMENTS = "payments"


@dataclass(frozen=True)
class Report:
    run_id: str
    run_time: datetime
    rows: list[ReportRow]
    # The executed payments were compared up to here (None: the lake was never known complete yet, not compared).
    amount_cutoff: datetime | None

    @property
    def mismatches(self) -> dict[str, int]:
        return rules.mismatches(self.rows)


@dataclass
class Reconciliation:
    settings: Settings
    catalog: Callable[[], Awaitable[Catalog]]  # the lake's catalog once its tables exist
    ledger: LedgerTotals
    domains: Sequence[str]
    sink_groups: Mapping[str, str]  # domain -> the lake sink's consumer group: its dead letters are not in the lake
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    watermarks: dict[str, Watermark] = field(default_factory=dict)

    async def run(self, *, cutoff: datetime | None = None) -> Report:
        """One run. `cutoff`: compare executed payments before it rather than before the watermark (a caller that
        knows the lake is complete up to then, as a test after waiting for it)."""
        run_time = self.clock()
        catalog = await self.catalog()
        rows: list[ReportRow] = []
        covered_payments: dict[int, int] = {}
        async with KafkaRecords(self.settings) as kafka:
            for domain in self.domains:
                topic = topic_for(f"fintech.{domain}.v1")
                sampled_at = self.clock()
                retained, ends = await kafka.offsets(topic)
                self.watermarks.setdefault(topic, Watermark()).sample(sampled_at, ends)
                table = await asyncio.to_thread(lake_reading.events_table, catalog, domain)
                state = await asyncio.to_thread(lake_reading.table_state, table)
                windows = rules.windows(retained, state.covered)
                lake = rules.lake_count(state.rows, windows)
                dead = await kafka.dead_lettered(topic, self.sink_groups[domain], windows)
                in_kafka = sum(w.span for w in windows) - dead
                if lake != in_kafka:  # gaps in the offsets (markers, compaction) are no events: count what is there
                    in_kafka = sum([await kafka.count_records(topic, w) for w in windows]) - dead
                rows.append(rules.event_count_row(topic, lake, in_kafka))
                rows.append(rules.duplicates_row(topic, state.rows))
                if domain == PAYMENTS:
                    covered_payments = state.covered
        payments_topic = topic_for(f"fintech.{PAYMENTS}.v1")
        complete = self.watermarks[payments_topic].complete_at(covered_payments) if PAYMENTS in self.domains else None
        grace = timedelta(seconds=self.settings.reconciliation.grace_seconds)
        until = cutoff or rules.amount_cutoff(complete, grace)
        if until is not None:
            rows += await self._amounts(catalog, until)
        report = Report(str(uuid.uuid4()), run_time, rows, until)
        table = await asyncio.to_thread(reconciliation_report.report_table, catalog)
        await asyncio.to_thread(reconciliation_report.append, table, report.run_id, run_time, rows)
        reconciliation_metrics.record(report.mismatches, run_time, amounts_compared=until is not None)
        log.info("lake.reconciled", run_id=report.run_id, mismatches=report.mismatches,
                 amount_cutoff=until.isoformat() if until else None)  # fmt: skip
        return report

    async def caught_up(self, patience: float, poll: float = 1.0) -> datetime:
        """Wait until the lake covers every record Kafka holds now, on every topic; returns now, a moment before
        which every published event is in the lake (for a run by hand: `run(cutoff=that - grace)`)."""
        at = self.clock()
        async with KafkaRecords(self.settings) as kafka:
            ends = {domain: (await kafka.offsets(topic_for(f"fintech.{domain}.v1")))[1] for domain in self.domains}
        catalog = await self.catalog()
        deadline = asyncio.get_running_loop().time() + patience
        while True:
            behind = []
            for domain, topic_ends in ends.items():
                table = await asyncio.to_thread(lake_reading.events_table, catalog, domain)
                covered = lake_reading.covered_offsets(await asyncio.to_thread(lake_reading.covering_snapshot, table))
                if any(covered.get(partition, 0) < end for partition, end in topic_ends.items()):
                    behind.append(domain)
            if not behind:
                return at
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the lake does not hold what Kafka held {patience:.0f} s ago: {', '.join(behind)}")
            await asyncio.sleep(poll)

    async def _amounts(self, catalog: Catalog, cutoff: datetime) -> list[ReportRow]:
        """Executed payments of the last `lookback_days` UTC days before the cutoff, lake against ledger."""
        days = self.settings.reconciliation.lookback_days
        start = datetime.combine(cutoff.date() - timedelta(days=days - 1), datetime.min.time(), UTC)
        table = await asyncio.to_thread(lake_reading.events_table, catalog, PAYMENTS)
        executed = await asyncio.to_thread(lake_reading.executed_payments, table, start)
        lake = rules.totals_by_day(executed, start, cutoff)
        return rules.compare_totals(lake, await self.ledger.executed(start, cutoff))
