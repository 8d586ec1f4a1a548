"""Cancelling a payment, and the review of a held one (four eyes)."""

from __future__ import annotations

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import payment_pb2 as p

from services.payments.adapters.db import event_store
from services.payments.app.core import PaymentsCore, timestamp, utc_now
from services.payments.domain import payment as domain
from services.payments.domain.execution_dates import due
from services.runtime import access
from services.runtime.access import Principal
from services.runtime.errors import FailedPrecondition, NotFound, PermissionDenied

S = p.PaymentState


async def cancel(
    payments: PaymentsCore, who: Principal, payment_id: str, reason: str, expected_version: int = 0
) -> p.Payment:
    """CancelPayment by its owner, while its amount is still reserved; a repeat returns it as it is."""
    async with payments.database.transaction() as session:
        try:
            folded = await event_store.load(session, payment_id)
        except NotFound as error:
            raise access.unknown(error) from None
        access.require_owner(folded.payment.customer_id)
        if folded.state == S.PAYMENT_STATE_CANCELLED:
            return await payments.present(session, folded)
        if expected_version and folded.version != expected_version:
            raise event_store.stale(payment_id, expected_version, folded.version)
        cancelled = ev.PaymentCancelled(
            payment_id=payment_id, cancelled_by=who.subject, cancel_time=timestamp(utc_now())
        )
        if reason:
            data_key = await payments.sealer.key(session, folded.payment.customer_id, create=True)
            cancelled.cancel_reason.CopyFrom(payments.sealer.seal(data_key, domain.CANCEL_REASON, reason.encode()))
        folded = await event_store.append(session, payment_id, folded.version, [cancelled], current=folded)
        return await payments.present(session, folded)


async def control(
    payments: PaymentsCore, who: Principal, payment_id: str, decision: int, note: str, expected_version: int = 0
) -> p.Payment:
    """ControlPayment: a reviewer (never its initiator) releases or rejects a held payment; a released one
    that is due is booked at once."""
    async with payments.database.transaction() as session:
        folded = await event_store.load(session, payment_id)
        if folded.payment.initiated_by == who.subject:
            raise PermissionDenied("a reviewer may not decide on a payment they initiated (four eyes)")
        review = folded.payment.review
        if review.decision == decision and review.reviewed_by:  # the same decision already took effect
            return await payments.present(session, folded)
        if folded.state != S.PAYMENT_STATE_HELD_FOR_REVIEW:
            raise FailedPrecondition(
                f"payment {payment_id} is {S.Name(folded.state)}, not held for review",
                reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
                metadata={"payment_id": payment_id},
            )
        if expected_version and folded.version != expected_version:
            raise event_store.stale(payment_id, expected_version, folded.version)
        now = utc_now()
        data_key = await payments.sealer.key(session, folded.payment.customer_id, create=True)
        if decision == p.REVIEW_DECISION_RELEASE:
            event: ev.PaymentReleased | ev.PaymentRejected
            event = ev.PaymentReleased(payment_id=payment_id, reviewed_by=who.subject, release_time=timestamp(now))
            event.note.CopyFrom(payments.sealer.seal(data_key, domain.RELEASE_NOTE, note.encode()))
        else:
            event = ev.PaymentRejected(payment_id=payment_id, reviewed_by=who.subject, reject_time=timestamp(now),
                                       rejection_reason=p.PAYMENT_REJECTION_REASON_REVIEW_REJECTED)  # fmt: skip
            event.note.CopyFrom(payments.sealer.seal(data_key, domain.REJECT_NOTE, note.encode()))
        batch = event_store.Batch(payment_id, folded)
        folded = batch.append(folded.version, [event], now)
        if folded.state == S.PAYMENT_STATE_ACCEPTED and due(folded.payment):
            await payments.book(session, batch)
        return await payments.present(session, await batch.flush(session))
