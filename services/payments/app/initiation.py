"""InitiatePayment: the payment recorded with its amount reserved, screened, and booked when accepted and due.

It takes three transactions: the key's claim with the accounts' read; the recording (reservation, which
locks the debtor, and the first events); after screening, the outcome with the booking and the key's
response. tests/payments/test_statement_counts.py pins their statements.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import payment_pb2 as p
from sqlalchemy import Row

from services.payments.adapters import keyed_responses
from services.payments.adapters.db import event_store, ledger
from services.payments.app.core import PaymentsCore, timestamp, utc_now
from services.payments.domain import payment as domain
from services.payments.domain.execution_dates import due
from services.payments.domain.ledger import covers, insufficient_funds, require_active
from services.payments.domain.payment import Folded
from services.payments.domain.screening import transaction
from services.runtime import access, idempotency
from services.runtime.access import Principal
from services.runtime.errors import (
    Aborted,
    DeadlineExceeded,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from services.runtime.idempotency import Scope, Stored
from services.runtime.validation import Violation

S = p.PaymentState
MAX_DAYS_AHEAD = 365
# Errors after which nothing is stored for the idempotency key (the retry is processed afresh).
TRANSIENT = (Unavailable, DeadlineExceeded, Aborted)
SCREENING_REJECTIONS = (p.PAYMENT_REJECTION_REASON_FRAUD_DECLINED, p.PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED)
DOMAIN = "payments.fintech.svc"  # the ErrorInfo domain of stored errors


@dataclass(frozen=True)
class PaymentOrder:
    """What InitiatePayment asks for (api/initiation.py reads it from the request). `request_digest`: the
    request's idempotency hash, which a retry with the same key must match."""

    idempotency_key: str
    request_digest: str
    debtor_account_id: str
    amount: Money
    creditor_account_id: str = ""
    creditor_external_account: p.ExternalAccount | None = None
    remittance_information: str = ""
    client_fingerprint: p.ClientFingerprint | None = None
    requested_execution_date: Any = None  # a google.type.Date (its module has no type stubs)
    end_to_end_id: str = ""
    channel: p.PaymentChannel = p.PAYMENT_CHANNEL_UNSPECIFIED


def check_order(request: PaymentOrder, today: date | None = None) -> None:
    """The rules the field validation cannot state: positive amount, different accounts, date window."""
    violations = []
    if request.amount.amount_minor <= 0:
        violations.append(Violation("amount.amount_minor", "must be greater than zero (minor units)"))
    if request.requested_execution_date is not None:
        wanted = request.requested_execution_date
        today = today or utc_now().date()
        try:
            day = date(wanted.year, wanted.month, wanted.day)
        except ValueError:
            day = None
        if day is None or not today <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
            window = f"must be a date from today to {MAX_DAYS_AHEAD} days ahead"
            violations.append(Violation("requested_execution_date", window))
    if violations:
        fields = ", ".join(v.field for v in violations)
        raise InvalidArgument(f"invalid request: {fields}", violations=violations)
    if request.creditor_account_id and request.creditor_account_id == request.debtor_account_id:
        raise InvalidArgument(
            "debtor and creditor are the same account",
            reason=ErrorReason.ERROR_REASON_SAME_ACCOUNT,
            metadata={"account_id": request.debtor_account_id},
        )


def declined(folded: Folded) -> FailedPrecondition:
    outcome = folded.payment.screening_outcome
    codes = [*outcome.compliance_alert_codes, *outcome.fraud_reason_codes]
    return FailedPrecondition(
        "screening declined the payment",
        reason=ErrorReason.ERROR_REASON_PAYMENT_DECLINED,
        metadata={
            "payment_id": folded.payment.payment_id,
            "rejection_reason": p.PaymentRejectionReason.Name(folded.payment.rejection_reason),
            "reason_codes": ",".join(codes),
        },
    )


