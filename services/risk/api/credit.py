"""CreditRiskAssessmentService: protobuf <-> the credit use case (a customer sees only their own)."""

from __future__ import annotations

import uuid

from fintech.risk.v1 import credit_risk_assessment_service_pb2 as pb
from fintech.risk.v1 import credit_risk_assessment_service_pb2_grpc

from services.risk.app.credit import CreditEvaluation
from services.runtime import access
from services.runtime.config import Settings
from services.runtime.errors import NotFound
from services.runtime.grpc_types import Context


class CreditRiskAssessment(credit_risk_assessment_service_pb2_grpc.CreditRiskAssessmentServiceServicer):
    def __init__(self, credit: CreditEvaluation, settings: Settings) -> None:
        self.credit = credit
        self.settings = settings

    async def EvaluateCreditRisk(
        self, request: pb.EvaluateCreditRiskRequest, context: Context
    ) -> pb.EvaluateCreditRiskResponse:
        access.require_owner(request.application.customer_id)  # a customer applies for themselves only
        assessment = await self.credit.evaluate(
            uuid.UUID(request.request_id), request.application, access.actor(context, self.settings)
        )
        return pb.EvaluateCreditRiskResponse(credit_assessment=assessment)

    async def RetrieveCreditAssessment(
        self, request: pb.RetrieveCreditAssessmentRequest, context: Context
    ) -> pb.RetrieveCreditAssessmentResponse:
        try:
            assessment = await self.credit.retrieve(request.credit_assessment_id)
        except NotFound as error:
            raise access.unknown(error) from None
        access.require_owner(assessment.application.customer_id)
        return pb.RetrieveCreditAssessmentResponse(credit_assessment=assessment)
