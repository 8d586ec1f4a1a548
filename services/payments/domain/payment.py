"""The payment aggregate, pure: its state is the fold of its events, and only allowed transitions fold.

    folded = fold(envelopes)            # Folded(payment, sealed)
    folded = apply(folded, envelope)    # raises InvalidTransition for an event the state does not allow

`Folded.payment` is the `Payment` without personal data; the personal fields stay sealed in
`Folded.sealed` (by the event field they came from) until someone with the customer's key opens them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fintech.common.v1.event_envelope_pb2 import EventEnvelope, SealedValue
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import payment_pb2 as p
from google.protobuf.message import Message

S = p.PaymentState
# States in which the amount is reserved on the debtor account (see Account.available_balance).
RESERVING = frozenset({S.PAYMENT_STATE_INITIATED, S.PAYMENT_STATE_SCREENING, S.PAYMENT_STATE_HELD_FOR_REVIEW,
                       S.PAYMENT_STATE_ACCEPTED})  # fmt: skip
CANCELLABLE = RESERVING
TERMINAL = frozenset({S.PAYMENT_STATE_REJECTED, S.PAYMENT_STATE_CANCELLED, S.PAYMENT_STATE_SETTLED})

# Sealed personal fields, named by the event field that carries them (also their associated data).
REMITTANCE = "fintech.payments.v1.PaymentInitiated.remittance_information"
CREDITOR_ACCOUNT = "fintech.payments.v1.PaymentInitiated.creditor_external_account"
FINGERPRINT = "fintech.payments.v1.PaymentInitiated.client_fingerprint"
RELEASE_NOTE = "fintech.payments.v1.PaymentReleased.note"
REJECT_NOTE = "fintech.payments.v1.PaymentRejected.note"
CANCEL_REASON = "fintech.payments.v1.PaymentCancelled.cancel_reason"


class InvalidTransition(ValueError):
    """An event the payment's current state does not allow."""


# The contract's events by full name (a payments event that is not a payment's falls to `apply`'s last case).
EVENT_TYPES: dict[str, type[Message]] = {
    descriptor.full_name: getattr(ev, name) for name, descriptor in ev.DESCRIPTOR.message_types_by_name.items()
}


def unpack(envelope: EventEnvelope) -> Message:
    """The event inside an envelope; InvalidTransition when it carries no payments event."""
    event_type = EVENT_TYPES.get(envelope.payload.TypeName())
    if event_type is None:
        raise InvalidTransition(f"{envelope.event_type} is not a payment event")
    event = event_type()
    envelope.payload.Unpack(event)
    return event


@dataclass
class Folded:
    payment: p.Payment = field(default_factory=p.Payment)
    sealed: dict[str, SealedValue] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return self.payment.version

    @property
    def state(self) -> int:
        return self.payment.state

    @property
    def reserved_minor(self) -> int:
        """The amount this payment holds reserved on its debtor account."""
        return self.payment.amount.amount_minor if self.payment.state in RESERVING else 0


def _require(folded: Folded, event: Message, *states: int) -> None:
    if folded.payment.state not in states:
        raise InvalidTransition(f"{event.DESCRIPTOR.name} is not allowed in state {S.Name(folded.payment.state)}")


def _seal(folded: Folded, name: str, event: Message, field_name: str) -> None:
    if event.HasField(field_name):
        folded.sealed[name] = getattr(event, field_name)