async def initiate(payments: PaymentsCore, who: Principal, request: PaymentOrder) -> p.Payment:
    """InitiatePayment: record the payment (its amount reserved), screen it, and book it when accepted and due."""
    check_order(request)
    scope = Scope(who.subject, "InitiatePayment", request.idempotency_key)
    ids = [uuid.UUID(i) for i in (request.debtor_account_id, request.creditor_account_id) if i]
    stored, accounts = await idempotency.claim_and_read(  # the accounts come with the claim's transaction
        payments.database, scope, request.request_digest,
        lambda session: ledger.read_accounts(session, ids),
    )  # fmt: skip
    if stored is not None:
        return await _replay(payments, stored)
    recorded: list[str] = []
    try:
        return await _initiate(payments, who, request, accounts or {}, scope, recorded)
    except TRANSIENT:
        if not recorded:
            await idempotency.release(payments.database, scope)
        raise
    except PermissionDenied:
        # Not the key's outcome: a refused call leaves nothing behind, and may be made again once allowed.
        if not recorded:
            await idempotency.release(payments.database, scope)
        raise
    except DomainError as error:
        if not recorded:  # a refusal before anything was recorded is the key's outcome
            async with payments.database.transaction() as session:
                await idempotency.complete(session, scope, error=error, domain=DOMAIN)
        raise


async def _replay(payments: PaymentsCore, stored: Stored) -> p.Payment:
    stored.raise_error()
    if stored.response is not None:
        return keyed_responses.stored_payment(stored.response)
    async with payments.database.session() as session:  # recorded, but its call never finished
        folded = await event_store.load(session, stored.resource_id or "")
        return await payments.present(session, folded)


async def _initiate(
    payments: PaymentsCore,
    who: Principal,
    request: PaymentOrder,
    accounts: dict[uuid.UUID, Row[Any]],
    scope: Scope,
    recorded: list[str],
) -> p.Payment:
    amount = request.amount
    try:
        debtor = _account(accounts, request.debtor_account_id)
    except NotFound as error:  # to a customer, an unknown account reads as another's
        raise access.unknown(error) from None
    creditor = _account(accounts, request.creditor_account_id) if request.creditor_account_id else None
    for account in filter(None, (debtor, creditor)):
        if account.currency_code != amount.currency_code:
            raise InvalidArgument(
                f"account {account.account_id} is in {account.currency_code}, not {amount.currency_code}",
                reason=ErrorReason.ERROR_REASON_CURRENCY_MISMATCH,
                metadata={"account_id": str(account.account_id)},
            )
        require_active(account)
    customer_id = str(debtor.customer_id)
    internal = debtor.account_type == a.ACCOUNT_TYPE_INTERNAL
    if internal and not who.has(access.ADMIN):
        raise PermissionDenied("only the back office pays from the bank's internal accounts")
    if not internal:
        access.require_owner(customer_id)
    if not internal and payments.verification is not None:
        await payments.verification.require_verified(customer_id)
    segment = "business" if debtor.account_type == a.ACCOUNT_TYPE_BUSINESS else "retail"
    if payments.channels is not None and not payments.channels.admits(request.channel, customer_id, segment):
        raise FailedPrecondition(
            f"the {p.PaymentChannel.Name(request.channel)} channel is not open to this customer yet",
            reason=ErrorReason.ERROR_REASON_CHANNEL_NOT_ENABLED,
            metadata={"channel": p.PaymentChannel.Name(request.channel)},
        )

    payment_id = str(uuid.uuid4())
    now = utc_now()
    async with payments.database.transaction() as session:
        data_key = await payments.sealer.key(session, customer_id, create=True)
        initiated = ev.PaymentInitiated(
            payment_id=payment_id, idempotency_key=request.idempotency_key, customer_id=customer_id,
            initiated_by=who.subject, debtor_account_id=request.debtor_account_id, amount=amount,
            end_to_end_id=request.end_to_end_id or "NOTPROVIDED", channel=request.channel,
            create_time=timestamp(now),
        )  # fmt: skip
        if request.creditor_account_id:
            initiated.creditor_account_id = request.creditor_account_id
        else:
            external = request.creditor_external_account or p.ExternalAccount()
            initiated.creditor_bic = external.bic
            initiated.creditor_external_account.CopyFrom(
                payments.sealer.seal(data_key, domain.CREDITOR_ACCOUNT, external.SerializeToString(deterministic=True))
            )
        if request.remittance_information:
            initiated.remittance_information.CopyFrom(
                payments.sealer.seal(data_key, domain.REMITTANCE, request.remittance_information.encode())
            )
        if request.client_fingerprint is not None:
            initiated.client_fingerprint.CopyFrom(
                payments.sealer.seal(data_key, domain.FINGERPRINT, request.client_fingerprint.SerializeToString())
            )
        if request.requested_execution_date is not None:
            initiated.requested_execution_date.CopyFrom(request.requested_execution_date)
        started = ev.PaymentScreeningStarted(payment_id=payment_id, start_time=timestamp(now))
        batch = event_store.Batch(payment_id, Folded())
        folded = batch.append(0, [initiated, started], now)
        # Reserving locks the debtor's row: the checks see the balance as it stays until the commit.
        locked = await ledger.move_reservation(session, debtor.account_id, folded.reserved_minor, now)
        if locked is None:  # accounts are never deleted: read with the claim, it is there
            raise NotFound(f"account {debtor.account_id} not found", metadata={"account_id": str(debtor.account_id)})
        batch.reservation_written = folded.reserved_minor
        require_active(locked)
        due_today = request.requested_execution_date is None or due_date(request.requested_execution_date) <= now.date()
        if due_today and not covers(locked, 0):  # its own amount is reserved already
            raise insufficient_funds(locked)
        folded = await batch.flush(session)
        await idempotency.recorded(session, scope, uuid.UUID(payment_id))
    recorded.append(payment_id)

    tx = transaction(
        folded.payment,
        remittance=request.remittance_information,
        creditor=request.creditor_external_account,
        fingerprint=request.client_fingerprint,
    )
    outcome = await payments.screening.screen(tx)
    return await _decide(payments, scope, folded, outcome)


