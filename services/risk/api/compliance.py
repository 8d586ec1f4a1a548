"""RegulatoryComplianceService: protobuf <-> the compliance use cases (sanctions screening, AML monitoring,
the audit trail, regulatory reports)."""

from __future__ import annotations

import uuid
from datetime import UTC

from fintech.risk.v1 import regulatory_compliance_service_pb2 as pb
from fintech.risk.v1 import regulatory_compliance_service_pb2_grpc
from fintech.risk.v1 import regulatory_report_pb2 as R

from services.risk.app.compliance import AmlMonitoring, AuditQueries, RegulatoryReports, SanctionsScreening
from services.risk.app.ports import AuditFilter, Page
from services.runtime import access
from services.runtime.config import Settings
from services.runtime.grpc_types import Context


class RegulatoryCompliance(regulatory_compliance_service_pb2_grpc.RegulatoryComplianceServiceServicer):
    def __init__(
        self,
        screening: SanctionsScreening,
        aml: AmlMonitoring,
        reports: RegulatoryReports,
        audit: AuditQueries,
        settings: Settings,
    ) -> None:
        self.screening = screening
        self.aml = aml
        self.reports = reports
        self.audit = audit
        self.settings = settings

    def _caller(self, context: Context) -> str:
        return access.actor(context, self.settings)

    async def ScreenParty(self, request: pb.ScreenPartyRequest, context: Context) -> pb.ScreenPartyResponse:
        screening = await self.screening.screen(
            uuid.UUID(request.request_id), request.party, request.trigger, self._caller(context)
        )
        return pb.ScreenPartyResponse(screening=screening)

    async def EvaluateTransactionAml(
        self, request: pb.EvaluateTransactionAmlRequest, context: Context
    ) -> pb.EvaluateTransactionAmlResponse:
        assessment = await self.aml.evaluate(request.transaction, self._caller(context))
        return pb.EvaluateTransactionAmlResponse(aml_assessment=assessment)

    async def RetrieveAuditRecord(
        self, request: pb.RetrieveAuditRecordRequest, context: Context
    ) -> pb.RetrieveAuditRecordResponse:
        return pb.RetrieveAuditRecordResponse(audit_record=await self.audit.retrieve(request.audit_record_id))

    async def ListAuditRecords(
        self, request: pb.ListAuditRecordsRequest, context: Context
    ) -> pb.ListAuditRecordsResponse:
        filters = AuditFilter(
            start_time=request.start_time.ToDatetime(tzinfo=UTC) if request.HasField("start_time") else None,
            end_time=request.end_time.ToDatetime(tzinfo=UTC) if request.HasField("end_time") else None,
            subject=request.subject, actor=request.actor, customer_id=request.customer_id, outcome=request.outcome,
        )  # fmt: skip
        records, token = await self.audit.list(filters, Page(request, self._caller(context)))
        return pb.ListAuditRecordsResponse(audit_records=records, next_page_token=token)

    async def GenerateRegulatoryReport(
        self, request: pb.GenerateRegulatoryReportRequest, context: Context
    ) -> pb.GenerateRegulatoryReportResponse:
        report = R.RegulatoryReport(
            report_type=request.report_type, period=request.period, jurisdiction_code=request.jurisdiction_code,
            format=request.format, customer_id=request.customer_id, aml_alert_ids=request.aml_alert_ids,
            narrative=request.narrative,
        )  # fmt: skip
        stored = await self.reports.request(uuid.UUID(request.request_id), report, self._caller(context))
        return pb.GenerateRegulatoryReportResponse(regulatory_report=stored)

    async def RetrieveRegulatoryReport(
        self, request: pb.RetrieveRegulatoryReportRequest, context: Context
    ) -> pb.RetrieveRegulatoryReportResponse:
        report = await self.reports.retrieve(request.regulatory_report_id)
        return pb.RetrieveRegulatoryReportResponse(regulatory_report=report)

    async def ListRegulatoryReports(
        self, request: pb.ListRegulatoryReportsRequest, context: Context
    ) -> pb.ListRegulatoryReportsResponse:
        reports, token = await self.reports.list(
            request.state, request.report_type, request.jurisdiction_code, Page(request, self._caller(context))
        )
        return pb.ListRegulatoryReportsResponse(regulatory_reports=reports, next_page_token=token)