def apply(folded: Folded, envelope: EventEnvelope) -> Folded:
    """The state after one more event (a new Folded; the input is not changed)."""
    event = unpack(envelope)
    if envelope.sequence != folded.payment.version + 1:
        raise InvalidTransition(f"event sequence {envelope.sequence} after version {folded.payment.version}")
    result = Folded(p.Payment(), dict(folded.sealed))
    result.payment.CopyFrom(folded.payment)
    payment = result.payment
    match event:
        case ev.PaymentInitiated():
            _require(folded, event, S.PAYMENT_STATE_UNSPECIFIED)
            payment.payment_id = event.payment_id
            payment.idempotency_key = event.idempotency_key
            payment.customer_id = event.customer_id
            payment.initiated_by = event.initiated_by
            payment.debtor_account_id = event.debtor_account_id
            if event.creditor_account_id:
                payment.creditor_account_id = event.creditor_account_id
            else:  # off-us: the account details stay sealed; the BIC is clear for settlement
                payment.creditor_external_account.bic = event.creditor_bic
            payment.amount.CopyFrom(event.amount)
            payment.end_to_end_id = event.end_to_end_id
            if event.HasField("requested_execution_date"):
                payment.requested_execution_date.CopyFrom(event.requested_execution_date)
            payment.channel = event.channel
            payment.create_time.CopyFrom(event.create_time)
            payment.state = S.PAYMENT_STATE_INITIATED
            _seal(result, REMITTANCE, event, "remittance_information")
            _seal(result, CREDITOR_ACCOUNT, event, "creditor_external_account")
            _seal(result, FINGERPRINT, event, "client_fingerprint")
        case ev.PaymentScreeningStarted():
            _require(folded, event, S.PAYMENT_STATE_INITIATED)
            payment.state = S.PAYMENT_STATE_SCREENING
        case ev.PaymentScreened():
            _require(folded, event, S.PAYMENT_STATE_SCREENING)
            payment.screening_outcome.CopyFrom(event.screening_outcome)
            if approved(event.screening_outcome):
                payment.state = S.PAYMENT_STATE_ACCEPTED
        case ev.PaymentHeld():
            _require(folded, event, S.PAYMENT_STATE_SCREENING)
            payment.state = S.PAYMENT_STATE_HELD_FOR_REVIEW
            payment.hold_reason = event.hold_reason
        case ev.PaymentReleased():
            _require(folded, event, S.PAYMENT_STATE_HELD_FOR_REVIEW)
            payment.state = S.PAYMENT_STATE_ACCEPTED
            payment.review.decision = p.REVIEW_DECISION_RELEASE
            payment.review.reviewed_by = event.reviewed_by
            payment.review.review_time.CopyFrom(event.release_time)
            _seal(result, RELEASE_NOTE, event, "note")
        case ev.PaymentExecuted():
            _require(folded, event, S.PAYMENT_STATE_ACCEPTED)
            payment.state = S.PAYMENT_STATE_EXECUTED
            payment.ledger_posting_id = event.ledger_posting_id
            payment.execute_time.CopyFrom(event.execute_time)
        case ev.PaymentRejected():
            _require(folded, event, S.PAYMENT_STATE_SCREENING, S.PAYMENT_STATE_HELD_FOR_REVIEW,
                     S.PAYMENT_STATE_ACCEPTED)  # fmt: skip
            payment.state = S.PAYMENT_STATE_REJECTED
            payment.rejection_reason = event.rejection_reason
            if event.rejection_reason == p.PAYMENT_REJECTION_REASON_REVIEW_REJECTED:
                payment.review.decision = p.REVIEW_DECISION_REJECT
                payment.review.reviewed_by = event.reviewed_by
                payment.review.review_time.CopyFrom(event.reject_time)
                _seal(result, REJECT_NOTE, event, "note")
        case ev.PaymentCancelled():
            _require(folded, event, *CANCELLABLE)
            payment.state = S.PAYMENT_STATE_CANCELLED
            payment.cancelled_by = event.cancelled_by
            _seal(result, CANCEL_REASON, event, "cancel_reason")
        case ev.PaymentSettled():
            _require(folded, event, S.PAYMENT_STATE_EXECUTED)
            payment.state = S.PAYMENT_STATE_SETTLED
            payment.settlement_batch_id = event.settlement_batch_id
            payment.settle_time.CopyFrom(event.settle_time)
        case _:
            raise InvalidTransition(f"{envelope.event_type} is not a payment event")
    payment.version = envelope.sequence
    payment.update_time.CopyFrom(envelope.occur_time)
    return result


def fold(envelopes: Iterable[EventEnvelope]) -> Folded:
    folded = Folded()
    for envelope in envelopes:
        folded = apply(folded, envelope)
    return folded


def approved(outcome: p.ScreeningOutcome) -> bool:
    return (
        not outcome.screening_skipped
        and outcome.fraud_decision == p.SCREENING_DECISION_APPROVE
        and outcome.compliance_decision == p.SCREENING_DECISION_APPROVE
    )


def screening_verdict(outcome: p.ScreeningOutcome) -> tuple[int, int]:
    """What follows PaymentScreened: (hold reason, rejection reason); both 0 when the payment is accepted.

    A DECLINE of either check rejects (compliance first: a sanctions hit outranks a fraud score); a
    REVIEW, or screening that could not be done, holds the payment for a person.
    """
    if outcome.compliance_decision == p.SCREENING_DECISION_DECLINE:
        return 0, p.PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED
    if outcome.fraud_decision == p.SCREENING_DECISION_DECLINE:
        return 0, p.PAYMENT_REJECTION_REASON_FRAUD_DECLINED
    if outcome.screening_skipped:
        return p.HOLD_REASON_SCREENING_UNAVAILABLE, 0
    if outcome.compliance_decision == p.SCREENING_DECISION_REVIEW:
        return p.HOLD_REASON_COMPLIANCE_ALERT, 0
    if outcome.fraud_decision == p.SCREENING_DECISION_REVIEW:
        return p.HOLD_REASON_FRAUD_REVIEW, 0
    if not approved(outcome):  # an unspecified decision is never a pass
        return p.HOLD_REASON_SCREENING_UNAVAILABLE, 0
    return 0, 0
