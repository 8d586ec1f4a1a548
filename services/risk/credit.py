"""CreditRiskAssessmentService: the probability-of-default model, the scorecard, grade, policy and reasons.

No decision without the model: when the ml service cannot score, the call fails UNAVAILABLE.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import structlog
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.ml.v1 import feature_value_pb2 as ml_values
from fintech.ml.v1 import model_serving_service_pb2, model_serving_service_pb2_grpc
from fintech.risk.v1 import credit_assessment_pb2 as C
from fintech.risk.v1 import credit_risk_assessment_service_pb2 as pb
from fintech.risk.v1 import credit_risk_assessment_service_pb2_grpc, events_pb2
from sqlalchemy import select

from libs.featurespec.model_inputs import Applicant, applicant_features
from services.risk import rules, store
from services.risk.common import model_down, record_audit
from services.risk.models import credit_assessments
from services.runtime import access, outbox
from services.runtime.clients import ServiceClient
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.errors import FailedPrecondition, NotFound, Unavailable
from services.runtime.observability import safe_error

log = structlog.get_logger(__name__)
ACTION = "/fintech.risk.v1.CreditRiskAssessmentService/EvaluateCreditRisk"
VALIDITY = timedelta(days=30)
REASON_TEXT = {
    code: C.AdverseActionReasonCode.Name(code)
    .removeprefix("ADVERSE_ACTION_REASON_CODE_")
    .replace("_", " ")
    .capitalize()
    for code in C.AdverseActionReasonCode.values()
}


def applicant_of(application: C.CreditApplication) -> Applicant:
    """The credit model's view of an application (the same type training builds its rows from)."""
    a = application.applicant
    return Applicant(
        annual_income_minor=a.annual_income.amount_minor, total_debt_minor=a.existing_debt.amount_minor,
        requested_amount_minor=application.requested_amount.amount_minor,
        credit_history_months=a.credit_history_months, employment_months=a.employment_months,
        open_credit_lines=a.open_credit_lines, recent_delinquencies=a.recent_delinquencies,
        past_defaults=a.past_defaults,
    )  # fmt: skip


def inputs_of(application: C.CreditApplication) -> rules.CreditInputs:
    a = application.applicant
    return rules.CreditInputs(
        annual_income=float(a.annual_income.amount_minor), existing_debt=float(a.existing_debt.amount_minor),
        monthly_debt_payments=float(a.monthly_debt_payments.amount_minor),
        requested_amount=float(application.requested_amount.amount_minor), term_months=application.term_months,
        employment_status=a.employment_status, employment_months=a.employment_months,
        credit_history_months=a.credit_history_months, open_credit_lines=a.open_credit_lines,
        past_defaults=a.past_defaults, recent_delinquencies=a.recent_delinquencies,
    )  # fmt: skip


