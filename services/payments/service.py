"""The payments application: initiate, screen, execute, cancel and review payments.

Every state change goes through the event store (`event_store.append`, or a `Batch` flushed once for
several appends: events, outbox, reservation, read model in one transaction). Execution books the
ledger posting in the same transaction as PaymentExecuted, so a payment is booked exactly once or not
at all. The servicers (servicers.py) translate gRPC to these methods; the property tests drive them
directly.

InitiatePayment takes three transactions: the key's claim with the accounts' read; the recording
(reservation, which locks the debtor, and the first events); after screening, the outcome with the
booking and the key's response. tests/payments/test_statement_counts.py pins their statements.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import structlog
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import ledger_entry_pb2 as le
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p
from fintech.risk.v1 import transaction_pb2 as t
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments import domain, event_store, ledger, projection
from services.payments.clearing import clearing_account_id, ensure_internal_account
from services.payments.domain import Folded
from services.payments.screening import transaction
from services.payments.sealing import Sealer
from services.runtime import access, idempotency
from services.runtime.access import Principal
from services.runtime.db import Database
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

log = structlog.get_logger("payments")
S = p.PaymentState
MAX_DAYS_AHEAD = 365
DESCRIPTION = "Credit transfer"
# Errors after which nothing is stored for the idempotency key (the retry is processed afresh).
TRANSIENT = (Unavailable, DeadlineExceeded, Aborted)
SCREENING_REJECTIONS = (p.PAYMENT_REJECTION_REASON_FRAUD_DECLINED, p.PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED)
EXECUTION_REJECTIONS = {
    ErrorReason.ERROR_REASON_INSUFFICIENT_FUNDS: p.PAYMENT_REJECTION_REASON_INSUFFICIENT_FUNDS,
    ErrorReason.ERROR_REASON_ACCOUNT_NOT_ACTIVE: p.PAYMENT_REJECTION_REASON_ACCOUNT_NOT_ACTIVE,
}

DOMAIN = "payments.fintech.svc"  # the ErrorInfo domain of stored errors


class Screening(Protocol):
    async def screen(self, tx: t.Transaction) -> p.ScreeningOutcome: ...


class Verification(Protocol):
    async def require_verified(self, customer_id: str) -> None: ...


@dataclass
class Execution:
    folded: Folded
    ledger_posting_id: str = ""
    entries: list[le.LedgerEntry] = field(default_factory=list)
    failure: DomainError | None = None  # the payment was rejected at execution


def _now() -> datetime:
    return datetime.now(UTC)


def _pb_time(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def due(payment: p.Payment, today: date | None = None) -> bool:
    """Whether an accepted payment may be executed now (no requested date, or the date has come)."""
    if not payment.HasField("requested_execution_date"):
        return True
    wanted = payment.requested_execution_date
    return date(wanted.year, wanted.month, wanted.day) <= (today or _now().date())


def check_request(request: isvc.InitiatePaymentRequest, today: date | None = None) -> None:
    """The rules the field validation cannot state: positive amount, different accounts, date window."""
    violations = []
    if request.amount.amount_minor <= 0:
        violations.append(Violation("amount.amount_minor", "must be greater than zero (minor units)"))
    if request.HasField("requested_execution_date"):
        wanted = request.requested_execution_date
        today = today or _now().date()
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


class Payments:
    def __init__(
        self, database: Database, sealer: Sealer, screening: Screening, verification: Verification | None
    ) -> None:
        self.database = database
        self.sealer = sealer
        self.screening = screening
        self.verification = verification

    # -- reading -------------------------------------------------------------------------------------

    async def present(self, session: AsyncSession, folded: Folded) -> p.Payment:
        """The API's Payment: the fold with its personal fields opened (empty when the key is gone)."""
        payment = p.Payment()
        payment.CopyFrom(folded.payment)
        if not folded.sealed:
            return payment
        data_key = await self.sealer.key(session, payment.customer_id)

        def opened(name: str) -> bytes | None:
            sealed = folded.sealed.get(name)
            return self.sealer.open(data_key, name, sealed) if sealed is not None else None

        if (value := opened(domain.REMITTANCE)) is not None:
            payment.remittance_information = value.decode()
        if (value := opened(domain.CREDITOR_ACCOUNT)) is not None:
            payment.creditor_external_account.CopyFrom(p.ExternalAccount.FromString(value))
        note = opened(domain.RELEASE_NOTE) or opened(domain.REJECT_NOTE)
        if note is not None:
            payment.review.note = note.decode()
        if (value := opened(domain.CANCEL_REASON)) is not None:
            payment.cancel_reason = value.decode()
        return payment

    async def read(self, session: AsyncSession, payment_id: str) -> Folded:
        """The payment from the read model (written with its events), NotFound when unknown."""
        folded = await projection.load(session, uuid.UUID(payment_id))
        if folded is None:
            raise NotFound(f"payment {payment_id} not found", metadata={"payment_id": payment_id})
        return folded

    # -- initiation ----------------------------------------------------------------------------------

    async def initiate(self, who: Principal, request: isvc.InitiatePaymentRequest) -> isvc.InitiatePaymentResponse:
        check_request(request)
        scope = Scope(who.subject, "InitiatePayment", request.idempotency_key)
        ids = [uuid.UUID(i) for i in (request.debtor_account_id, request.creditor_account_id) if i]
        stored, accounts = await idempotency.claim_and_read(  # the accounts come with the claim's transaction
            self.database, scope, idempotency.request_hash(request, ignore=("client_fingerprint",)),
            lambda session: ledger.read_accounts(session, ids),
        )  # fmt: skip
        if stored is not None:
            return await self._replay(stored)
        recorded: list[str] = []
        try:
            return await self._initiate(who, request, accounts, scope, recorded)
        except TRANSIENT:
            if not recorded:
                await idempotency.release(self.database, scope)
            raise
        except PermissionDenied:
            # Not the key's outcome: a refused call leaves nothing behind, and may be made again once allowed.
            if not recorded:
                await idempotency.release(self.database, scope)
            raise
        except DomainError as error:
            if not recorded:  # a refusal before anything was recorded is the key's outcome
                async with self.database.transaction() as session:
                    await idempotency.complete(session, scope, error=error, domain=DOMAIN)
            raise

    async def _replay(self, stored: Stored) -> isvc.InitiatePaymentResponse:
        stored.raise_error()
        if stored.response is not None:
            return isvc.InitiatePaymentResponse.FromString(stored.response)
        async with self.database.session() as session:  # recorded, but its call never finished
            folded = await event_store.load(session, stored.resource_id)
            return isvc.InitiatePaymentResponse(payment=await self.present(session, folded))

    async def _initiate(
        self,
        who: Principal,
        request: isvc.InitiatePaymentRequest,
        accounts: dict[uuid.UUID, Row],
        scope: Scope,
        recorded: list[str],
    ) -> isvc.InitiatePaymentResponse:
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
            ledger.require_active(account)
        customer_id = str(debtor.customer_id)
        internal = debtor.account_type == a.ACCOUNT_TYPE_INTERNAL
        if internal and not who.has(access.ADMIN):
            raise PermissionDenied("only the back office pays from the bank's internal accounts")
        if not internal:
            access.require_owner(customer_id)
        if not internal and self.verification is not None:
            await self.verification.require_verified(customer_id)

        payment_id = str(uuid.uuid4())
        now = _now()
        async with self.database.transaction() as session:
            data_key = await self.sealer.key(session, customer_id, create=True)
            initiated = ev.PaymentInitiated(
                payment_id=payment_id, idempotency_key=request.idempotency_key, customer_id=customer_id,
                initiated_by=who.subject, debtor_account_id=request.debtor_account_id, amount=amount,
                end_to_end_id=request.end_to_end_id or "NOTPROVIDED", channel=request.channel,
                create_time=_pb_time(now),
            )  # fmt: skip
            if request.creditor_account_id:
                initiated.creditor_account_id = request.creditor_account_id
            else:
                external = request.creditor_external_account
                initiated.creditor_bic = external.bic
                initiated.creditor_external_account.CopyFrom(
                    self.sealer.seal(data_key, domain.CREDITOR_ACCOUNT, external.SerializeToString(deterministic=True))
                )
            if request.remittance_information:
                initiated.remittance_information.CopyFrom(
                    self.sealer.seal(data_key, domain.REMITTANCE, request.remittance_information.encode())
                )
            if request.HasField("client_fingerprint"):
                initiated.client_fingerprint.CopyFrom(
                    self.sealer.seal(data_key, domain.FINGERPRINT, request.client_fingerprint.SerializeToString())
                )
            if request.HasField("requested_execution_date"):
                initiated.requested_execution_date.CopyFrom(request.requested_execution_date)
            started = ev.PaymentScreeningStarted(payment_id=payment_id, start_time=_pb_time(now))
            batch = event_store.Batch(payment_id, Folded())
            folded = batch.append(0, [initiated, started], now)
            # Reserving locks the debtor's row: the checks see the balance as it stays until the commit.
            locked = await ledger.move_reservation(session, debtor.account_id, folded.reserved_minor, now)
            batch.reservation_written = folded.reserved_minor
            ledger.require_active(locked)
            due_today = not request.HasField("requested_execution_date") or due_date(request) <= now.date()
            if due_today and not ledger.covers(locked, 0):  # its own amount is reserved already
                raise ledger.insufficient_funds(locked)
            folded = await batch.flush(session)
            await idempotency.recorded(session, scope, uuid.UUID(payment_id))
        recorded.append(payment_id)

        tx = transaction(
            folded.payment,
            remittance=request.remittance_information,
            creditor=request.creditor_external_account if request.HasField("creditor_external_account") else None,
            fingerprint=request.client_fingerprint if request.HasField("client_fingerprint") else None,
        )
        outcome = await self.screening.screen(tx)
        return await self._decide(scope, folded, outcome)

    async def _decide(self, scope: Scope, folded: Folded, outcome: p.ScreeningOutcome) -> isvc.InitiatePaymentResponse:
        """Record the screening outcome and what follows (execution when accepted and due) with the
        key's outcome, in one transaction."""
        payment_id = folded.payment.payment_id
        try:
            async with self.database.transaction() as session:
                batch = event_store.Batch(payment_id, folded)
                folded = self._screen(batch, outcome)
                if folded.state == S.PAYMENT_STATE_ACCEPTED and due(folded.payment):
                    await self._book(session, batch)
                folded = await batch.flush(session)
                if folded.payment.rejection_reason in SCREENING_REJECTIONS:
                    error = declined(folded)
                    await idempotency.complete(session, scope, error=error, domain=DOMAIN)
                else:
                    error = None
                    response = isvc.InitiatePaymentResponse(payment=await self.present(session, folded))
                    await idempotency.complete(session, scope, response=response)
            if error is not None:  # raised after the commit: the rejection and the key's outcome stay
                raise error
            return response
        except Aborted:  # changed meanwhile (cancelled by its owner): answer with what it is now
            async with self.database.transaction() as session:
                current = await event_store.load(session, payment_id)
                response = isvc.InitiatePaymentResponse(payment=await self.present(session, current))
                await idempotency.complete(session, scope, response=response)
                return response

    async def screened(self, session: AsyncSession, folded: Folded, outcome: p.ScreeningOutcome) -> Folded:
        """Append PaymentScreened and, unless accepted, PaymentHeld or PaymentRejected."""
        batch = event_store.Batch(folded.payment.payment_id, folded)
        self._screen(batch, outcome)
        return await batch.flush(session)

    @staticmethod
    def _screen(batch: event_store.Batch, outcome: p.ScreeningOutcome) -> Folded:
        payment_id = batch.payment_id
        now = _now()
        events: list = [ev.PaymentScreened(payment_id=payment_id, screening_outcome=outcome)]
        hold, rejection = domain.screening_verdict(outcome)
        if hold:
            events.append(ev.PaymentHeld(payment_id=payment_id, hold_reason=hold, hold_time=_pb_time(now)))
        elif rejection:
            events.append(ev.PaymentRejected(payment_id=payment_id, rejection_reason=rejection,
                                             reject_time=_pb_time(now)))  # fmt: skip
        return batch.append(batch.folded.version, events, now)

    # -- execution -----------------------------------------------------------------------------------

    async def _book(self, session: AsyncSession, batch: event_store.Batch) -> Execution:
        """Post the payment's ledger entries and append PaymentExecuted to the batch, or reject it when
        the accounts refuse (funds, frozen), all in the caller's transaction (which flushes the batch)."""
        folded = batch.folded
        payment = folded.payment
        debtor = uuid.UUID(payment.debtor_account_id)
        amount = payment.amount
        if payment.creditor_account_id:
            creditor = uuid.UUID(payment.creditor_account_id)
        else:
            creditor = clearing_account_id(payment.creditor_external_account.bic, amount.currency_code)
            await ensure_internal_account(session, creditor, amount.currency_code)
        legs = [ledger.Leg(debtor, ledger.DEBIT, amount.amount_minor),
                ledger.Leg(creditor, ledger.CREDIT, amount.amount_minor)]  # fmt: skip
        try:
            posting = await ledger.post(
                session, legs, currency_code=amount.currency_code, description=DESCRIPTION,
                payment_id=payment.payment_id, own_reservations={debtor: amount.amount_minor}, events=batch.outbox,
            )  # fmt: skip
        except FailedPrecondition as error:
            rejection = EXECUTION_REJECTIONS.get(error.reason)
            if rejection is None:
                raise
            rejected = ev.PaymentRejected(payment_id=payment.payment_id, rejection_reason=rejection,
                                          reject_time=_pb_time(_now()))  # fmt: skip
            return Execution(batch.append(folded.version, [rejected]), failure=error)
        batch.reservation_written -= amount.amount_minor  # the posting released it with the balance
        executed = ev.PaymentExecuted(
            payment_id=payment.payment_id, ledger_posting_id=posting.ledger_posting_id,
            ledger_entries=posting.entries, execute_time=_pb_time(posting.booking_time),
        )  # fmt: skip
        folded = batch.append(folded.version, [executed], posting.booking_time)
        return Execution(folded, posting.ledger_posting_id, posting.entries)

    async def execute(self, payment_id: str, expected_version: int = 0, today: date | None = None) -> Execution:
        """ExecutePayment: book an ACCEPTED, due payment; an executed one returns its posting.

        `today`: the business date the execution runs for (the scheduler's; default the current date)."""
        async with self.database.transaction() as session:
            folded = await event_store.load(session, payment_id)
            if folded.state == S.PAYMENT_STATE_ACCEPTED:  # serialise with other bookings of the debtor, re-read
                await ledger.lock_accounts(session, [uuid.UUID(folded.payment.debtor_account_id)])
                folded = await event_store.load(session, payment_id)
            if expected_version and folded.version != expected_version:
                raise event_store.stale(payment_id, expected_version, folded.version)
            if folded.state in (S.PAYMENT_STATE_EXECUTED, S.PAYMENT_STATE_SETTLED):
                entries = await ledger.entries_of_posting(session, folded.payment.ledger_posting_id)
                return Execution(folded, folded.payment.ledger_posting_id, entries)
            if folded.state != S.PAYMENT_STATE_ACCEPTED or not due(folded.payment, today):
                raise FailedPrecondition(
                    f"payment {payment_id} is {S.Name(folded.state)}"
                    + ("" if due(folded.payment, today) else ", not yet due"),
                    reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
                    metadata={"payment_id": payment_id},
                )
            batch = event_store.Batch(payment_id, folded)
            result = await self._book(session, batch)
            await batch.flush(session)
        if result.failure is not None:  # the rejection is committed; the caller learns why
            raise result.failure
        return result

    # -- cancel and review ---------------------------------------------------------------------------

    async def cancel(self, who: Principal, payment_id: str, reason: str, expected_version: int = 0) -> p.Payment:
        async with self.database.transaction() as session:
            try:
                folded = await event_store.load(session, payment_id)
            except NotFound as error:
                raise access.unknown(error) from None
            access.require_owner(folded.payment.customer_id)
            if folded.state == S.PAYMENT_STATE_CANCELLED:
                return await self.present(session, folded)
            if expected_version and folded.version != expected_version:
                raise event_store.stale(payment_id, expected_version, folded.version)
            cancelled = ev.PaymentCancelled(
                payment_id=payment_id, cancelled_by=who.subject, cancel_time=_pb_time(_now())
            )
            if reason:
                data_key = await self.sealer.key(session, folded.payment.customer_id, create=True)
                cancelled.cancel_reason.CopyFrom(self.sealer.seal(data_key, domain.CANCEL_REASON, reason.encode()))
            folded = await event_store.append(session, payment_id, folded.version, [cancelled], current=folded)
            return await self.present(session, folded)

    async def control(
        self, who: Principal, payment_id: str, decision: int, note: str, expected_version: int = 0
    ) -> p.Payment:
        async with self.database.transaction() as session:
            folded = await event_store.load(session, payment_id)
            if folded.payment.initiated_by == who.subject:
                raise PermissionDenied("a reviewer may not decide on a payment they initiated (four eyes)")
            review = folded.payment.review
            if review.decision == decision and review.reviewed_by:  # the same decision already took effect
                return await self.present(session, folded)
            if folded.state != S.PAYMENT_STATE_HELD_FOR_REVIEW:
                raise FailedPrecondition(
                    f"payment {payment_id} is {S.Name(folded.state)}, not held for review",
                    reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
                    metadata={"payment_id": payment_id},
                )
            if expected_version and folded.version != expected_version:
                raise event_store.stale(payment_id, expected_version, folded.version)
            now = _now()
            data_key = await self.sealer.key(session, folded.payment.customer_id, create=True)
            if decision == p.REVIEW_DECISION_RELEASE:
                event = ev.PaymentReleased(payment_id=payment_id, reviewed_by=who.subject, release_time=_pb_time(now))
                event.note.CopyFrom(self.sealer.seal(data_key, domain.RELEASE_NOTE, note.encode()))
            else:
                event = ev.PaymentRejected(payment_id=payment_id, reviewed_by=who.subject, reject_time=_pb_time(now),
                                           rejection_reason=p.PAYMENT_REJECTION_REASON_REVIEW_REJECTED)  # fmt: skip
                event.note.CopyFrom(self.sealer.seal(data_key, domain.REJECT_NOTE, note.encode()))
            batch = event_store.Batch(payment_id, folded)
            folded = batch.append(folded.version, [event], now)
            if folded.state == S.PAYMENT_STATE_ACCEPTED and due(folded.payment):
                await self._book(session, batch)
            return await self.present(session, await batch.flush(session))


def _account(accounts: dict[uuid.UUID, Row], account_id: str) -> Row:
    """The account read with the idempotency claim (`ledger.read_accounts`); NOT_FOUND when it does not exist."""
    row = accounts.get(uuid.UUID(account_id))
    if row is None:
        raise NotFound(f"account {account_id} not found", metadata={"account_id": account_id})
    return row


def due_date(request: isvc.InitiatePaymentRequest) -> date:
    wanted = request.requested_execution_date
    return date(wanted.year, wanted.month, wanted.day)
