"""Regulatory compliance use cases: sanctions screening, AML evaluation, regulatory reports, the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import audit_record_pb2
from fintech.risk.v1 import regulatory_report_pb2 as R
from fintech.risk.v1 import sanctions_screening_pb2 as S
from fintech.risk.v1 import transaction_pb2 as txn

from services.risk.app.ports import (
    AmlAssessments,
    AuditFilter,
    AuditTrail,
    Page,
    ReportQueue,
    Reports,
    Screenings,
)
from services.risk.domain import rules, sanctions
from services.risk.domain.fraud import amount_minor
from services.risk.domain.reports import calendar_date, report_period
from services.risk.domain.rules import PastTransaction
from services.runtime.config import RiskSettings


class SanctionsScreening:
    def __init__(self, screenings: Screenings, settings: RiskSettings) -> None:
        self.screenings = screenings
        self.settings = settings

    async def screen(
        self, request_id: uuid.UUID, party: S.ScreenedParty, trigger: S.ScreeningTrigger, actor: str
    ) -> S.SanctionsScreening:
        found = await self.screenings.stored(request_id)
        if found is not None:
            return found
        threshold = self.settings.sanctions_match_threshold
        born = party.date_of_birth
        dob = calendar_date(born, "party.date_of_birth") if party.HasField("date_of_birth") and born.year else None
        matches = sanctions.screen([party.full_name, *party.alias_names], dob, party.country_code, threshold)
        status = max((m.status for m in matches), default=S.SANCTIONS_MATCH_STATUS_CLEAR)
        result = S.SanctionsScreening(
            screening_id=str(uuid.uuid4()), party=party, trigger=trigger, match_status=status,
            match_threshold=threshold,
        )  # fmt: skip
        for m in matches:
            result.matches.add(
                list_entry_id=m.entry.list_entry_id, list_name=m.entry.list_name, matched_name=m.matched_name,
                similarity_score=m.score, date_of_birth_matched=m.date_of_birth_matched,
                country_matched=m.country_matched, match_status=m.status,
            )  # fmt: skip
        for (name, version), published in sorted(
            {(e.list_name, e.list_version): e.publish_date for e in sanctions.load()}.items()
        ):
            listed = result.screened_lists.add(list_name=name, list_version=version)
            listed.publish_time.FromDatetime(datetime(published.year, published.month, published.day, tzinfo=UTC))
        result.screen_time.FromDatetime(datetime.now(UTC))
        stored = await self.screenings.record(request_id, result, actor)
        return stored if stored is not None else result  # a concurrent request stored it first


class AmlMonitoring:
    def __init__(self, assessments: AmlAssessments, settings: RiskSettings) -> None:
        self.assessments = assessments
        self.settings = settings

    async def evaluate(self, t: txn.Transaction, actor: str) -> A.AmlAssessment:
        found = await self.assessments.lookup(t, *self.window(t))
        if found.stored is not None:  # a repeated call: the stored assessment stands
            return found.stored
        assessment = self.assess(t, found.history)
        stored = await self.assessments.record(assessment, amount_minor(t), actor)
        return stored if stored is not None else assessment

    def window(self, t: txn.Transaction) -> tuple[datetime, datetime]:
        """(since, until): the account's transactions the structuring rules look back on."""
        at = t.transaction_time.ToDatetime(tzinfo=UTC)
        return at - timedelta(hours=self.settings.aml_structuring_window_hours), at

    def assess(self, t: txn.Transaction, history: Sequence[PastTransaction]) -> A.AmlAssessment:
        """A new assessment of the payment against the AML rules, given the account's history; not stored yet."""
        at = t.transaction_time.ToDatetime(tzinfo=UTC)
        countries = [t.counterparty.country_code, t.device.ip_country_code]
        amount = amount_minor(t)
        hits = rules.aml_rules(amount, t.transaction_type, t.direction, at, countries, history, self.settings)
        decision = rules.aml_decision(hits)
        now = datetime.now(UTC)
        currency = self.settings.reporting_currency
        assessment = A.AmlAssessment(
            aml_assessment_id=str(uuid.uuid4()), transaction=t, decision=decision,
            rule_set_version=rules.AML_RULE_SET_VERSION,
        )  # fmt: skip
        assessment.evaluate_time.FromDatetime(now)
        for hit in hits:
            alert = assessment.alerts.add(
                aml_alert_id=str(uuid.uuid4()), rule_code=hit.rule_code, rule_id=hit.rule_id,
                description=hit.description, severity=hit.severity, decision=hit.decision,
                related_payment_ids=hit.related_payment_ids, country_code=hit.country_code,
            )  # fmt: skip
            if hit.threshold_minor is not None:
                alert.threshold_amount.amount_minor = hit.threshold_minor
                alert.threshold_amount.currency_code = currency
            if hit.aggregate_minor is not None:
                alert.aggregate_amount.amount_minor = hit.aggregate_minor
                alert.aggregate_amount.currency_code = currency
            if hit.window is not None:
                alert.window.FromTimedelta(hit.window)
            alert.raise_time.FromDatetime(now)
        return assessment


class RegulatoryReports:
    """Requests store a PENDING report; the report generator (adapters/reports.py) generates it."""

    def __init__(self, reports: Reports, queue: ReportQueue | None = None) -> None:
        self.reports = reports
        self.queue = queue

    async def request(self, request_id: uuid.UUID, report: R.RegulatoryReport, actor: str) -> R.RegulatoryReport:
        """Store `report` (the request's fields) as PENDING, requested by `actor`; a repeated request answers the
        report it stored."""
        found = await self.reports.find(request_id)
        if found is not None:
            return found
        report_period(report.period)
        report.regulatory_report_id = str(uuid.uuid4())
        report.format = report.format or R.REGULATORY_REPORT_FORMAT_CSV
        report.state = R.REGULATORY_REPORT_STATE_PENDING
        report.requester = actor
        report.create_time.FromDatetime(datetime.now(UTC))
        stored = await self.reports.record(request_id, report, actor)
        if stored is not None:
            return stored
        if self.queue is not None:
            self.queue.wake()  # generated by this replica's ReportGeneration, else by whichever polls first
        return report

    async def retrieve(self, regulatory_report_id: str) -> R.RegulatoryReport:
        return await self.reports.retrieve(regulatory_report_id)

    async def list(
        self, state: int, report_type: int, jurisdiction_code: str, page: Page
    ) -> tuple[list[R.RegulatoryReport], str]:
        reports, token = await self.reports.page(state, page)
        # Type and jurisdiction are in the message only: a page may hold fewer reports than its size (AIP-158).
        kept = [
            r for r in reports
            if (not report_type or r.report_type == report_type)
            and (not jurisdiction_code or r.jurisdiction_code == jurisdiction_code)
        ]  # fmt: skip
        return kept, token


class AuditQueries:
    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail

    async def retrieve(self, audit_record_id: str) -> audit_record_pb2.AuditRecord:
        return await self.trail.retrieve(audit_record_id)

    async def list(self, filters: AuditFilter, page: Page) -> tuple[list[audit_record_pb2.AuditRecord], str]:
        return await self.trail.page(filters, page)
