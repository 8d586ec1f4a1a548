"""PaymentExecutionService (internal): execute an accepted payment, and rebuild the payments read model."""

from __future__ import annotations

from fintech.payments.v1 import payment_execution_service_pb2 as esvc
from fintech.payments.v1 import payment_execution_service_pb2_grpc as esvc_grpc

from services.payments.app.payments import Payments
from services.runtime.grpc_types import Context

MAX_REPORTED = 100  # mismatched payment ids in one response


class PaymentExecution(esvc_grpc.PaymentExecutionServiceServicer):
    def __init__(self, payments: Payments) -> None:
        self.payments = payments

    async def ExecutePayment(  # noqa: N802
        self, request: esvc.ExecutePaymentRequest, context: Context
    ) -> esvc.ExecutePaymentResponse:
        result = await self.payments.execute(request.payment_id, request.expected_version)
        payment = await self.payments.presented(result.folded)
        return esvc.ExecutePaymentResponse(
            payment=payment, ledger_posting_id=result.ledger_posting_id, ledger_entries=result.entries
        )

    async def ReplayPaymentProjections(  # noqa: N802
        self, request: esvc.ReplayPaymentProjectionsRequest, context: Context
    ) -> esvc.ReplayPaymentProjectionsResponse:
        report = await self.payments.replay_projections(request.payment_id, request.dry_run)
        response = esvc.ReplayPaymentProjectionsResponse(
            events_replayed=report.events_replayed,
            payments_rebuilt=report.payments_rebuilt,
            mismatch_count=len(report.mismatched),
            mismatched_payment_ids=report.mismatched[:MAX_REPORTED],
        )
        response.duration.FromNanoseconds(int(report.seconds * 1e9))
        return response
