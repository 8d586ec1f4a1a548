"""FraudDetectionService: protobuf <-> the fraud use case."""

from __future__ import annotations

from datetime import UTC

from fintech.risk.v1 import fraud_detection_service_pb2, fraud_detection_service_pb2_grpc

from services.risk.app.fraud import FraudEvaluation
from services.risk.app.ports import FraudFilter, Page
from services.runtime import access
from services.runtime.config import Settings
from services.runtime.grpc_types import Context

pb = fraud_detection_service_pb2


class FraudDetection(fraud_detection_service_pb2_grpc.FraudDetectionServiceServicer):
    def __init__(self, fraud: FraudEvaluation, settings: Settings) -> None:
        self.fraud = fraud
        self.settings = settings

    async def EvaluateTransactionFraud(
        self, request: pb.EvaluateTransactionFraudRequest, context: Context
    ) -> pb.EvaluateTransactionFraudResponse:
        assessment = await self.fraud.evaluate(request.transaction, access.actor(context, self.settings))
        return pb.EvaluateTransactionFraudResponse(fraud_assessment=assessment)

    async def RetrieveFraudAssessment(
        self, request: pb.RetrieveFraudAssessmentRequest, context: Context
    ) -> pb.RetrieveFraudAssessmentResponse:
        assessment = await self.fraud.retrieve(request.fraud_assessment_id)
        return pb.RetrieveFraudAssessmentResponse(fraud_assessment=assessment)

    async def ListFraudAssessments(
        self, request: pb.ListFraudAssessmentsRequest, context: Context
    ) -> pb.ListFraudAssessmentsResponse:
        filters = FraudFilter(
            decision=request.decision, customer_id=request.customer_id, payment_id=request.payment_id,
            start_time=request.start_time.ToDatetime(tzinfo=UTC) if request.HasField("start_time") else None,
            end_time=request.end_time.ToDatetime(tzinfo=UTC) if request.HasField("end_time") else None,
        )  # fmt: skip
        assessments, token = await self.fraud.list(filters, Page(request, access.actor(context, self.settings)))
        return pb.ListFraudAssessmentsResponse(fraud_assessments=assessments, next_page_token=token)
