"""PositionKeepingService: accounts and their ledger entries. Logs carry ids only, never personal data."""

from __future__ import annotations

from datetime import UTC

from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import position_keeping_service_pb2 as pk
from fintech.payments.v1 import position_keeping_service_pb2_grpc as pk_grpc
from google.type.date_pb2 import Date

from services.payments.app.accounts import AccountOrder, Accounts
from services.runtime import access, idempotency, paging
from services.runtime.grpc_types import Context


class PositionKeeping(pk_grpc.PositionKeepingServiceServicer):
    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts

    async def OpenAccount(  # noqa: N802
        self, request: pk.OpenAccountRequest, context: Context
    ) -> pk.OpenAccountResponse:
        order = AccountOrder(
            idempotency_key=request.idempotency_key,
            request_digest=idempotency.request_hash(request),
            customer_id=request.customer_id,
            currency_code=request.currency_code,
            account_type=request.account_type,
            overdraft_limit=request.overdraft_limit if request.HasField("overdraft_limit") else None,
        )
        return pk.OpenAccountResponse(account=await self.accounts.open(access.caller(), order))

    async def RetrieveAccount(  # noqa: N802
        self, request: pk.RetrieveAccountRequest, context: Context
    ) -> pk.RetrieveAccountResponse:
        return pk.RetrieveAccountResponse(account=await self.accounts.retrieve(request.account_id))

    async def ListAccounts(  # noqa: N802
        self, request: pk.ListAccountsRequest, context: Context
    ) -> pk.ListAccountsResponse:
        who = access.caller()
        fingerprint = paging.fingerprint("accounts", request.customer_id, sorted(request.states), who.subject)
        accounts, token = await self.accounts.list_page(request.customer_id, list(request.states), request, fingerprint)
        return pk.ListAccountsResponse(accounts=accounts, next_page_token=token)

    async def ControlAccount(  # noqa: N802
        self, request: pk.ControlAccountRequest, context: Context
    ) -> pk.ControlAccountResponse:
        account = await self.accounts.control(
            access.caller(), request.account_id, action=request.action, reason=request.reason, note=request.note,
            expected_version=request.expected_version,
        )  # fmt: skip
        return pk.ControlAccountResponse(account=account)

    async def ListLedgerEntries(  # noqa: N802
        self, request: pk.ListLedgerEntriesRequest, context: Context
    ) -> pk.ListLedgerEntriesResponse:
        who = access.caller()
        times = (request.start_time.ToJsonString(), request.end_time.ToJsonString())
        fingerprint = paging.fingerprint("entries", request.account_id, times, who.subject)
        entries, token = await self.accounts.entries(
            request.account_id,
            request.start_time.ToDatetime(UTC) if request.HasField("start_time") else None,
            request.end_time.ToDatetime(UTC) if request.HasField("end_time") else None,
            request, fingerprint,
        )  # fmt: skip
        return pk.ListLedgerEntriesResponse(ledger_entries=entries, next_page_token=token)

    async def RetrieveExecutedPaymentTotals(  # noqa: N802
        self, request: pk.RetrieveExecutedPaymentTotalsRequest, context: Context
    ) -> pk.RetrieveExecutedPaymentTotalsResponse:
        totals = await self.accounts.executed_totals(
            request.start_time.ToDatetime(UTC) if request.HasField("start_time") else None,
            request.end_time.ToDatetime(UTC),
        )
        return pk.RetrieveExecutedPaymentTotalsResponse(totals=[
            pk.ExecutedPaymentTotal(
                booking_date=Date(year=t.booking_date.year, month=t.booking_date.month, day=t.booking_date.day),
                payment_count=t.payment_count,
                amount=Money(amount_minor=t.amount_minor, currency_code=t.currency_code),
            )
            for t in totals
        ])  # fmt: skip
