"""What every use case of a payment shares: the payment as the API shows it, recording a screening outcome,
booking an accepted payment (ExecutePayment and the scheduler), and the stranded screenings' recovery.

Every state change goes through the event store (`event_store.append`, or a `Batch` flushed once for
several appends: events, outbox, reservation, read model in one transaction). Execution books the
ledger posting in the same transaction as PaymentExecuted, so a payment is booked exactly once or not
at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import cast

import structlog
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import ledger_entry_pb2 as le
from fintech.payments.v1 import payment_pb2 as p
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters import keyed_responses
from services.payments.adapters.db import accounts, event_store, ledger, projection
from services.payments.adapters.db.accounts import ensure_internal_account
from services.payments.adapters.db.models import AccountRow
from services.payments.adapters.sealing import Sealer
from services.payments.app.ports import ChannelRollout, Screening, Verification
from services.payments.domain import payment as domain
from services.payments.domain.clearing import clearing_account_id
from services.payments.domain.execution_dates import due
from services.payments.domain.ledger import CREDIT, DEBIT, Leg
from services.payments.domain.payment import Folded
from services.payments.domain.screening import skipped
from services.runtime import access, idempotency
from services.runtime.db import Database
from services.runtime.errors import DomainError, FailedPrecondition, InvalidArgument, NotFound
from services.runtime.validation import Violation

log = structlog.get_logger("payments")
S = p.PaymentState
DESCRIPTION = "Credit transfer"
EXECUTION_REJECTIONS: dict[int, p.PaymentRejectionReason] = {
    ErrorReason.ERROR_REASON_INSUFFICIENT_FUNDS: p.PAYMENT_REJECTION_REASON_INSUFFICIENT_FUNDS,
    ErrorReason.ERROR_REASON_ACCOUNT_NOT_ACTIVE: p.PAYMENT_REJECTION_REASON_ACCOUNT_NOT_ACTIVE,
}


@dataclass
class Execution:
    folded: Folded
    ledger_posting_id: str = ""
    entries: list[le.LedgerEntry] = field(default_factory=list)
    failure: DomainError | None = None  # the payment was rejected at execution


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def check_range(start: datetime | None, end: datetime | None) -> None:
    """A listing's time range [start, end) ends after it starts (either may be open)."""
    if start is not None and end is not None and end <= start:
        raise InvalidArgument("invalid request: end_time", violations=[
            Violation("end_time", "must be after start_time")])  # fmt: skip


async def reachable_account(session: AsyncSession, account_id: str) -> AccountRow:
    """The account if the caller may reach it; unknown and another's are refused alike (AIP-211)."""
    row = await accounts.get(session, account_id)
    if row is None:
        raise access.unknown(NotFound(f"account {account_id} not found", metadata={"account_id": account_id}))
    access.require_owner(str(row.customer_id))
    return row


class PaymentsCore:
    def __init__(
        self,
        database: Database,
        sealer: Sealer,
        screening: Screening,
        verification: Verification | None,
        page_token_key: bytes = b"",
        channels: ChannelRollout | None = None,
    ) -> None:
        self.database = database
        self.sealer = sealer
        self.screening = screening
        self.verification = verification
        self.page_token_key = page_token_key  # signs ListPayments' page tokens
        self.channels = channels  # None: every channel open

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

    async def presented(self, folded: Folded) -> p.Payment:
        """`present` in a session of its own."""
        async with self.database.session() as session:
            return await self.present(session, folded)

    async def read(self, session: AsyncSession, payment_id: str) -> Folded:
        """The payment from the read model (written with its events), NotFound when unknown."""
        folded = await projection.load(session, uuid.UUID(payment_id))
        if folded is None:
            raise NotFound(f"payment {payment_id} not found", metadata={"payment_id": payment_id})
        return folded

    async def screened(self, session: AsyncSession, folded: Folded, outcome: p.ScreeningOutcome) -> Folded:
        """Append PaymentScreened and, unless accepted, PaymentHeld or PaymentRejected."""
        batch = event_store.Batch(folded.payment.payment_id, folded)
        self.append_screening(batch, outcome)
        return await batch.flush(session)

    @staticmethod
    def append_screening(batch: event_store.Batch, outcome: p.ScreeningOutcome) -> Folded:
        payment_id = batch.payment_id
        now = utc_now()
        events: list[Message] = [ev.PaymentScreened(payment_id=payment_id, screening_outcome=outcome)]
        hold, rejection = domain.screening_verdict(outcome)
        if hold:
            events.append(
                ev.PaymentHeld(payment_id=payment_id, hold_reason=cast(p.HoldReason, hold), hold_time=timestamp(now))
            )
        elif rejection:
            reason = cast(p.PaymentRejectionReason, rejection)
            events.append(
                ev.PaymentRejected(payment_id=payment_id, rejection_reason=reason, reject_time=timestamp(now))
            )
        return batch.append(batch.folded.version, events, now)

    # -- execution -----------------------------------------------------------------------------------

    async def book(self, session: AsyncSession, batch: event_store.Batch) -> Execution:
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
        legs = [Leg(debtor, DEBIT, amount.amount_minor),
                Leg(creditor, CREDIT, amount.amount_minor)]  # fmt: skip
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
                                          reject_time=timestamp(utc_now()))  # fmt: skip
            return Execution(batch.append(folded.version, [rejected]), failure=error)
        batch.reservation_written -= amount.amount_minor  # the posting released it with the balance
        executed = ev.PaymentExecuted(
            payment_id=payment.payment_id, ledger_posting_id=posting.ledger_posting_id,
            ledger_entries=posting.entries, execute_time=timestamp(posting.booking_time),
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
            result = await self.book(session, batch)
            await batch.flush(session)
        if result.failure is not None:  # the rejection is committed; the caller learns why
            raise result.failure
        return result

    async def hold_stranded(self, payment_id: uuid.UUID) -> None:
        """Hold a payment whose screening never finished (its process died) for review, as when risk is
        unreachable, and give its idempotency key the held payment as the outcome."""
        async with self.database.transaction() as session:
            folded = await event_store.load(session, payment_id)
            if folded.state == S.PAYMENT_STATE_SCREENING:
                held = await self.screened(session, folded, skipped())
                payment = await self.present(session, held)
                await idempotency.complete_unfinished(session, payment_id, keyed_responses.initiated_payment(payment))
                log.warning("payments.stranded_screening_held", payment_id=str(payment_id))
