"""RegulatoryComplianceService: sanctions screening, AML monitoring, the audit trail, regulatory reports."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import grpc
import structlog
from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import (
    events_pb2,
    regulatory_compliance_service_pb2,
    regulatory_compliance_service_pb2_grpc,
    transaction_pb2,
)
from fintech.risk.v1 import regulatory_report_pb2 as R
from fintech.risk.v1 import sanctions_screening_pb2 as S
from google.protobuf.message import Message
from sqlalchemy import and_, bindparam, literal, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk import audit, rules, screening, store
from services.risk.common import caller, page, record_audit
from services.risk.fraud import amount_minor
from services.risk.keys import DataKeys, load_keys, page_token_key
from services.risk.models import (
    AuditRecordRow,
    RegulatoryReportRow,
    aml_assessments,
    aml_transactions,
    audit_records,
    regulatory_reports,
    screenings,
)
from services.runtime import outbox
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.periodic import PeriodicTask
from services.runtime.validation import Violation

log = structlog.get_logger(__name__)
pb = regulatory_compliance_service_pb2
SERVICE = "/fintech.risk.v1.RegulatoryComplianceService/"
# One read for an AML evaluation: the stored assessment of the payment (a repeated call answers it) beside the
# account's transactions in the structuring window (a LEFT JOIN from one row: one row even without history).
_history = aml_transactions.c
AML_LOOKUP = select(
    select(aml_assessments.c.body).where(aml_assessments.c.payment_id == bindparam("payment_id"))
    .scalar_subquery().label("stored"),
    aml_transactions,
).select_from(
    select(literal(1)).subquery("one").outerjoin(aml_transactions, and_(
        _history.account_id == bindparam("account_id"), _history.transaction_time >= bindparam("since"),
        _history.transaction_time <= bindparam("until"),
    ))
)  # fmt: skip
COLUMNS = ("payment_id", "customer_id", "amount_minor", "currency", "transaction_type", "transaction_time",
           "decision", "alert_rule_id", "alert_severity", "alert_description")  # fmt: skip


def _date(value, field: str) -> date:
    """A google.type.Date as a date; INVALID_ARGUMENT naming `field` when it is no calendar date."""
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        violation = Violation(field, "must be a calendar date (year, month and day)")
        raise InvalidArgument(f"invalid request: {field}", violations=[violation]) from None


def _period(period) -> tuple[date, date]:
    """The report period's dates; INVALID_ARGUMENT naming each that is no calendar date, or an end before the start."""
    dates, violations = [], []
    for name in ("start_date", "end_date"):
        value = getattr(period, name)
        try:
            dates.append(date(value.year, value.month, value.day))
        except ValueError:
            violations.append(Violation(f"period.{name}", "must be a calendar date (year, month and day)"))
    if not violations and dates[1] < dates[0]:
        violations.append(Violation("period.end_date", "must not be before start_date"))
    if violations:
        raise InvalidArgument("invalid request: period", violations=violations)
    return dates[0], dates[1]


