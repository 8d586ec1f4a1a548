"""The payments service's API edge: PositionKeeping, PaymentInitiation and PaymentExecution.

Handlers find out who is calling (services.runtime.access), then hand over to the
application (service.py) or the ledger. Logs carry ids only, never personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

import grpc
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import payment_execution_service_pb2 as esvc
from fintech.payments.v1 import payment_execution_service_pb2_grpc as esvc_grpc
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as isvc_grpc
from fintech.payments.v1 import position_keeping_service_pb2 as pk
from fintech.payments.v1 import position_keeping_service_pb2_grpc as pk_grpc
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments import accounts, domain, projection
from services.payments.config import PaymentsKeys
from services.payments.ledger import entry_message
from services.payments.models import AccountRow, LedgerEntryRow, PaymentHistoryRow
from services.payments.service import TRANSIENT, Payments
from services.runtime import access, idempotency, paging
from services.runtime.access import Principal
from services.runtime.config import Settings
from services.runtime.errors import (
    DomainError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from services.runtime.idempotency import Scope
from services.runtime.validation import Violation

DEFAULT_PAGE_SIZE = 50
DEFAULT_ENTRY_PAGE_SIZE = 100

DOMAIN = "payments.fintech.svc"  # the ErrorInfo domain of stored errors


@dataclass
class PaymentsContext:
    """What the servicers share."""

    payments: Payments
    settings: Settings
    keys: PaymentsKeys

    @property
    def database(self):
        return self.payments.database

    def principal(self, context: grpc.aio.ServicerContext) -> Principal:
        """The caller of a public call (bound by the runtime's AccessControl, which refused anyone else)."""
        return access.caller()

    async def account(self, session: AsyncSession, account_id: str) -> AccountRow:
        """The account if the caller may reach it; unknown and another's are refused alike (AIP-211)."""
        row = await session.get(AccountRow, uuid.UUID(account_id))
        if row is None:
            raise access.unknown(NotFound(f"account {account_id} not found", metadata={"account_id": account_id}))
        access.require_owner(str(row.customer_id))
        return row

    async def page(
        self, session: AsyncSession, query, order: tuple, request, fingerprint: str, *, descending: bool,
        default_size: int, after_id=uuid.UUID,
    ) -> tuple[Sequence, str]:  # fmt: skip
        """One page in `order` (a time column, then an id column) and the signed token of the next."""
        key = self.keys.page_token_key
        return await paging.keyset_page(session, query, order, request, key, fingerprint, descending=descending,
                                        default_size=default_size, parse_id=after_id)  # fmt: skip


class PositionKeeping(pk_grpc.PositionKeepingServiceServicer):
    def __init__(self, ctx: PaymentsContext) -> None:
        self.ctx = ctx

    async def OpenAccount(self, request: pk.OpenAccountRequest, context) -> pk.OpenAccountResponse:
        ctx, who = self.ctx, self.ctx.principal(context)
        overdraft = request.overdraft_limit
        if request.HasField("overdraft_limit") and overdraft.currency_code != request.currency_code:
            raise InvalidArgument("the overdraft limit must be in the account's currency",
                                  reason=ErrorReason.ERROR_REASON_CURRENCY_MISMATCH)  # fmt: skip
        if overdraft.amount_minor < 0:
            raise InvalidArgument("invalid request: overdraft_limit.amount_minor", violations=[
                Violation("overdraft_limit.amount_minor", "must not be negative")])  # fmt: skip
        internal = request.account_type == a.ACCOUNT_TYPE_INTERNAL
        if internal and not who.has(access.ADMIN):
            raise PermissionDenied("internal accounts are opened only by the back office",
                                   reason=ErrorReason.ERROR_REASON_CALLER_NOT_ALLOWED)  # fmt: skip
        if not internal:
            access.require_owner(request.customer_id)
        scope = Scope(who.subject, "OpenAccount", request.idempotency_key)
        stored = await idempotency.claim(ctx.database, scope, idempotency.request_hash(request))
        if stored is not None:
            stored.raise_error()
            return pk.OpenAccountResponse.FromString(stored.response)
        try:
            if not internal and ctx.payments.verification is not None:
                await ctx.payments.verification.require_verified(request.customer_id)
            async with ctx.database.transaction() as session:
                row = await accounts.open_account(
                    session, customer_id=request.customer_id, currency_code=request.currency_code,
                    account_type=request.account_type, overdraft_limit_minor=overdraft.amount_minor,
                )  # fmt: skip
                response = pk.OpenAccountResponse(account=accounts.account_message(row))
                await idempotency.complete(session, scope, response=response)
            return response
        except DomainError as error:
            await _settle_key(ctx, scope, error)
            raise

    async def RetrieveAccount(self, request, context) -> pk.RetrieveAccountResponse:
        async with self.ctx.database.session() as session:
            row = await self.ctx.account(session, request.account_id)
            return pk.RetrieveAccountResponse(account=accounts.account_message(row))

    async def ListAccounts(self, request, context) -> pk.ListAccountsResponse:
        who = self.ctx.principal(context)
        access.require_owner(request.customer_id)
        query = select(AccountRow).where(AccountRow.customer_id == uuid.UUID(request.customer_id))
        if request.states:
            query = query.where(AccountRow.state.in_(list(request.states)))
        fingerprint = paging.fingerprint("accounts", request.customer_id, sorted(request.states), who.subject)
        async with self.ctx.database.session() as session:
            order = (AccountRow.open_time, AccountRow.account_id)
            rows, token = await self.ctx.page(
                session, query, order, request, fingerprint, descending=False, default_size=DEFAULT_PAGE_SIZE
            )
        return pk.ListAccountsResponse(accounts=[accounts.account_message(r) for r in rows], next_page_token=token)

    async def ControlAccount(self, request, context) -> pk.ControlAccountResponse:
        ctx, who = self.ctx, self.ctx.principal(context)
        if request.reason == a.ACCOUNT_STATUS_REASON_OTHER and not request.note:
            raise InvalidArgument("invalid request: note", violations=[
                Violation("note", "is required when the reason is OTHER")])  # fmt: skip
        account_id = uuid.UUID(request.account_id)
        async with ctx.database.transaction() as session:
            holder = await ctx.account(session, request.account_id)
            note = None
            if request.note:
                data_key = await ctx.payments.sealer.key(session, str(holder.customer_id), create=True)
                note = ctx.payments.sealer.seal(data_key, "fintech.payments.v1.AccountStatusChanged.note",
                                                request.note.encode())  # fmt: skip
            pending = await session.scalar(
                select(func.count()).select_from(PaymentHistoryRow).where(
                    or_(PaymentHistoryRow.debtor_account_id == account_id,
                        PaymentHistoryRow.creditor_account_id == account_id),
                    PaymentHistoryRow.state.in_(list(domain.RESERVING)),
                )
            )  # fmt: skip
            row = await accounts.control_account(
                session, request.account_id, action=request.action, reason=request.reason, changed_by=who.subject,
                note=note, expected_version=request.expected_version, pending_payments=pending,
            )  # fmt: skip
            return pk.ControlAccountResponse(account=accounts.account_message(row))

    async def ListLedgerEntries(self, request, context) -> pk.ListLedgerEntriesResponse:
        who = self.ctx.principal(context)
        _check_range(request)
        query = select(LedgerEntryRow).where(LedgerEntryRow.account_id == uuid.UUID(request.account_id))
        if request.HasField("start_time"):
            query = query.where(LedgerEntryRow.booking_time >= request.start_time.ToDatetime(UTC))
        if request.HasField("end_time"):
            query = query.where(LedgerEntryRow.booking_time < request.end_time.ToDatetime(UTC))
        times = (request.start_time.ToJsonString(), request.end_time.ToJsonString())
        fingerprint = paging.fingerprint("entries", request.account_id, times, who.subject)
        async with self.ctx.database.session() as session:
            await self.ctx.account(session, request.account_id)
            rows, token = await self.ctx.page(
                session, query, (LedgerEntryRow.booking_time, LedgerEntryRow.entry_sequence), request, fingerprint,
                descending=False, default_size=DEFAULT_ENTRY_PAGE_SIZE, after_id=int,
            )  # fmt: skip
        return pk.ListLedgerEntriesResponse(ledger_entries=[entry_message(r) for r in rows], next_page_token=token)


def _check_range(request) -> None:
    if (
        request.HasField("start_time")
        and request.HasField("end_time")
        and request.end_time.ToDatetime() <= (request.start_time.ToDatetime())
    ):
        raise InvalidArgument("invalid request: end_time", violations=[
            Violation("end_time", "must be after start_time")])  # fmt: skip


async def _settle_key(ctx: PaymentsContext, scope: Scope, error: DomainError) -> None:
    """After a failed keyed call: a transient failure or an access refusal frees the key (a refused call leaves
    nothing behind), any other is its stored outcome."""
    if isinstance(error, (*TRANSIENT, PermissionDenied)):
        await idempotency.release(ctx.database, scope)
    else:
        async with ctx.database.transaction() as session:
            await idempotency.complete(session, scope, error=error, domain=DOMAIN)


class PaymentInitiation(isvc_grpc.PaymentInitiationServiceServicer):
    def __init__(self, ctx: PaymentsContext) -> None:
        self.ctx = ctx

    async def InitiatePayment(self, request, context) -> isvc.InitiatePaymentResponse:
        return await self.ctx.payments.initiate(self.ctx.principal(context), request)

    async def RetrievePayment(self, request, context) -> isvc.RetrievePaymentResponse:
        payments = self.ctx.payments
        async with self.ctx.database.session() as session:
            try:
                folded = await payments.read(session, request.payment_id)
            except NotFound as error:
                raise access.unknown(error) from None
            await self._may_read(session, folded)
            return isvc.RetrievePaymentResponse(payment=await payments.present(session, folded))

    async def _may_read(self, session: AsyncSession, folded: domain.Folded) -> None:
        """A payment is its payer's and, when on us, its payee's too."""
        customers = [folded.payment.customer_id]
        if folded.payment.creditor_account_id and access.scoped_customer() not in (None, *customers):
            creditor = await session.get(AccountRow, uuid.UUID(folded.payment.creditor_account_id))
            customers.append(str(creditor.customer_id) if creditor else "")
        access.require_owner_of_any(customers)

    async def ListPayments(self, request, context) -> isvc.ListPaymentsResponse:
        who = self.ctx.principal(context)
        _check_range(request)
        query = select(PaymentHistoryRow)
        async with self.ctx.database.session() as session:
            if request.account_id:
                await self.ctx.account(session, request.account_id)
                account_id = uuid.UUID(request.account_id)
                query = query.where(or_(PaymentHistoryRow.debtor_account_id == account_id,
                                        PaymentHistoryRow.creditor_account_id == account_id))  # fmt: skip
            else:  # a customer lists by their own customer id (or account): never everyone's
                access.require_owner(request.customer_id)
            if request.customer_id:
                query = query.where(PaymentHistoryRow.customer_id == uuid.UUID(request.customer_id))
            if request.states:
                query = query.where(PaymentHistoryRow.state.in_(list(request.states)))
            if request.HasField("start_time"):
                query = query.where(PaymentHistoryRow.create_time >= request.start_time.ToDatetime(UTC))
            if request.HasField("end_time"):
                query = query.where(PaymentHistoryRow.create_time < request.end_time.ToDatetime(UTC))
            if request.settlement_batch_id:
                query = query.where(PaymentHistoryRow.settlement_batch_id == uuid.UUID(request.settlement_batch_id))
            fingerprint = paging.fingerprint(
                "payments", request.customer_id, request.account_id, sorted(request.states),
                request.start_time.ToJsonString(), request.end_time.ToJsonString(), request.settlement_batch_id,
                who.subject,
            )  # fmt: skip
            rows, token = await self.ctx.page(
                session, query, (PaymentHistoryRow.create_time, PaymentHistoryRow.payment_id), request, fingerprint,
                descending=True, default_size=DEFAULT_PAGE_SIZE,
            )  # fmt: skip
            payments = [await self.ctx.payments.present(session, projection.folded_from_row(r)) for r in rows]
        return isvc.ListPaymentsResponse(payments=payments, next_page_token=token)

    async def CancelPayment(self, request, context) -> isvc.CancelPaymentResponse:
        payment = await self.ctx.payments.cancel(
            self.ctx.principal(context), request.payment_id, request.reason, request.expected_version
        )
        return isvc.CancelPaymentResponse(payment=payment)

    async def ControlPayment(self, request, context) -> isvc.ControlPaymentResponse:
        payment = await self.ctx.payments.control(
            self.ctx.principal(context), request.payment_id, request.decision, request.note, request.expected_version
        )
        return isvc.ControlPaymentResponse(payment=payment)


class PaymentExecution(esvc_grpc.PaymentExecutionServiceServicer):
    def __init__(self, ctx: PaymentsContext) -> None:
        self.ctx = ctx

    async def ExecutePayment(self, request, context) -> esvc.ExecutePaymentResponse:
        result = await self.ctx.payments.execute(request.payment_id, request.expected_version)
        async with self.ctx.database.session() as session:
            payment = await self.ctx.payments.present(session, result.folded)
        return esvc.ExecutePaymentResponse(
            payment=payment, ledger_posting_id=result.ledger_posting_id, ledger_entries=result.entries
        )

    async def ReplayPaymentProjections(self, request, context) -> esvc.ReplayPaymentProjectionsResponse:
        payment_id = uuid.UUID(request.payment_id) if request.payment_id else None
        async with self.ctx.database.transaction() as session:
            report = await projection.replay(session, payment_id=payment_id, dry_run=request.dry_run)
        if payment_id is not None and report.payments_rebuilt == 0:
            raise NotFound(f"payment {request.payment_id} not found", metadata={"payment_id": request.payment_id})
        response = esvc.ReplayPaymentProjectionsResponse(
            events_replayed=report.events_replayed,
            payments_rebuilt=report.payments_rebuilt,
            mismatch_count=len(report.mismatched),
            mismatched_payment_ids=report.mismatched[: projection.MAX_REPORTED],
        )
        response.duration.FromNanoseconds(int(report.seconds * 1e9))
        return response
