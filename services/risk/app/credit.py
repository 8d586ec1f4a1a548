"""Assess a credit application: the probability-of-default model, the scorecard, grade, policy and reasons.

No decision without the model: when the ml service cannot score, the call fails UNAVAILABLE.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.risk.v1 import credit_assessment_pb2 as C

from libs.featurespec.model_inputs import applicant_features
from services.risk.app.ports import CreditAssessments, CreditModel
from services.risk.domain import rules
from services.risk.domain.credit import REASON_TEXT, VALIDITY, applicant_of, inputs_of
from services.runtime.errors import FailedPrecondition


class CreditEvaluation:
    def __init__(self, assessments: CreditAssessments, model: CreditModel) -> None:
        self.assessments = assessments
        self.model = model

    async def evaluate(self, request_id: uuid.UUID, application: C.CreditApplication, actor: str) -> C.CreditAssessment:
        fingerprint = hashlib.sha256(application.SerializeToString(deterministic=True)).hexdigest()
        found = await self.assessments.stored(request_id)
        if found is not None:
            if found.fingerprint != fingerprint:
                raise FailedPrecondition(
                    "request_id was used for another application",
                    reason=ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
                )
            return found.assessment
        inputs = inputs_of(application)
        prediction = await self.model.predict_credit(
            applicant_features(applicant_of(application)), application.customer_id
        )
        pd = prediction.probability_of_default
        grade = rules.credit_grade(pd)
        decision, fired = rules.credit_policy(inputs, grade)
        now = datetime.now(UTC)
        assessment = C.CreditAssessment(
            credit_assessment_id=str(uuid.uuid4()), application=application, probability_of_default=pd,
            score=rules.credit_score(pd), grade=grade, decision=decision, fired_policy_rules=fired,
            policy_version=rules.CREDIT_POLICY_VERSION,
        )  # fmt: skip
        assessment.model.CopyFrom(prediction.model)
        for code, share in rules.adverse_reasons(inputs, prediction.contributions)[:4]:
            assessment.adverse_action_reasons.add(
                code=code, description=REASON_TEXT[code], contribution=round(share, 4)
            )
        assessment.evaluate_time.FromDatetime(now)
        assessment.expire_time.FromDatetime(now + VALIDITY)
        stored = await self.assessments.record(request_id, assessment, fingerprint, actor)
        return stored if stored is not None else assessment  # a concurrent call with the same request id won

    async def retrieve(self, credit_assessment_id: str) -> C.CreditAssessment:
        return await self.assessments.retrieve(credit_assessment_id)
