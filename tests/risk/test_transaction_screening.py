"""ScreenTransaction against the real mesh: the same decisions and stored records as EvaluateTransactionFraud and
EvaluateTransactionAml, one assessment of each kind per payment whichever call (or how many at once) stored it.
Who may call it: tests/access (INTERNAL_CALLERS)."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from fintech.risk.v1 import aml_assessment_pb2 as aml
from fintech.risk.v1 import fraud_assessment_pb2 as fa
from fintech.risk.v1 import fraud_detection_service_pb2 as fraud_pb
from fintech.risk.v1 import fraud_detection_service_pb2_grpc as fraud_grpc
from fintech.risk.v1 import regulatory_compliance_service_pb2 as rc
from fintech.risk.v1 import regulatory_compliance_service_pb2_grpc as rc_grpc
from fintech.risk.v1 import transaction_pb2 as txn
from fintech.risk.v1 import transaction_screening_service_pb2 as ts
from fintech.risk.v1 import transaction_screening_service_pb2_grpc as ts_grpc
from sqlalchemy import text

from services.risk.adapters import audit
from services.risk.adapters.experiment import FlagExperiment
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.flags import Flags
from tests.features.support import channel
from tests.risk.test_risk_service import _transaction

pytestmark = pytest.mark.mesh("postgres", "kafka", "triton", "ml", "features", "risk")


async def _screen(settings: Settings, t: txn.Transaction) -> ts.ScreenTransactionResponse:
    async with channel(settings, "risk", "payments") as ch:
        request = ts.ScreenTransactionRequest(transaction=t)
        return await ts_grpc.TransactionScreeningServiceStub(ch).ScreenTransaction(request, timeout=10)


async def _separately(settings: Settings, t: txn.Transaction) -> tuple[fa.FraudAssessment, aml.AmlAssessment]:
    async with channel(settings, "risk", "payments") as ch:
        fraud, compliance = await asyncio.gather(
            fraud_grpc.FraudDetectionServiceStub(ch).EvaluateTransactionFraud(
                fraud_pb.EvaluateTransactionFraudRequest(transaction=t), timeout=10),
            rc_grpc.RegulatoryComplianceServiceStub(ch).EvaluateTransactionAml(
                rc.EvaluateTransactionAmlRequest(transaction=t), timeout=10),
        )  # fmt: skip
    return fraud.fraud_assessment, compliance.aml_assessment


async def _records(payment_id: str, fraud: fa.FraudAssessment, compliance: aml.AmlAssessment) -> tuple:
    """The payment's stored rows (table, count), its events and audit records (action, resource), sorted; the
    audit chain checked."""
    keys = [fraud.fraud_assessment_id, compliance.aml_assessment_id, *(a.aml_alert_id for a in compliance.alerts)]
    database = Database.for_service("risk")
    try:
        async with database.session() as session:
            rows = [
                (table, (await session.execute(text(f"SELECT count(*) FROM {table} WHERE payment_id = :p"),
                                               {"p": uuid.UUID(payment_id)})).scalar_one())
                for table in ("fraud_assessments", "aml_assessments", "aml_transactions")
            ]  # fmt: skip
            events = (await session.execute(
                text("SELECT event_type FROM outbox_events WHERE key = ANY(CAST(:keys AS text[]))"), {"keys": keys}
            )).scalars().all()  # fmt: skip
            records = (await session.execute(
                text("SELECT action, resource_type FROM audit_records WHERE subject = ANY(CAST(:keys AS text[]))"),
                {"keys": keys},
            )).all()  # fmt: skip
        intact, message = await audit.verify(database)
        assert intact, message
    finally:
        await database.dispose()
    return sorted(rows), sorted(events), sorted(tuple(r) for r in records)


ONE_EACH = [("aml_assessments", 1), ("aml_transactions", 1), ("fraud_assessments", 1)]


def _events(compliance: aml.AmlAssessment) -> list[str]:
    """The event types a screened payment publishes, sorted: one per assessment and one per AML alert."""
    alerts = ["fintech.risk.v1.AmlAlertRaised"] * len(compliance.alerts)
    return sorted([*alerts, "fintech.risk.v1.AmlTransactionEvaluated", "fintech.risk.v1.FraudEvaluated"])


def _blocked_transfer() -> txn.Transaction:
    """A first transfer to an embargoed country from a new customer: AML blocks it, fraud rules see a new payee."""
    t = _transaction(str(uuid.uuid4()), str(uuid.uuid4()), 2_500, creditor_account_id=str(uuid.uuid4()),
                     transaction_type=txn.TRANSACTION_TYPE_CREDIT_TRANSFER)  # fmt: skip
    t.counterparty.country_code = "KP"
    return t


async def _scored_by_production(settings: Settings, count: int) -> list[txn.Transaction]:
    """Blocked transfers the mesh's flags give the production model: the challenger scores a share of payments
    (split by payment id), and two model versions give two scores."""
    flags = Flags(settings.flags, f"test-screening-{uuid.uuid4()}")
    await flags.start()
    try:
        experiment = FlagExperiment(flags)
        found: list[txn.Transaction] = []
        while len(found) < count:
            if not experiment.assign(t := _blocked_transfer()).model_version:
                found.append(t)
        return found
    finally:
        await flags.stop()


async def test_one_call_decides_and_stores_what_the_two_calls_do(settings: Settings):
    separate, together = await _scored_by_production(settings, 2)
    fraud_then, aml_then = await _separately(settings, separate)
    screened = await _screen(settings, together)
    fraud_now, aml_now = screened.fraud_assessment, screened.aml_assessment

    # The same decisions, from the same inputs, rules and model.
    assert (fraud_now.decision, fraud_now.model_unavailable) == (fraud_then.decision, fraud_then.model_unavailable)
    assert abs(fraud_now.fraud_score - fraud_then.fraud_score) <= 1e-6 and dict(fraud_now.features) == dict(
        fraud_then.features
    )
    assert [r.rule_id for r in fraud_now.fired_rules] == [r.rule_id for r in fraud_then.fired_rules]
    assert [r.code for r in fraud_now.reasons] == [r.code for r in fraud_then.reasons]
    assert aml_now.decision == aml_then.decision == aml.AML_DECISION_BLOCK
    assert [a.rule_id for a in aml_now.alerts] == [a.rule_id for a in aml_then.alerts] != []
    assert fraud_now.transaction == together and aml_now.transaction == together

    # The same records: the rows, the events (FraudEvaluated, AmlTransactionEvaluated) and the audit records,
    # under the actions that name the evaluations.
    then = await _records(separate.payment_id, fraud_then, aml_then)
    now = await _records(together.payment_id, fraud_now, aml_now)
    assert now == then
    assert now[0] == ONE_EACH
    assert now[1] == _events(aml_now)
    assert now[2] == [
        ("/fintech.risk.v1.FraudDetectionService/EvaluateTransactionFraud", "fraud_assessment"),
        ("/fintech.risk.v1.RegulatoryComplianceService/EvaluateTransactionAml", "aml_assessment"),
    ]

    # Idempotent per payment, across the calls: the stored assessments come back from each.
    assert await _screen(settings, together) == screened
    assert await _separately(settings, together) == (fraud_now, aml_now)
    assert await _screen(settings, separate) == ts.ScreenTransactionResponse(
        fraud_assessment=fraud_then, aml_assessment=aml_then
    )


async def test_a_part_stored_by_an_earlier_call_is_answered_and_the_other_stored(settings: Settings):
    t = _blocked_transfer()
    async with channel(settings, "risk", "payments") as ch:
        request = fraud_pb.EvaluateTransactionFraudRequest(transaction=t)
        fraud = (await fraud_grpc.FraudDetectionServiceStub(ch).EvaluateTransactionFraud(request)).fraud_assessment
    screened = await _screen(settings, t)
    assert screened.fraud_assessment == fraud
    assert screened.aml_assessment.decision == aml.AML_DECISION_BLOCK
    rows, events, records = await _records(t.payment_id, fraud, screened.aml_assessment)
    assert (rows, events, len(records)) == (ONE_EACH, _events(screened.aml_assessment), 2)


async def test_concurrent_calls_for_one_payment_store_one_assessment_of_each(settings: Settings):
    t = _blocked_transfer()
    screened, separate = await asyncio.gather(
        asyncio.gather(*(_screen(settings, t) for _ in range(4))),
        asyncio.gather(*(_separately(settings, t) for _ in range(2))),
    )
    answers = [(s.fraud_assessment, s.aml_assessment) for s in screened] + list(separate)
    assert all(answer == answers[0] for answer in answers)
    rows, events, records = await _records(t.payment_id, *answers[0])
    assert (rows, events, len(records)) == (ONE_EACH, _events(answers[0][1]), 2)


async def test_a_transaction_is_required(settings: Settings):
    async with channel(settings, "risk", "payments") as ch:
        with pytest.raises(grpc.RpcError) as refused:
            await ts_grpc.TransactionScreeningServiceStub(ch).ScreenTransaction(ts.ScreenTransactionRequest())
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "transaction" in refused.value.details()
