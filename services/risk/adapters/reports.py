"""Generates the PENDING regulatory reports in the background (a PeriodicTask)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import regulatory_report_pb2 as R
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk.adapters import audit, events
from services.risk.adapters.db.models import aml_assessments, regulatory_reports
from services.risk.domain import reports
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.periodic import PeriodicTask

log = structlog.get_logger(__name__)


class ReportGeneration(PeriodicTask):
    """Generates the PENDING regulatory reports: the report's row is the job. Each is claimed with
    `FOR UPDATE SKIP LOCKED` and generated, stored and announced in that one transaction, so replicas share
    the reports and none is generated twice; a report whose generation a crash cut short was never
    committed as done, its lock died with the connection, and the next round (here or on another replica)
    generates it. GenerateRegulatoryReport only stores the PENDING row (and wakes this task)."""

    def __init__(self, database: Database, settings: Settings, interval: float = 5.0, *, batch: int = 10) -> None:
        super().__init__("risk-report-generation", interval)
        self.database = database
        self.source = settings.spiffe_id("risk")
        self.batch = batch

    async def tick(self) -> bool:
        for _ in range(self.batch):
            if not await self.generate_next():
                return False
        return True

    async def generate_next(self) -> bool:
        """Generate one PENDING report, if one is not locked by another replica; whether there was one."""
        async with self.database.transaction() as session:
            body = await session.scalar(
                select(regulatory_reports.c.body)
                .where(regulatory_reports.c.state == R.REGULATORY_REPORT_STATE_PENDING)
                .order_by(regulatory_reports.c.create_time)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if body is None:
                return False
            report = R.RegulatoryReport.FromString(body)
            data: bytes | None
            try:
                data = await self._generate(session, report)
            except SQLAlchemyError:
                raise  # the database's trouble: the report stays PENDING and the round is retried
            except Exception as error:
                log.exception("report generation failed", report=report.regulatory_report_id)
                data = None
                reports.failed(report, error, datetime.now(UTC))
            await session.execute(
                update(regulatory_reports)
                .where(regulatory_reports.c.id == uuid.UUID(report.regulatory_report_id))
                .values(state=report.state, body=report.SerializeToString(), document=data)
            )
            await events.publish(
                session, events.report_finished(report), subject=report.regulatory_report_id, sequence=2,
                source=self.source,
            )  # fmt: skip
            await audit.append(
                session, actor=self.source, action="risk.regulatory_report.generated",
                resource_type="regulatory_report", subject=report.regulatory_report_id, recorder=self.source,
                details={"state": R.RegulatoryReportState.Name(report.state), "record_count": report.record_count,
                         "sha256": report.document_sha256.hex()},
            )  # fmt: skip
        return True

    async def _generate(self, session: AsyncSession, report: R.RegulatoryReport) -> bytes:
        """Flagged transactions of the period (AML assessments with alerts) as a CSV document; `report` is
        filled in as SUCCEEDED."""
        start, end = reports.period_bounds(report)
        column = aml_assessments.c
        bodies = (
            await session.scalars(
                select(column.body)
                .where(column.evaluate_time >= start, column.evaluate_time < end,
                       column.decision != A.AML_DECISION_CLEAR)
                .order_by(column.evaluate_time)
            )
        ).all()  # fmt: skip
        data, count = reports.document(report, (A.AmlAssessment.FromString(body) for body in bodies))
        reports.succeeded(report, data, count, datetime.now(UTC))
        return data
