"""The events risk publishes (through the outbox, in the transaction of the decision they announce)."""

from __future__ import annotations

from fintech.common.v1 import event_envelope_pb2
from fintech.risk.v1 import aml_assessment_pb2 as A
from fintech.risk.v1 import credit_assessment_pb2 as C
from fintech.risk.v1 import events_pb2
from fintech.risk.v1 import fraud_assessment_pb2 as FA
from fintech.risk.v1 import regulatory_report_pb2 as R
from fintech.risk.v1 import sanctions_screening_pb2 as S
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from services.runtime import outbox


def fraud_evaluated(assessment: FA.FraudAssessment) -> events_pb2.FraudEvaluated:
    t = assessment.transaction
    event = events_pb2.FraudEvaluated(
        fraud_assessment_id=assessment.fraud_assessment_id, payment_id=t.payment_id, customer_id=t.customer_id,
        fraud_score=assessment.fraud_score, decision=assessment.decision,
        reason_codes=[r.code for r in assessment.reasons],
        fired_rule_ids=[r.rule_id for r in assessment.fired_rules],
        model_unavailable=assessment.model_unavailable,
        rule_set_version=assessment.rule_set_version, evaluate_time=assessment.evaluate_time,
    )  # fmt: skip
    if not assessment.model_unavailable:
        event.model.CopyFrom(assessment.model)
    return event


def credit_risk_evaluated(assessment: C.CreditAssessment) -> events_pb2.CreditRiskEvaluated:
    application = assessment.application
    return events_pb2.CreditRiskEvaluated(
        credit_assessment_id=assessment.credit_assessment_id, application_id=application.application_id,
        customer_id=application.customer_id, probability_of_default=assessment.probability_of_default,
        score=assessment.score, grade=assessment.grade, decision=assessment.decision, model=assessment.model,
        policy_version=assessment.policy_version,
        adverse_action_reason_codes=[r.code for r in assessment.adverse_action_reasons],
        evaluate_time=assessment.evaluate_time,
    )  # fmt: skip


def screening_completed(screening: S.SanctionsScreening) -> events_pb2.SanctionsScreeningCompleted:
    matches = screening.matches
    return events_pb2.SanctionsScreeningCompleted(
        screening_id=screening.screening_id, party_id=screening.party.party_id,
        party_type=screening.party.party_type, trigger=screening.trigger, match_status=screening.match_status,
        match_count=len(matches), top_similarity_score=matches[0].similarity_score if matches else 0.0,
        screen_time=screening.screen_time,
    )  # fmt: skip


def aml_events(assessment: A.AmlAssessment, source: str) -> list[event_envelope_pb2.EventEnvelope]:
    """The evaluation's event and one per alert, as outbox envelopes."""
    t = assessment.transaction
    evaluated = events_pb2.AmlTransactionEvaluated(
        aml_assessment_id=assessment.aml_assessment_id, payment_id=t.payment_id, customer_id=t.customer_id,
        decision=assessment.decision, aml_alert_ids=[a.aml_alert_id for a in assessment.alerts],
        rule_set_version=assessment.rule_set_version, evaluate_time=assessment.evaluate_time,
    )  # fmt: skip
    envelopes = [outbox.wrap(evaluated, subject=assessment.aml_assessment_id, sequence=1, source=source)]
    for alert in assessment.alerts:
        raised = events_pb2.AmlAlertRaised(
            aml_alert_id=alert.aml_alert_id, aml_assessment_id=assessment.aml_assessment_id,
            payment_id=t.payment_id, customer_id=t.customer_id, rule_code=alert.rule_code,
            rule_id=alert.rule_id, severity=alert.severity, decision=alert.decision,
            related_payment_ids=alert.related_payment_ids, raise_time=alert.raise_time,
        )  # fmt: skip
        envelopes.append(outbox.wrap(raised, subject=alert.aml_alert_id, sequence=1, source=source))
    return envelopes


def report_requested(report: R.RegulatoryReport) -> events_pb2.RegulatoryReportRequested:
    return events_pb2.RegulatoryReportRequested(
        regulatory_report_id=report.regulatory_report_id, report_type=report.report_type, period=report.period,
        jurisdiction_code=report.jurisdiction_code, customer_id=report.customer_id,
        requester=report.requester, create_time=report.create_time,
    )  # fmt: skip


def report_finished(report: R.RegulatoryReport) -> Message:
    """RegulatoryReportGenerated, or RegulatoryReportGenerationFailed when the report failed."""
    if report.state == R.REGULATORY_REPORT_STATE_FAILED:
        return events_pb2.RegulatoryReportGenerationFailed(
            regulatory_report_id=report.regulatory_report_id, report_type=report.report_type,
            failure_message=report.failure_message, complete_time=report.complete_time,
        )  # fmt: skip
    return events_pb2.RegulatoryReportGenerated(
        regulatory_report_id=report.regulatory_report_id, report_type=report.report_type, period=report.period,
        jurisdiction_code=report.jurisdiction_code, format=report.format, record_count=report.record_count,
        document_uri=report.document_uri, document_sha256=report.document_sha256,
        complete_time=report.complete_time,
    )  # fmt: skip


async def publish(session: AsyncSession, event: Message, *, subject: str, sequence: int, source: str) -> None:
    await outbox.record(session, event, subject=subject, sequence=sequence, source=source)


async def publish_all(session: AsyncSession, envelopes: list[event_envelope_pb2.EventEnvelope]) -> None:
    await outbox.add_events(session, envelopes)  # one statement
