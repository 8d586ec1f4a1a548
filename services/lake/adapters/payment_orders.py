"""InitiatePayment for a file's transfers, and RetrieveAccount for whose debtor account it is, as the lake
service's own workload (no end user: the mesh policy lets lake call these two, istio/authz-payments.yaml), on the
file channel."""

from __future__ import annotations

import grpc
from fintech.common.v1 import money_pb2
from fintech.payments.v1 import payment_initiation_service_pb2 as pis
from fintech.payments.v1 import payment_pb2 as p
from fintech.payments.v1 import position_keeping_service_pb2 as pks
from fintech.payments.v1.payment_initiation_service_pb2_grpc import PaymentInitiationServiceStub
from fintech.payments.v1.position_keeping_service_pb2_grpc import PositionKeepingServiceStub
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from libs.iso20022.pain001 import CreditTransfer, ExternalCreditor
from services.lake.domain import file_outcomes
from services.lake.domain.file_outcomes import Outcome
from services.runtime.clients import ServiceClient
from services.runtime.errors import DomainError

# A file is worked through in the background: a payment's screening may take a while under load.
TIMEOUT = 10.0


def request(transfer: CreditTransfer, idempotency_key: str) -> pis.InitiatePaymentRequest:
    message = pis.InitiatePaymentRequest(
        idempotency_key=idempotency_key,
        debtor_account_id=transfer.debtor_account_id,
        amount=money_pb2.Money(amount_minor=transfer.amount_minor, currency_code=transfer.currency),
        remittance_information=transfer.remittance,
        end_to_end_id=transfer.ref.end_to_end_id,
        channel=p.PAYMENT_CHANNEL_FILE,
    )
    if isinstance(transfer.creditor, ExternalCreditor):
        creditor = transfer.creditor
        message.creditor_external_account.CopyFrom(
            p.ExternalAccount(iban=creditor.iban, bic=creditor.bic, holder_name=creditor.name)
        )
    else:
        message.creditor_account_id = transfer.creditor
    # The file's requested execution date is not passed on: it is compared for idempotency, and a date that was
    # ahead when the file arrived may be past when a crashed round repeats it. Transfers execute at once.
    return message


class PaymentOrders:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client
        self._stub = client.stub(PaymentInitiationServiceStub)
        self._accounts = client.stub(PositionKeepingServiceStub)

    async def account_owner(self, account_id: str) -> str | None:
        try:
            response = await self._client.call(
                self._accounts.RetrieveAccount, pks.RetrieveAccountRequest(account_id=account_id)
            )
        except grpc.aio.AioRpcError as error:
            if error.code() in {grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED}:
                return None
            raise file_outcomes.NoOutcomeYet(error.code().name) from error
        except DomainError as error:
            raise file_outcomes.NoOutcomeYet(type(error).__name__) from error
        owner: str = response.account.customer_id
        return owner

    async def initiate(self, transfer: CreditTransfer, idempotency_key: str) -> Outcome:
        try:
            response = await self._client.call(
                self._stub.InitiatePayment, request(transfer, idempotency_key), timeout=TIMEOUT
            )
        except grpc.aio.AioRpcError as error:
            return file_outcomes.of_error(error.code().name, *_details(error))
        except DomainError as error:  # the client's own refusals: an open circuit, no time left
            raise file_outcomes.NoOutcomeYet(type(error).__name__) from error
        return file_outcomes.of_payment(response.payment)


def _details(error: grpc.aio.AioRpcError) -> tuple[str, list[str]]:
    """ErrorInfo's reason and the BadRequest's fields of a failed call."""
    status = rpc_status.from_call(error)
    reason, fields = "", []
    for detail in status.details if status is not None else []:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields = [violation.field for violation in bad.field_violations]
    return reason, fields
