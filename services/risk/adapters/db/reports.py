"""Regulatory reports: one row per request id; the row is also the generation job (adapters/reports.py)."""

from __future__ import annotations

import uuid
from datetime import UTC

from fintech.risk.v1 import regulatory_report_pb2 as R
from sqlalchemy import select

from services.risk.adapters import events
from services.risk.adapters.audit import AuditLog
from services.risk.adapters.db import store
from services.risk.adapters.db.models import RegulatoryReportRow, regulatory_reports
from services.risk.app.ports import Page
from services.runtime.db import Database

ACTION = "/fintech.risk.v1.RegulatoryComplianceService/GenerateRegulatoryReport"


class ReportStore:
    def __init__(self, database: Database, audit: AuditLog, source: str, page_key: bytes) -> None:
        self.database = database
        self.audit = audit
        self.source = source
        self.page_key = page_key

    async def find(self, request_id: uuid.UUID) -> R.RegulatoryReport | None:
        return await store.find(self.database, regulatory_reports, R.RegulatoryReport, "request_id", request_id)

    async def record(self, request_id: uuid.UUID, report: R.RegulatoryReport, actor: str) -> R.RegulatoryReport | None:
        async with self.database.transaction() as session:
            stored = await store.insert_once(session, regulatory_reports, R.RegulatoryReport, "request_id", {
                "id": uuid.UUID(report.regulatory_report_id), "request_id": request_id, "state": report.state,
                "create_time": report.create_time.ToDatetime(tzinfo=UTC), "body": report.SerializeToString(),
            })  # fmt: skip
            if stored is not None:
                return stored
            await events.publish(
                session, events.report_requested(report), subject=report.regulatory_report_id, sequence=1,
                source=self.source,
            )  # fmt: skip
            await self.audit.record(
                session, actor=actor, action=ACTION, resource_type="regulatory_report",
                subject=report.regulatory_report_id,
                details={"report_type": R.RegulatoryReportType.Name(report.report_type)},
            )  # fmt: skip
        return None

    async def retrieve(self, regulatory_report_id: str) -> R.RegulatoryReport:
        return await store.retrieve(
            self.database, regulatory_reports, R.RegulatoryReport, "regulatory report", regulatory_report_id
        )

    async def page(self, state: int, page: Page) -> tuple[list[R.RegulatoryReport], str]:
        column = regulatory_reports.c
        query = select(RegulatoryReportRow)
        if state:
            query = query.where(column.state == state)
        rows, token = await store.keyset_page(
            self.database, query, (column.create_time, column.id), page, self.page_key, descending=True
        )
        return [R.RegulatoryReport.FromString(r.body) for r in rows], token
