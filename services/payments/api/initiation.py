"""PaymentInitiationService: initiate, read, list, cancel and review payments. Logs carry ids only."""

from __future__ import annotations

from datetime import UTC

from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as isvc_grpc

from services.payments.app.payments import PaymentFilter, PaymentOrder, Payments
from services.runtime import access, idempotency, paging
from services.runtime.grpc_types import Context
from services.runtime.observability import tag_span


def order_of(request: isvc.InitiatePaymentRequest) -> PaymentOrder:
    """The payment order an InitiatePayment request asks for; its digest leaves out the client's fingerprint
    (a retry from another device is the same payment)."""
    return PaymentOrder(
        idempotency_key=request.idempotency_key,
        request_digest=idempotency.request_hash(request, ignore=("client_fingerprint",)),
        debtor_account_id=request.debtor_account_id,
        amount=request.amount,
        creditor_account_id=request.creditor_account_id,
        creditor_external_account=(
            request.creditor_external_account if request.HasField("creditor_external_account") else None
        ),
        remittance_information=request.remittance_information,
        client_fingerprint=request.client_fingerprint if request.HasField("client_fingerprint") else None,
        requested_execution_date=(
            request.requested_execution_date if request.HasField("requested_execution_date") else None
        ),
        end_to_end_id=request.end_to_end_id,
        channel=request.channel,
    )


class PaymentInitiation(isvc_grpc.PaymentInitiationServiceServicer):
    def __init__(self, payments: Payments) -> None:
        self.payments = payments

    async def InitiatePayment(  # noqa: N802
        self, request: isvc.InitiatePaymentRequest, context: Context
    ) -> isvc.InitiatePaymentResponse:
        payment = await self.payments.initiate(access.caller(), order_of(request))
        tag_span(payment_id=payment.payment_id)  # what `python -m tools.trace <payment id>` finds the trace by
        return isvc.InitiatePaymentResponse(payment=payment)

    async def RetrievePayment(  # noqa: N802
        self, request: isvc.RetrievePaymentRequest, context: Context
    ) -> isvc.RetrievePaymentResponse:
        return isvc.RetrievePaymentResponse(payment=await self.payments.retrieve(request.payment_id))

    async def ListPayments(  # noqa: N802
        self, request: isvc.ListPaymentsRequest, context: Context
    ) -> isvc.ListPaymentsResponse:
        who = access.caller()
        where = PaymentFilter(
            customer_id=request.customer_id, account_id=request.account_id, states=list(request.states),
            start=request.start_time.ToDatetime(UTC) if request.HasField("start_time") else None,
            end=request.end_time.ToDatetime(UTC) if request.HasField("end_time") else None,
            settlement_batch_id=request.settlement_batch_id,
        )  # fmt: skip
        fingerprint = paging.fingerprint(
            "payments", request.customer_id, request.account_id, sorted(request.states),
            request.start_time.ToJsonString(), request.end_time.ToJsonString(), request.settlement_batch_id,
            who.subject,
        )  # fmt: skip
        payments, token = await self.payments.list_page(where, request, fingerprint)
        return isvc.ListPaymentsResponse(payments=payments, next_page_token=token)

    async def CancelPayment(  # noqa: N802
        self, request: isvc.CancelPaymentRequest, context: Context
    ) -> isvc.CancelPaymentResponse:
        payment = await self.payments.cancel(
            access.caller(), request.payment_id, request.reason, request.expected_version
        )
        return isvc.CancelPaymentResponse(payment=payment)

    async def ControlPayment(  # noqa: N802
        self, request: isvc.ControlPaymentRequest, context: Context
    ) -> isvc.ControlPaymentResponse:
        payment = await self.payments.control(
            access.caller(), request.payment_id, request.decision, request.note, request.expected_version
        )
        return isvc.ControlPaymentResponse(payment=payment)
