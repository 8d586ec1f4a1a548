"""The risk service against the real mesh: fraud and credit decisions from the models Triton serves (the
scores onnxruntime gives here), features from real payment events on Kafka, Triton or ml down (rules alone,
marked), sanctions screening, AML alerts and the report, and an audit trail whose tampering is detected."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import grpc
import numpy as np
import pytest
from fintech.features.v1 import entity_pb2, feature_store_service_pb2, feature_store_service_pb2_grpc
from fintech.ml.v1 import model_serving_service_pb2 as srv
from fintech.ml.v1 import model_serving_service_pb2_grpc as srv_grpc
from fintech.risk.v1 import aml_assessment_pb2 as aml
from fintech.risk.v1 import credit_assessment_pb2 as credit
from fintech.risk.v1 import credit_risk_assessment_service_pb2 as credit_pb
from fintech.risk.v1 import credit_risk_assessment_service_pb2_grpc as credit_grpc
from fintech.risk.v1 import fraud_assessment_pb2 as fa
from fintech.risk.v1 import fraud_detection_service_pb2 as fraud_pb
from fintech.risk.v1 import fraud_detection_service_pb2_grpc as fraud_grpc
from fintech.risk.v1 import regulatory_compliance_service_pb2 as rc
from fintech.risk.v1 import regulatory_compliance_service_pb2_grpc as rc_grpc
from fintech.risk.v1 import regulatory_report_pb2 as report_pb
from fintech.risk.v1 import sanctions_screening_pb2 as ss
from fintech.risk.v1 import transaction_pb2 as txn
from google.rpc import error_details_pb2
from google.type import date_pb2
from grpc_status import rpc_status
from sqlalchemy import text

from libs.featurespec.model_inputs import applicant_features, feature_names
from services.features.adapters.pipeline import GROUP_ID as FEATURES_PIPELINE
from services.risk.domain import rules
from services.risk.domain.credit import applicant_of
from services.risk.domain.credit import inputs_of as rules_inputs
from services.runtime.config import ROOT, Settings
from services.runtime.db import Database
from tests.features.support import channel, eventually, payment_executed, payment_initiated, processed, publish
from tests.ml.support import local_scores

pytestmark = pytest.mark.mesh("postgres", "kafka", "features", "risk")


def _transaction(customer: str, account: str, amount: int, **fields) -> txn.Transaction:
    t = txn.Transaction(
        payment_id=str(uuid.uuid4()), customer_id=customer, debtor_account_id=account,
        transaction_type=fields.pop("transaction_type", txn.TRANSACTION_TYPE_CARD_PAYMENT),
        direction=fields.pop("direction", txn.TRANSACTION_DIRECTION_OUTGOING),
        channel=fields.pop("channel", txn.TRANSACTION_CHANNEL_CARD_NOT_PRESENT), **fields,
    )  # fmt: skip
    t.amount.amount_minor, t.amount.currency_code = amount, "EUR"
    t.transaction_time.FromDatetime(datetime.now(UTC))
    return t


async def _fraud(settings: Settings, t: txn.Transaction) -> fa.FraudAssessment:
    async with channel(settings, "risk", "payments") as ch:
        request = fraud_pb.EvaluateTransactionFraudRequest(transaction=t)
        return (
            await fraud_grpc.FraudDetectionServiceStub(ch).EvaluateTransactionFraud(request, timeout=5)
        ).fraud_assessment


async def _small_count(settings: Settings, customer: str) -> int:
    async with channel(settings, "features", "risk") as ch:
        request = feature_store_service_pb2.RetrieveOnlineFeaturesRequest(
            entities=[entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_CUSTOMER, entity_id=customer)]
        )
        request.features.feature_names.append("customer_small_payment_count_10m")
        response = await feature_store_service_pb2_grpc.FeatureStoreServiceStub(ch).RetrieveOnlineFeatures(request)
        return response.entities[0].readings[0].value.int64_value


MODELED = pytest.mark.mesh("postgres", "kafka", "triton", "ml", "features", "risk")


def _local_score(model: str, values, version: str = "1") -> float:
    """onnxruntime, here, on the committed artifact (of `version`) with the inputs the service sent."""
    row = np.array([[values[name] for name in feature_names(model)]], dtype=np.float32)
    return float(local_scores(model, row, version)[0])


@MODELED
async def test_a_card_testing_burst_raises_the_model_score_through_the_online_features(settings: Settings):
    customer, account, shop = (str(uuid.uuid4()) for _ in range(3))
    before = await _fraud(settings, _transaction(customer, account, 2_500, creditor_account_id=shop))
    assert before.decision == fa.FRAUD_DECISION_APPROVE and not before.fired_rules
    # The decision comes from the model served by Triton, on exactly the inputs training defined.
    # Production's version 1, or the challenger (2) for the share of payments the fraud-challenger-share flag gives it.
    assert (
        not before.model_unavailable and before.model.model_name == "fraud" and before.model.model_version in ("1", "2")
    )
    assert set(before.features) == set(feature_names("fraud"))
    assert abs(before.fraud_score - _local_score("fraud", before.features, before.model.model_version)) <= 1e-6

    # Eight probes of 1 EUR within a minute, published (initiated, then executed) as the payments service does.
    probes = [payment_initiated(customer, account, 100, creditor_account_id=shop) for _ in range(8)]
    await processed(FEATURES_PIPELINE, await publish(*probes, *(payment_executed(p) for p in probes)))
    assert await _small_count(settings, customer) == 8  # every probe and execution applied: the final count

    payment = _transaction(customer, account, 150, creditor_account_id=shop)
    after = await _fraud(settings, payment)
    assert not after.model_unavailable and after.features["customer_small_payment_count_10m"] == 8
    assert abs(after.fraud_score - _local_score("fraud", after.features, after.model.model_version)) <= 1e-6
    # The model alone sees the burst: its score crosses the review threshold from far below.
    assert before.fraud_score < 0.05 and after.fraud_score >= settings.risk.fraud_review_threshold
    assert fa.FRAUD_REASON_CODE_MODEL_SCORE_HIGH in {r.code for r in after.reasons}
    assert after.decision == fa.FRAUD_DECISION_DECLINE
    assert {"card_testing.small_burst.10m", "velocity.payments.1m"} <= {r.rule_id for r in after.fired_rules}
    # Idempotent per payment: the stored assessment comes back.
    again = await _fraud(settings, payment)
    assert again.fraud_assessment_id == after.fraud_assessment_id
    async with channel(settings, "risk", "cli", "risk_officer compliance_officer") as ch:
        listed = await fraud_grpc.FraudDetectionServiceStub(ch).ListFraudAssessments(
            fraud_pb.ListFraudAssessmentsRequest(customer_id=customer)
        )
    assert [a.fraud_assessment_id for a in listed.fraud_assessments] == [
        after.fraud_assessment_id,
        before.fraud_assessment_id,
    ]


def _application(customer: str, income: int, debt: int, requested: int, **applicant) -> credit.CreditApplication:
    application = credit.CreditApplication(
        application_id=str(uuid.uuid4()), customer_id=customer, term_months=36, purpose=credit.CREDIT_PURPOSE_VEHICLE
    )
    application.applicant.employment_status = credit.EMPLOYMENT_STATUS_FULL_TIME
    for field, value in applicant.items():
        setattr(application.applicant, field, value)
    a = application.applicant
    for money, amount in ((a.annual_income, income), (a.existing_debt, debt), (a.monthly_debt_payments, debt // 60),
                          (application.requested_amount, requested)):  # fmt: skip
        money.amount_minor, money.currency_code = amount, "EUR"
    application.submit_time.FromDatetime(datetime.now(UTC))
    return application


async def _credit(settings: Settings, application: credit.CreditApplication) -> credit.CreditAssessment:
    async with channel(settings, "risk", "cli", "risk_officer compliance_officer") as ch:
        response = await credit_grpc.CreditRiskAssessmentServiceStub(ch).EvaluateCreditRisk(
            credit_pb.EvaluateCreditRiskRequest(application=application, request_id=str(uuid.uuid4())), timeout=5
        )
    return response.credit_assessment


@MODELED
async def test_credit_assessments_take_the_probability_of_default_from_the_model(settings: Settings):
    customer = str(uuid.uuid4())
    sound = _application(customer, 6_000_000, 300_000, 1_000_000, credit_history_months=150, employment_months=90,
                         open_credit_lines=3)  # fmt: skip
    weak = _application(customer, 1_800_000, 2_500_000, 2_400_000, credit_history_months=8, employment_months=3,
                        open_credit_lines=6, recent_delinquencies=4, past_defaults=1)  # fmt: skip
    good, bad = await _credit(settings, sound), await _credit(settings, weak)
    for application, assessment in ((sound, good), (weak, bad)):
        expected = _local_score("credit", applicant_features(applicant_of(application)))
        assert assessment.model.model_name == "credit" and assessment.model.model_version == "1"
        assert abs(assessment.probability_of_default - expected) <= 1e-6
        assert assessment.score > 0 and assessment.grade != credit.CREDIT_GRADE_UNSPECIFIED
    assert good.probability_of_default < bad.probability_of_default and good.score > bad.score
    assert good.grade < bad.grade and good.decision == credit.CREDIT_DECISION_APPROVE
    assert bad.decision == credit.CREDIT_DECISION_DECLINE and bad.adverse_action_reasons
    # The reasons are the model's: the inputs that raised this applicant's score most, as ml explains it.
    request = srv.PredictRequest(model_name="credit", request_id=str(uuid.uuid4()), include_contributions=True)
    instance = request.instances.add(entity_id=customer)
    for name, value in applicant_features(applicant_of(weak)).items():
        instance.features[name].double_value = value
    async with channel(settings, "ml", "risk") as ch:
        explained = (await srv_grpc.ModelServingServiceStub(ch).Predict(request, timeout=5)).predictions[0]
    contributions = {c.feature_name: c.contribution for c in explained.contributions}
    expected = [code for code, _ in rules.adverse_reasons(rules_inputs(weak), contributions)[:4]]
    assert [r.code for r in bad.adverse_action_reasons] == expected and expected
    assert expected[0] in {credit.ADVERSE_ACTION_REASON_CODE_DELINQUENCIES,
                           credit.ADVERSE_ACTION_REASON_CODE_HIGH_DEBT_TO_INCOME,
                           credit.ADVERSE_ACTION_REASON_CODE_AMOUNT_TOO_HIGH,
                           credit.ADVERSE_ACTION_REASON_CODE_PREVIOUS_DEFAULTS}  # fmt: skip


async def _screen(settings: Settings, name: str, request_id: str | None = None, **party) -> ss.SanctionsScreening:
    request = rc.ScreenPartyRequest(
        party=ss.ScreenedParty(party_id=str(uuid.uuid4()), party_type=ss.PARTY_TYPE_INDIVIDUAL, full_name=name,
                               country_code=party.pop("country_code", "DE"), **party),
        trigger=ss.SCREENING_TRIGGER_ONBOARDING, request_id=request_id or str(uuid.uuid4()),
    )  # fmt: skip
    async with channel(settings, "risk", "customer") as ch:
        return (await rc_grpc.RegulatoryComplianceServiceStub(ch).ScreenParty(request, timeout=5)).screening


async def test_sanctions_screening_matches_variants_of_a_listed_name_and_clears_others(settings: Settings):
    for variant in ("Morozov, Viktr Dragulescu", "VIKTOR DRAGULESCU-MOROZOV", "Victor Dragulescu"):
        screening = await _screen(settings, variant)
        assert screening.match_status == ss.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH, variant
        assert screening.matches[0].list_entry_id == "FSL-0001" and screening.screened_lists
    request_id = str(uuid.uuid4())
    clear = await _screen(settings, "Anna Katharina Schmidt", request_id)
    assert clear.match_status == ss.SANCTIONS_MATCH_STATUS_CLEAR and not clear.matches
    assert (await _screen(settings, "Someone Else", request_id)).screening_id == clear.screening_id


async def test_dates_that_are_no_calendar_dates_are_invalid_arguments_naming_the_field(settings: Settings):
    """Found by the gRPC fuzzer: an empty report period or an impossible birth date was a bug (INTERNAL)."""
    report = rc.GenerateRegulatoryReportRequest(
        report_type=report_pb.REGULATORY_REPORT_TYPE_SUSPICIOUS_ACTIVITY, jurisdiction_code="DE",
        request_id=str(uuid.uuid4()),
    )  # fmt: skip
    start, end = report.period.start_date, report.period.end_date
    start.year, start.month, start.day = 2026, 0, 1  # set, but no day of the calendar
    end.year, end.month, end.day = 2026, 2, 30
    async with channel(settings, "risk", "cli", "compliance_officer") as ch:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await rc_grpc.RegulatoryComplianceServiceStub(ch).GenerateRegulatoryReport(report, timeout=5)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _violated(caught.value) == ["period.start_date", "period.end_date"]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _screen(settings, "Anna Schmidt", date_of_birth=date_pb2.Date(year=1990, month=13, day=1))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _violated(caught.value) == ["party.date_of_birth"]


def _violated(error: grpc.aio.AioRpcError) -> list[str]:
    status = rpc_status.from_call(error)
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            return [v.field for v in bad.field_violations]
    return []


async def test_aml_alerts_feed_the_report_and_the_audit_trail_detects_tampering(settings: Settings):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    decisions = []
    async with channel(settings, "risk", "payments") as ch:
        stub = rc_grpc.RegulatoryComplianceServiceStub(ch)
        for amount in (950_000, 960_000, 940_000):  # three cash deposits just under 10,000 EUR
            cash = {"transaction_type": txn.TRANSACTION_TYPE_CASH_DEPOSIT, "channel": txn.TRANSACTION_CHANNEL_BRANCH}
            t = _transaction(customer, account, amount, direction=txn.TRANSACTION_DIRECTION_INCOMING, **cash)
            response = await stub.EvaluateTransactionAml(rc.EvaluateTransactionAmlRequest(transaction=t), timeout=5)
            decisions.append(response.aml_assessment)
        t = _transaction(customer, account, 10_000, channel=txn.TRANSACTION_CHANNEL_WEB,
                         transaction_type=txn.TRANSACTION_TYPE_CREDIT_TRANSFER)  # fmt: skip
        t.counterparty.country_code = "KP"
        embargoed = (await stub.EvaluateTransactionAml(rc.EvaluateTransactionAmlRequest(transaction=t))).aml_assessment
    assert [d.decision for d in decisions] == [aml.AML_DECISION_CLEAR, aml.AML_DECISION_CLEAR, aml.AML_DECISION_REVIEW]
    assert decisions[2].alerts[0].rule_code == aml.AML_RULE_CODE_STRUCTURING
    assert len(decisions[2].alerts[0].related_payment_ids) == 2
    assert embargoed.decision == aml.AML_DECISION_BLOCK

    today = datetime.now(UTC).date()
    request = rc.GenerateRegulatoryReportRequest(
        report_type=report_pb.REGULATORY_REPORT_TYPE_SUSPICIOUS_ACTIVITY, jurisdiction_code="DE",
        customer_id=customer, request_id=str(uuid.uuid4()), narrative="structuring and an embargoed country",
    )  # fmt: skip
    for field in (request.period.start_date, request.period.end_date):
        field.year, field.month, field.day = today.year, today.month, today.day
    async with channel(settings, "risk", "cli", "risk_officer compliance_officer") as ch:
        stub = rc_grpc.RegulatoryComplianceServiceStub(ch)
        pending = (await stub.GenerateRegulatoryReport(request)).regulatory_report
        assert pending.state == report_pb.REGULATORY_REPORT_STATE_PENDING
        done = await eventually(
            lambda: stub.RetrieveRegulatoryReport(
                rc.RetrieveRegulatoryReportRequest(regulatory_report_id=pending.regulatory_report_id)
            ),
            lambda r: r.regulatory_report.state == report_pb.REGULATORY_REPORT_STATE_SUCCEEDED,
        )
        assert done.regulatory_report.record_count == 2 and len(done.regulatory_report.document_sha256) == 32
        trail = (await stub.ListAuditRecords(rc.ListAuditRecordsRequest(customer_id=customer))).audit_records
    assert [r.resource_type for r in trail] == ["aml_assessment"] * 4
    assert trail[0].actor.endswith("/sa/payments") and trail[1].previous_record_hash

    verify = [sys.executable, "-m", "services.risk.adapters.audit", "verify"]
    intact = subprocess.run(verify, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    database = Database.for_service("risk", settings)
    target = trail[2].audit_record_id
    try:
        async with database.transaction() as session:
            original = await session.scalar(text("SELECT details FROM audit_records WHERE id = :id"), {"id": target})
            await session.execute(
                text("""UPDATE audit_records SET details = '{"decision": "AML_DECISION_CLEAR"}' WHERE id = :id"""),
                {"id": target},
            )
        tampered = subprocess.run(verify, capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert tampered.returncode == 1 and target in tampered.stdout and "TAMPERED" in tampered.stdout
    finally:
        async with database.transaction() as session:
            await session.execute(
                text("UPDATE audit_records SET details = CAST(:d AS jsonb) WHERE id = :id"),
                {"d": json.dumps(original), "id": target},
            )
        await database.dispose()
    assert subprocess.run(verify, capture_output=True, text=True, cwd=ROOT, timeout=60).returncode == 0


async def test_a_report_a_crash_left_pending_is_finished_by_the_service(settings: Settings):
    """The report's row is the job: one left PENDING (the process died after the request committed, before
    generation finished) is found and generated by the service's ReportGeneration, with no new request."""
    today = datetime.now(UTC).date()
    report = report_pb.RegulatoryReport(
        regulatory_report_id=str(uuid.uuid4()), report_type=report_pb.REGULATORY_REPORT_TYPE_SUSPICIOUS_ACTIVITY,
        jurisdiction_code="DE", customer_id=str(uuid.uuid4()), format=report_pb.REGULATORY_REPORT_FORMAT_CSV,
        state=report_pb.REGULATORY_REPORT_STATE_PENDING, requester="spiffe://tests/crashed",
    )  # fmt: skip
    for field in (report.period.start_date, report.period.end_date):
        field.year, field.month, field.day = today.year, today.month, today.day
    now = datetime.now(UTC)
    report.create_time.FromDatetime(now)
    database = Database.for_service("risk", settings)
    try:
        async with database.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO regulatory_reports (id, request_id, state, create_time, body)"
                    " VALUES (:id, :request_id, :state, :create_time, :body)"
                ),
                {"id": uuid.UUID(report.regulatory_report_id), "request_id": uuid.uuid4(), "state": report.state,
                 "create_time": now, "body": report.SerializeToString()},
            )  # fmt: skip
    finally:
        await database.dispose()
    async with channel(settings, "risk", "cli", "risk_officer compliance_officer") as ch:
        stub = rc_grpc.RegulatoryComplianceServiceStub(ch)
        retrieve = rc.RetrieveRegulatoryReportRequest(regulatory_report_id=report.regulatory_report_id)
        done = await eventually(
            lambda: stub.RetrieveRegulatoryReport(retrieve),
            lambda r: r.regulatory_report.state != report_pb.REGULATORY_REPORT_STATE_PENDING,
            timeout=30,
        )
    assert done.regulatory_report.state == report_pb.REGULATORY_REPORT_STATE_SUCCEEDED
    assert done.regulatory_report.record_count == 0 and len(done.regulatory_report.document_sha256) == 32
    assert done.regulatory_report.document_uri.endswith(f"/{report.regulatory_report_id}/document.csv")


# Last in the file: the risk service's breaker to ml may stay open a few seconds after the outage.
@MODELED
@pytest.mark.parametrize("component", ["triton", "ml"])
async def test_without_the_model_the_rules_decide_and_the_fallback_is_marked(mesh, settings: Settings, component):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    await asyncio.to_thread(mesh.stop, component)
    try:
        assessment = await _fraud(settings, _transaction(customer, account, 4_000))
        assert assessment.model_unavailable and assessment.fraud_score == 0 and not assessment.HasField("model")
        assert assessment.decision == fa.FRAUD_DECISION_APPROVE and assessment.rule_set_version
        # A large first payment to a new counterparty still gets the rules' REVIEW.
        risky = await _fraud(settings, _transaction(customer, account, 500_000, creditor_account_id=str(uuid.uuid4())))
        assert risky.model_unavailable and risky.decision == fa.FRAUD_DECISION_REVIEW
        assert "counterparty.new.large" in {r.rule_id for r in risky.fired_rules}
        # Credit decisions never fall back to rules.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _credit(settings, _application(customer, 5_000_000, 0, 1_000_000))
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await asyncio.to_thread(mesh.up, component)