async def _decide(payments: PaymentsCore, scope: Scope, folded: Folded, outcome: p.ScreeningOutcome) -> p.Payment:
    """Record the screening outcome and what follows (execution when accepted and due) with the
    key's outcome, in one transaction."""
    payment_id = folded.payment.payment_id
    try:
        async with payments.database.transaction() as session:
            batch = event_store.Batch(payment_id, folded)
            folded = payments.append_screening(batch, outcome)
            if folded.state == S.PAYMENT_STATE_ACCEPTED and due(folded.payment):
                await payments.book(session, batch)
            folded = await batch.flush(session)
            if folded.payment.rejection_reason in SCREENING_REJECTIONS:
                error = declined(folded)
                await idempotency.complete(session, scope, error=error, domain=DOMAIN)
            else:
                error = None
                payment = await payments.present(session, folded)
                await idempotency.complete(session, scope, response=keyed_responses.initiated_payment(payment))
        if error is not None:  # raised after the commit: the rejection and the key's outcome stay
            raise error
        return payment
    except Aborted:  # changed meanwhile (cancelled by its owner): answer with what it is now
        async with payments.database.transaction() as session:
            current = await event_store.load(session, payment_id)
            payment = await payments.present(session, current)
            await idempotency.complete(session, scope, response=keyed_responses.initiated_payment(payment))
            return payment


def _account(accounts: dict[uuid.UUID, Row[Any]], account_id: str) -> Row[Any]:
    """The account read with the idempotency claim (`ledger.read_accounts`); NOT_FOUND when it does not exist."""
    row = accounts.get(uuid.UUID(account_id))
    if row is None:
        raise NotFound(f"account {account_id} not found", metadata={"account_id": account_id})
    return row


def due_date(wanted: Any) -> date:
    """The google.type.Date as a date."""
    return date(wanted.year, wanted.month, wanted.day)
