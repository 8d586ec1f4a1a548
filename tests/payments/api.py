"""The payments API over real gRPC (mTLS, edge-gateway claims), and verified customers to pay with."""

from __future__ import annotations

import asyncio
import uuid

import grpc
from fintech.common.v1.money_pb2 import Money
from fintech.customer.v1 import kyc_check_pb2 as k
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import payment_execution_service_pb2_grpc as esvc_grpc
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as isvc_grpc
from fintech.payments.v1 import payment_pb2 as p
from fintech.payments.v1 import position_keeping_service_pb2 as pk
from fintech.payments.v1 import position_keeping_service_pb2_grpc as pk_grpc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.runtime.config import Settings
from services.runtime.tls import channel_credentials
from tests.customer.support import Api as CustomerApi
from tests.customer.support import claims, new_customer, register, start_kyc
from tests.payments.support import fund, payments_database
from tests.people import person_credentials

TELLER = claims("teller-7", "teller")
OFFICER = claims("officer-7", "risk_officer")


class PaymentsApi:
    """Stubs of the payments service as `workload` (edge-gateway with claims, or cli with a person's `role`)."""

    def __init__(self, settings: Settings, workload: str = "edge-gateway", role: str | None = None) -> None:
        address = settings.service("payments").address
        # With `role`, a person's token on every call, as an operator's grpcurl sends it through `cli`.
        credentials = channel_credentials(workload, settings) if role is None else person_credentials(settings, role)
        self.channel = grpc.secure_channel(address, credentials)
        self.accounts = pk_grpc.PositionKeepingServiceStub(self.channel)
        self.payments = isvc_grpc.PaymentInitiationServiceStub(self.channel)
        self.execution = esvc_grpc.PaymentExecutionServiceStub(self.channel)

    def call(self, method, request, claims: str | None = TELLER):
        metadata = (("x-jwt-payload", claims),) if claims else ()
        return method(request, metadata=metadata, timeout=20)

    def open_account(self, customer_id: str, *, overdraft: int = 0, claims: str | None = TELLER,
                     account_type: int = a.ACCOUNT_TYPE_CURRENT) -> a.Account:  # fmt: skip
        request = pk.OpenAccountRequest(
            idempotency_key=str(uuid.uuid4()), customer_id=customer_id, currency_code="EUR",
            account_type=account_type, overdraft_limit=Money(amount_minor=overdraft, currency_code="EUR"),
        )  # fmt: skip
        return self.call(self.accounts.OpenAccount, request, claims).account

    def pay(self, debtor: str, creditor: str, amount: int, *, key: str | None = None, claims: str | None = TELLER,
            **fields) -> p.Payment:  # fmt: skip
        return self.call(self.payments.InitiatePayment, payment_request(debtor, creditor, amount, key, **fields),
                         claims).payment  # fmt: skip

    def balance(self, account_id: str) -> a.Account:
        return self.call(self.accounts.RetrieveAccount, pk.RetrieveAccountRequest(account_id=account_id))


def payment_request(debtor: str, creditor: str | p.ExternalAccount, amount: int, key: str | None = None,
                    **fields) -> isvc.InitiatePaymentRequest:  # fmt: skip
    request = isvc.InitiatePaymentRequest(
        idempotency_key=key or str(uuid.uuid4()), debtor_account_id=debtor,
        amount=Money(amount_minor=amount, currency_code="EUR"), channel=p.PAYMENT_CHANNEL_WEB, **fields,
    )  # fmt: skip
    if isinstance(creditor, p.ExternalAccount):
        request.creditor_external_account.CopyFrom(creditor)
    else:
        request.creditor_account_id = creditor
    return request


def verified_customer(settings: Settings) -> str:
    """A customer registered and KYC-verified through the real customer service."""
    api = CustomerApi(settings)
    customer = register(api, new_customer())
    check = start_kyc(api, customer.customer_id)
    assert check.state == k.KYC_CHECK_STATE_VERIFIED, check
    return customer.customer_id


def release_if_held(api: PaymentsApi, payment: p.Payment) -> p.Payment:
    if payment.state != p.PAYMENT_STATE_HELD_FOR_REVIEW:
        return payment
    request = isvc.ControlPaymentRequest(
        payment_id=payment.payment_id, decision=p.REVIEW_DECISION_RELEASE, note="Funding checked by hand."
    )
    return api.call(api.payments.ControlPayment, request, OFFICER).payment


class Bank:
    """The bank's internal funding account (large overdraft), opened by the back office (cli, an admin's token).

    Test money is booked from it straight through the ledger (a real balanced posting), so funding
    neither goes through screening nor counts in any customer's payment velocity.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cli = PaymentsApi(settings, "cli", role="admin")
        self.api = PaymentsApi(settings)
        self.account = self.cli.open_account(
            str(uuid.uuid4()), overdraft=10**13, claims=None, account_type=a.ACCOUNT_TYPE_INTERNAL
        ).account_id

    def fund(self, account_id: str, amount: int) -> None:
        async def run() -> None:
            database = await payments_database(self.settings)
            try:
                await fund(database, uuid.UUID(self.account), uuid.UUID(account_id), amount)
            finally:
                await database.dispose()

        asyncio.run(run())

    def customer(self, amount: int = 300_000, overdraft: int = 5_000) -> tuple[str, str]:
        """A new verified customer and their account, funded with `amount`."""
        customer_id = verified_customer(self.settings)
        account_id = self.api.open_account(customer_id, overdraft=overdraft).account_id
        self.fund(account_id, amount)
        return customer_id, account_id


def query(settings: Settings, sql: str, **params) -> list:
    """Rows of a statement on the payments database, committed (tests also change rows to break things)."""

    async def run():
        engine = create_async_engine(settings.postgres.url("payments"))
        try:
            async with engine.begin() as connection:
                result = await connection.execute(text(sql), params)
                return result.all() if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())
