"""TransactionScreeningService: protobuf <-> the screening use case (fraud and AML of a payment together)."""

from __future__ import annotations

from fintech.risk.v1 import transaction_screening_service_pb2 as pb
from fintech.risk.v1 import transaction_screening_service_pb2_grpc

from services.risk.app.screening import TransactionScreening
from services.runtime import access
from services.runtime.config import Settings
from services.runtime.grpc_types import Context


class TransactionScreeningApi(transaction_screening_service_pb2_grpc.TransactionScreeningServiceServicer):
    def __init__(self, screening: TransactionScreening, settings: Settings) -> None:
        self.screening = screening
        self.settings = settings

    async def ScreenTransaction(
        self, request: pb.ScreenTransactionRequest, context: Context
    ) -> pb.ScreenTransactionResponse:
        fraud, aml = await self.screening.screen(request.transaction, access.actor(context, self.settings))
        return pb.ScreenTransactionResponse(fraud_assessment=fraud, aml_assessment=aml)