class CreditRiskAssessment(credit_risk_assessment_service_pb2_grpc.CreditRiskAssessmentServiceServicer):
    def __init__(self, database: Database, settings: Settings, ml: ServiceClient) -> None:
        self.database = database
        self.settings = settings
        self.ml = ml
        self.source = settings.spiffe_id("risk")

    async def EvaluateCreditRisk(self, request, context: grpc.aio.ServicerContext):
        access.require_owner(request.application.customer_id)  # a customer applies for themselves only
        request_id = uuid.UUID(request.request_id)
        fingerprint = hashlib.sha256(request.application.SerializeToString(deterministic=True)).hexdigest()
        async with self.database.session() as session:
            row = (
                await session.execute(
                    select(credit_assessments.c.body, credit_assessments.c.fingerprint).where(
                        credit_assessments.c.request_id == request_id
                    )
                )
            ).first()
        if row is not None:
            if row.fingerprint != fingerprint:
                raise FailedPrecondition(
                    "request_id was used for another application",
                    reason=ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
                )
            return pb.EvaluateCreditRiskResponse(credit_assessment=C.CreditAssessment.FromString(row.body))
        inputs = inputs_of(request.application)
        predict = model_serving_service_pb2.PredictRequest(
            model_name="credit", request_id=str(uuid.uuid4()), include_contributions=True
        )
        instance = predict.instances.add(entity_id=request.application.customer_id)
        for name, value in applicant_features(applicant_of(request.application)).items():
            instance.features[name].CopyFrom(ml_values.FeatureValue(double_value=value))
        stub = self.ml.stub(model_serving_service_pb2_grpc.ModelServingServiceStub)
        try:
            response = await self.ml.call(stub.Predict, predict)
        except Exception as error:
            if not model_down(error):  # e.g. INVALID_ARGUMENT: the inputs do not match the model: a bug
                log.error("the ml service refused the credit model call", error=safe_error(error))
                raise
            log.warning("credit model unavailable", error=safe_error(error))
            raise Unavailable("the credit model is unavailable; no credit decision without it",
                              metadata={"dependency": "ml", "model": "credit"}) from None  # fmt: skip
        prediction = response.predictions[0]
        pd = min(max(prediction.score, 0.0), 1.0)
        grade = rules.credit_grade(pd)
        decision, fired = rules.credit_policy(inputs, grade)
        contributions = {c.feature_name: c.contribution for c in prediction.contributions}
        now = datetime.now(UTC)
        assessment = C.CreditAssessment(
            credit_assessment_id=str(uuid.uuid4()), application=request.application, probability_of_default=pd,
            score=rules.credit_score(pd), grade=grade, decision=decision, fired_policy_rules=fired,
            policy_version=rules.CREDIT_POLICY_VERSION,
        )  # fmt: skip
        assessment.model.model_name = response.model_name or "credit"
        assessment.model.model_version = response.model_version
        for code, share in rules.adverse_reasons(inputs, contributions)[:4]:
            assessment.adverse_action_reasons.add(
                code=code, description=REASON_TEXT[code], contribution=round(share, 4)
            )
        assessment.evaluate_time.FromDatetime(now)
        assessment.expire_time.FromDatetime(now + VALIDITY)
        async with self.database.transaction() as session:
            stored = await store.insert_once(session, credit_assessments, C.CreditAssessment, "request_id", {
                "id": uuid.UUID(assessment.credit_assessment_id), "request_id": request_id,
                "customer_id": uuid.UUID(request.application.customer_id), "decision": decision,
                "evaluate_time": now, "body": assessment.SerializeToString(), "fingerprint": fingerprint,
            })  # fmt: skip
            if stored is not None:  # a concurrent call with the same request id won
                return pb.EvaluateCreditRiskResponse(credit_assessment=stored)
            event = events_pb2.CreditRiskEvaluated(
                credit_assessment_id=assessment.credit_assessment_id, application_id=request.application.application_id,
                customer_id=request.application.customer_id, probability_of_default=pd, score=assessment.score,
                grade=grade, decision=decision, model=assessment.model, policy_version=assessment.policy_version,
                adverse_action_reason_codes=[r.code for r in assessment.adverse_action_reasons],
                evaluate_time=assessment.evaluate_time,
            )  # fmt: skip
            await outbox.record(session, event, subject=assessment.credit_assessment_id, sequence=1, source=self.source)
            await record_audit(
                session, context, self.settings, action=ACTION, resource_type="credit_assessment",
                subject=assessment.credit_assessment_id, customer_id=request.application.customer_id,
                details={"decision": C.CreditDecision.Name(decision), "grade": C.CreditGrade.Name(grade),
                         "probability_of_default": f"{pd:.4f}", "model_version": assessment.model.model_version},
            )  # fmt: skip
        return pb.EvaluateCreditRiskResponse(credit_assessment=assessment)

    async def RetrieveCreditAssessment(self, request, context):
        try:
            stored = await store.retrieve(
                self.database, credit_assessments, C.CreditAssessment, "credit assessment", request.credit_assessment_id
            )
        except NotFound as error:
            raise access.unknown(error) from None
        access.require_owner(stored.application.customer_id)
        return pb.RetrieveCreditAssessmentResponse(credit_assessment=stored)