class RegulatoryCompliance(regulatory_compliance_service_pb2_grpc.RegulatoryComplianceServiceServicer):
    def __init__(self, database: Database, settings: Settings, reports: ReportGeneration | None = None) -> None:
        self.database = database
        self.settings = settings
        self.source = settings.spiffe_id("risk")
        self.page_key = page_token_key(settings)
        self.data_keys = DataKeys(load_keys(settings))  # seal a screened party under the customer's key
        self.reports = reports

    # -- sanctions ------------------------------------------------------------------------------------

    async def ScreenParty(self, request, context: grpc.aio.ServicerContext):
        request_id = uuid.UUID(request.request_id)
        async with self.database.session() as session:  # the party is sealed: opened with the customer's key
            stored = await screening.stored(session, self.data_keys, request_id)
        if stored is not None:
            return pb.ScreenPartyResponse(screening=stored)
        party = request.party
        threshold = self.settings.risk.sanctions_match_threshold
        born = party.date_of_birth
        dob = _date(born, "party.date_of_birth") if party.HasField("date_of_birth") and born.year else None
        matches = screening.screen([party.full_name, *party.alias_names], dob, party.country_code, threshold)
        status = max((m.status for m in matches), default=S.SANCTIONS_MATCH_STATUS_CLEAR)
        result = S.SanctionsScreening(
            screening_id=str(uuid.uuid4()), party=party, trigger=request.trigger, match_status=status,
            match_threshold=threshold,
        )  # fmt: skip
        for m in matches:
            result.matches.add(
                list_entry_id=m.entry.list_entry_id, list_name=m.entry.list_name, matched_name=m.matched_name,
                similarity_score=m.score, date_of_birth_matched=m.date_of_birth_matched,
                country_matched=m.country_matched, match_status=m.status,
            )  # fmt: skip
        for (name, version), published in sorted(
            {(e.list_name, e.list_version): e.publish_date for e in screening.load()}.items()
        ):
            listed = result.screened_lists.add(list_name=name, list_version=version)
            listed.publish_time.FromDatetime(datetime(published.year, published.month, published.day, tzinfo=UTC))
        now = datetime.now(UTC)
        result.screen_time.FromDatetime(now)
        async with self.database.transaction() as session:
            data_key = await self.data_keys.key(session, uuid.UUID(party.party_id), create=True)
            inserted = await store.insert_once(session, screenings, S.SanctionsScreening, "request_id", {
                "id": uuid.UUID(result.screening_id), "request_id": request_id,
                "customer_id": uuid.UUID(party.party_id), "decision": status, "evaluate_time": now,
                **screening.sealed_columns(data_key, result),
            })  # fmt: skip
            if inserted is not None:  # a concurrent request stored it first: its screening, party opened
                return pb.ScreenPartyResponse(screening=await screening.stored(session, self.data_keys, request_id))
            event = events_pb2.SanctionsScreeningCompleted(
                screening_id=result.screening_id, party_id=party.party_id, party_type=party.party_type,
                trigger=request.trigger, match_status=status, match_count=len(matches),
                top_similarity_score=matches[0].score if matches else 0.0, screen_time=result.screen_time,
            )  # fmt: skip
            await outbox.record(session, event, subject=result.screening_id, sequence=1, source=self.source)
            await record_audit(
                session, context, self.settings, action=SERVICE + "ScreenParty", resource_type="screening",
                subject=result.screening_id, customer_id=party.party_id,
                details={"match_status": S.SanctionsMatchStatus.Name(status), "match_count": len(matches),
                         "entries": ",".join(m.entry.list_entry_id for m in matches)},
            )  # fmt: skip
        return pb.ScreenPartyResponse(screening=result)

    # -- AML ------------------------------------------------------------------------------------------

    async def EvaluateTransactionAml(self, request, context: grpc.aio.ServicerContext):
        t = request.transaction
        payment_id = uuid.UUID(t.payment_id)
        at = t.transaction_time.ToDatetime(tzinfo=UTC)
        window = timedelta(hours=self.settings.risk.aml_structuring_window_hours)
        account = uuid.UUID(t.debtor_account_id)
        rows = await store.read(
            self.database,
            AML_LOOKUP,
            {"payment_id": payment_id, "account_id": account, "since": at - window, "until": at},
        )
        if rows[0].stored is not None:  # a repeated call: the stored assessment stands
            return pb.EvaluateTransactionAmlResponse(aml_assessment=A.AmlAssessment.FromString(rows[0].stored))
        history = [
            rules.PastTransaction(
                str(r.payment_id), r.amount_minor, r.transaction_type, r.direction, r.transaction_time
            )
            for r in rows
            if r.payment_id is not None  # the one row of an account without history has none
        ]
        countries = [t.counterparty.country_code, t.device.ip_country_code]
        amount = amount_minor(t)
        hits = rules.aml_rules(amount, t.transaction_type, t.direction, at, countries, history, self.settings.risk)
        decision = rules.aml_decision(hits)
        now = datetime.now(UTC)
        currency = self.settings.risk.reporting_currency
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
                alert.threshold_amount.amount_minor, alert.threshold_amount.currency_code = (
                    hit.threshold_minor,
                    currency,
                )
            if hit.aggregate_minor is not None:
                alert.aggregate_amount.amount_minor, alert.aggregate_amount.currency_code = (
                    hit.aggregate_minor,
                    currency,
                )
            if hit.window is not None:
                alert.window.FromTimedelta(hit.window)
            alert.raise_time.FromDatetime(now)
        async with self.database.transaction() as session:
            history_row = (aml_transactions, {
                "payment_id": payment_id, "customer_id": uuid.UUID(t.customer_id), "account_id": account,
                "amount_minor": amount, "transaction_type": t.transaction_type, "direction": t.direction,
                "transaction_time": at, "flagged": len(hits),
            })  # fmt: skip
            stored = await store.insert_once(session, aml_assessments, A.AmlAssessment, "payment_id", {
                "id": uuid.UUID(assessment.aml_assessment_id), "payment_id": payment_id,
                "customer_id": uuid.UUID(t.customer_id), "decision": decision, "evaluate_time": now,
                "body": assessment.SerializeToString(),
            }, along=history_row)  # fmt: skip
            if stored is not None:
                return pb.EvaluateTransactionAmlResponse(aml_assessment=stored)
            evaluated = events_pb2.AmlTransactionEvaluated(
                aml_assessment_id=assessment.aml_assessment_id, payment_id=t.payment_id, customer_id=t.customer_id,
                decision=decision, aml_alert_ids=[a.aml_alert_id for a in assessment.alerts],
                rule_set_version=assessment.rule_set_version, evaluate_time=assessment.evaluate_time,
            )  # fmt: skip
            envelopes = [outbox.wrap(evaluated, subject=assessment.aml_assessment_id, sequence=1, source=self.source)]
            for alert in assessment.alerts:
                raised = events_pb2.AmlAlertRaised(
                    aml_alert_id=alert.aml_alert_id, aml_assessment_id=assessment.aml_assessment_id,
                    payment_id=t.payment_id, customer_id=t.customer_id, rule_code=alert.rule_code,
                    rule_id=alert.rule_id, severity=alert.severity, decision=alert.decision,
                    related_payment_ids=alert.related_payment_ids, raise_time=alert.raise_time,
                )  # fmt: skip
                envelopes.append(outbox.wrap(raised, subject=alert.aml_alert_id, sequence=1, source=self.source))
            await outbox.add_events(session, envelopes)  # the evaluation and its alerts: one statement
            await record_audit(
                session, context, self.settings, action=SERVICE + "EvaluateTransactionAml",
                resource_type="aml_assessment", subject=assessment.aml_assessment_id, customer_id=t.customer_id,
                details={"payment_id": t.payment_id, "decision": A.AmlDecision.Name(decision),
                         "alerts": ",".join(a.rule_id for a in assessment.alerts)},
            )  # fmt: skip
        return pb.EvaluateTransactionAmlResponse(aml_assessment=assessment)

    # -- audit trail ----------------------------------------------------------------------------------

    async def RetrieveAuditRecord(self, request, context):
        async with self.database.session() as session:
            query = select(audit_records).where(audit_records.c.id == uuid.UUID(request.audit_record_id))
            row = (await session.execute(query)).mappings().first()
        if row is None:
            raise NotFound(f"audit record {request.audit_record_id} not found")
        return pb.RetrieveAuditRecordResponse(audit_record=audit.to_message(row))

    async def ListAuditRecords(self, request, context):
        row = AuditRecordRow
        query = select(row)
        if request.HasField("start_time"):
            query = query.where(row.occur_time >= request.start_time.ToDatetime(tzinfo=UTC))
        if request.HasField("end_time"):
            query = query.where(row.occur_time < request.end_time.ToDatetime(tzinfo=UTC))
        for name in ("subject", "actor", "customer_id", "outcome"):
            if getattr(request, name):
                query = query.where(getattr(row, name) == getattr(request, name))
        rows, token = await page(
            self.database, query, (row.occur_time, row.position), request, context, self.settings, self.page_key,
            default_size=100, parse_id=int,
        )  # fmt: skip
        return pb.ListAuditRecordsResponse(
            audit_records=[audit.to_message({c.key: getattr(r, c.key) for c in audit_records.c}) for r in rows],
            next_page_token=token,
        )

    # -- regulatory reports ---------------------------------------------------------------------------

    async def GenerateRegulatoryReport(self, request, context: grpc.aio.ServicerContext):
        request_id = uuid.UUID(request.request_id)
        stored = await store.find(self.database, regulatory_reports, R.RegulatoryReport, "request_id", request_id)
        if stored is not None:
            return pb.GenerateRegulatoryReportResponse(regulatory_report=stored)
        _period(request.period)
        report = R.RegulatoryReport(
            regulatory_report_id=str(uuid.uuid4()), report_type=request.report_type, period=request.period,
            jurisdiction_code=request.jurisdiction_code, format=request.format or R.REGULATORY_REPORT_FORMAT_CSV,
            customer_id=request.customer_id, aml_alert_ids=request.aml_alert_ids, narrative=request.narrative,
            state=R.REGULATORY_REPORT_STATE_PENDING, requester=caller(context, self.settings),
        )  # fmt: skip
        now = datetime.now(UTC)
        report.create_time.FromDatetime(now)
        async with self.database.transaction() as session:
            stored = await store.insert_once(session, regulatory_reports, R.RegulatoryReport, "request_id", {
                "id": uuid.UUID(report.regulatory_report_id), "request_id": request_id, "state": report.state,
                "create_time": now, "body": report.SerializeToString(),
            })  # fmt: skip
            if stored is not None:
                return pb.GenerateRegulatoryReportResponse(regulatory_report=stored)
            requested = events_pb2.RegulatoryReportRequested(
                regulatory_report_id=report.regulatory_report_id, report_type=report.report_type, period=report.period,
                jurisdiction_code=report.jurisdiction_code, customer_id=report.customer_id,
                requester=report.requester, create_time=report.create_time,
            )  # fmt: skip
            await outbox.record(session, requested, subject=report.regulatory_report_id, sequence=1, source=self.source)
            await record_audit(
                session, context, self.settings, action=SERVICE + "GenerateRegulatoryReport",
                resource_type="regulatory_report", subject=report.regulatory_report_id,
                details={"report_type": R.RegulatoryReportType.Name(report.report_type)},
            )  # fmt: skip
        if self.reports is not None:
            self.reports.wake()  # generated by this replica's ReportGeneration, else by whichever polls first
        return pb.GenerateRegulatoryReportResponse(regulatory_report=report)

    async def RetrieveRegulatoryReport(self, request, context):
        stored = await store.retrieve(
            self.database, regulatory_reports, R.RegulatoryReport, "regulatory report", request.regulatory_report_id
        )
        return pb.RetrieveRegulatoryReportResponse(regulatory_report=stored)

    async def ListRegulatoryReports(self, request, context):
        row = RegulatoryReportRow
        query = select(row)
        if request.state:
            query = query.where(row.state == request.state)
        rows, token = await page(
            self.database, query, (row.create_time, row.id), request, context, self.settings, self.page_key,
            descending=True,
        )  # fmt: skip
        # Type and jurisdiction are in the message only: a page may hold fewer reports than its size (AIP-158).
        reports = [R.RegulatoryReport.FromString(r.body) for r in rows]
        return pb.ListRegulatoryReportsResponse(
            regulatory_reports=[
                r for r in reports
                if (not request.report_type or r.report_type == request.report_type)
                and (not request.jurisdiction_code or r.jurisdiction_code == request.jurisdiction_code)
            ],
            next_page_token=token,
        )  # fmt: skip


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
            try:
                data, finished = await self._generate(session, report)
            except SQLAlchemyError:
                raise  # the database's trouble: the report stays PENDING and the round is retried
            except Exception as error:
                log.exception("report generation failed", report=report.regulatory_report_id)
                data = None
                report.state = R.REGULATORY_REPORT_STATE_FAILED
                report.failure_message = f"generation failed: {type(error).__name__}"
                report.complete_time.FromDatetime(datetime.now(UTC))
                finished = events_pb2.RegulatoryReportGenerationFailed(
                    regulatory_report_id=report.regulatory_report_id, report_type=report.report_type,
                    failure_message=report.failure_message, complete_time=report.complete_time,
                )  # fmt: skip
            await session.execute(
                update(regulatory_reports)
                .where(regulatory_reports.c.id == uuid.UUID(report.regulatory_report_id))
                .values(state=report.state, body=report.SerializeToString(), document=data)
            )
            await outbox.record(session, finished, subject=report.regulatory_report_id, sequence=2, source=self.source)
            await audit.append(
                session, actor=self.source, action="risk.regulatory_report.generated",
                resource_type="regulatory_report", subject=report.regulatory_report_id, recorder=self.source,
                details={"state": R.RegulatoryReportState.Name(report.state), "record_count": report.record_count,
                         "sha256": report.document_sha256.hex()},
            )  # fmt: skip
        return True

    async def _generate(self, session: AsyncSession, report: R.RegulatoryReport) -> tuple[bytes, Message]:
        """Flagged transactions of the period (AML assessments with alerts) as a CSV document; `report` is
        filled in as SUCCEEDED."""
        first, last = _period(report.period)  # validated when the report was requested
        start = datetime.combine(first, datetime.min.time(), UTC)
        end = datetime.combine(last, datetime.min.time(), UTC) + timedelta(days=1)
        bodies = (
            await session.scalars(
                select(aml_assessments.c.body)
                .where(aml_assessments.c.evaluate_time >= start, aml_assessments.c.evaluate_time < end,
                       aml_assessments.c.decision != A.AML_DECISION_CLEAR)
                .order_by(aml_assessments.c.evaluate_time)
            )
        ).all()  # fmt: skip
        document = io.StringIO()
        writer = csv.writer(document)
        writer.writerow(COLUMNS)
        count = 0
        for body in bodies:
            assessment = A.AmlAssessment.FromString(body)
            t = assessment.transaction
            if report.customer_id and t.customer_id != report.customer_id:
                continue
            for alert in assessment.alerts:
                count += 1
                writer.writerow([
                    t.payment_id, t.customer_id, t.amount.amount_minor, t.amount.currency_code,
                    transaction_pb2.TransactionType.Name(t.transaction_type),
                    t.transaction_time.ToJsonString(), A.AmlDecision.Name(assessment.decision), alert.rule_id,
                    A.AmlAlertSeverity.Name(alert.severity), alert.description,
                ])  # fmt: skip
        data = document.getvalue().encode()
        report.state = R.REGULATORY_REPORT_STATE_SUCCEEDED
        report.record_count = count
        report.document_sha256 = hashlib.sha256(data).digest()
        report.document_uri = f"risk://regulatoryReports/{report.regulatory_report_id}/document.csv"
        report.complete_time.FromDatetime(datetime.now(UTC))
        finished = events_pb2.RegulatoryReportGenerated(
            regulatory_report_id=report.regulatory_report_id, report_type=report.report_type, period=report.period,
            jurisdiction_code=report.jurisdiction_code, format=report.format, record_count=count,
            document_uri=report.document_uri, document_sha256=report.document_sha256,
            complete_time=report.complete_time,
        )  # fmt: skip
        return data, finished
