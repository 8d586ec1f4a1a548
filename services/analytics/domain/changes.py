"""What one domain event changes in the aggregates: pure functions from an event to `Change`s.

A `Change` adds numbers to one aggregate under one key; the processor regroups changes by key (Kafka
repartitioning) and sums them there (`totals.py`). A `QueueChange` puts a payment in the review queue or takes
it out (a tombstone).

Channel, amount and creditor are on `PaymentInitiated` only, so the processor remembers them per payment
(`Known`, keyed by payment id) to attribute the payment's later events; it forgets a payment once nothing more
can change for it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, Literal

from fintech.analytics.v1 import aggregates_pb2 as agg
from fintech.common.v1.money_pb2 import Money
from fintech.customer.v1 import events_pb2 as customer_events
from fintech.customer.v1 import kyc_check_pb2 as kyc
from fintech.payments.v1 import events_pb2 as pev
from fintech.payments.v1 import payment_pb2 as p
from fintech.risk.v1 import events_pb2 as risk_events
from fintech.risk.v1 import fraud_assessment_pb2 as fraud
from google.protobuf.message import Message

from services.analytics.domain.windows import key, rfc3339, window_start

Kind = Literal["flow", "fraud", "position", "kyc"]
S = p.PaymentState
# The participant of transfers between the bank's own accounts (the contract's name).
INTERNAL = "INTERNAL"
# The ISO 4217 code for "no currency": a payment whose initiation the processor never saw (it cannot happen
# while the topics keep every event; counted rather than dropped if it does).
NO_CURRENCY = "XXX"
KYC_OUTCOMES = frozenset(
    {kyc.KYC_CHECK_STATE_VERIFIED, kyc.KYC_CHECK_STATE_REJECTED, kyc.KYC_CHECK_STATE_MANUAL_REVIEW}
)


@dataclass(frozen=True)
class Change:
    """Numbers to add to the aggregate `key` of `kind`; `about` holds what the key names (for the message)."""

    kind: Kind
    key: str
    add: dict[str, float]
    about: dict[str, str | int]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        return cls(kind=data["kind"], key=data["key"], add=dict(data["add"]), about=dict(data["about"]))


@dataclass(frozen=True)
class QueueChange:
    """The review queue's entry of a payment: `entry` None takes it out (a tombstone)."""

    payment_id: str
    entry: agg.ReviewQueueEntry | None


@dataclass(frozen=True)
class Known:
    """What the processor remembers of one payment between its events."""

    channel: int
    amount_minor: int
    currency: str
    participant: str
    # The newest event sequence applied: a record the outbox relay published twice is applied once.
    sequence: int = 0
    held: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Known:
        return cls(**data)


UNKNOWN = Known(channel=p.PAYMENT_CHANNEL_UNSPECIFIED, amount_minor=0, currency=NO_CURRENCY, participant=INTERNAL)


@dataclass(frozen=True)
class Step:
    """A payment event's effect: what to remember of the payment next (None: forget it) and the changes."""

    known: Known | None
    changes: list[Change | QueueChange]


def short_name(enum_name: str, prefix: str) -> str:
    return enum_name.removeprefix(prefix)


def participant(initiated: pev.PaymentInitiated) -> str:
    """The creditor's bank as settlement nets it (BIC8: branch codes net together); INTERNAL for own accounts."""
    if initiated.WhichOneof("creditor") == "creditor_account_id" or not initiated.creditor_bic:
        return INTERNAL
    return initiated.creditor_bic[:8]


def flow_change(state: int, known: Known, occur: datetime) -> Change:
    start = rfc3339(window_start(occur))
    channel = short_name(p.PaymentChannel.Name(known.channel), "PAYMENT_CHANNEL_")
    state_name = short_name(S.Name(state), "PAYMENT_STATE_")
    return Change(
        kind="flow",
        key=key(start, state_name, channel, known.currency),
        add={"payment_count": 1, "amount_minor": known.amount_minor},
        about={"window_start": start, "state": state, "channel": known.channel, "currency": known.currency},
    )


def position_change(known: Known, sign: int) -> Change:
    return Change(
        kind="position",
        key=key(known.participant, known.currency),
        add={"payment_count": sign, "amount_minor": sign * known.amount_minor},
        about={"participant_bic": known.participant, "currency": known.currency},
    )


# The state each payment event brings the payment to (events not listed change no aggregate).
STATE_OF: dict[type[Message], int] = {
    pev.PaymentInitiated: S.PAYMENT_STATE_INITIATED,
    pev.PaymentHeld: S.PAYMENT_STATE_HELD_FOR_REVIEW,
    pev.PaymentExecuted: S.PAYMENT_STATE_EXECUTED,
    pev.PaymentRejected: S.PAYMENT_STATE_REJECTED,
    pev.PaymentCancelled: S.PAYMENT_STATE_CANCELLED,
    pev.PaymentSettled: S.PAYMENT_STATE_SETTLED,
}
LEAVE_QUEUE = (pev.PaymentReleased, pev.PaymentRejected, pev.PaymentCancelled)


def payment_step(known: Known | None, event: Message, occur: datetime, sequence: int) -> Step:
    """The effect of one event of a payment, given what is known of the payment so far."""
    if known is not None and sequence and sequence <= known.sequence:
        return Step(known, [])  # published twice: applied already
    if isinstance(event, pev.PaymentInitiated):
        known = Known(
            channel=event.channel,
            amount_minor=event.amount.amount_minor,
            currency=event.amount.currency_code,
            participant=participant(event),
        )
    elif known is None:
        known = UNKNOWN
    if sequence:
        known = replace(known, sequence=sequence)
    changes: list[Change | QueueChange] = []
    state = STATE_OF.get(type(event))
    if state is not None:
        changes.append(flow_change(state, known, occur))
    if isinstance(event, pev.PaymentHeld):
        entry = agg.ReviewQueueEntry(
            payment_id=event.payment_id,
            hold_reason=event.hold_reason,
            amount=Money(amount_minor=known.amount_minor, currency_code=known.currency),
            channel=known.channel,  # type: ignore[arg-type]  # an enum's number
        )
        entry.hold_time.CopyFrom(event.hold_time)
        changes.append(QueueChange(event.payment_id, entry))
        known = replace(known, held=True)
    elif isinstance(event, LEAVE_QUEUE) and known.held:
        changes.append(QueueChange(event.payment_id, None))
        known = replace(known, held=False)
    if isinstance(event, pev.PaymentExecuted):
        changes.append(position_change(known, +1))
    elif isinstance(event, pev.PaymentSettled):
        changes.append(position_change(known, -1))
    return Step(None if _finished(state, known) else known, changes)


def _finished(state: int | None, known: Known) -> bool:
    """Nothing more can change for the payment: rejected, cancelled, settled, or executed between own accounts
    (those are never settled)."""
    if state in (S.PAYMENT_STATE_REJECTED, S.PAYMENT_STATE_CANCELLED, S.PAYMENT_STATE_SETTLED):
        return True
    return state == S.PAYMENT_STATE_EXECUTED and known.participant == INTERNAL


def fraud_change(event: Message, occur: datetime) -> Change | None:
    """A fraud assessment counted under its decision and model version (empty names: rules alone)."""
    if not isinstance(event, risk_events.FraudEvaluated):
        return None
    start = rfc3339(window_start(occur))
    name, version = event.model.model_name, event.model.model_version
    add: dict[str, float] = {
        "approve_count": int(event.decision == fraud.FRAUD_DECISION_APPROVE),
        "review_count": int(event.decision == fraud.FRAUD_DECISION_REVIEW),
        "decline_count": int(event.decision == fraud.FRAUD_DECISION_DECLINE),
        "model_unavailable_count": int(event.model_unavailable),
        "fraud_score_sum": event.fraud_score,
    }
    about: dict[str, str | int] = {"window_start": start, "model_name": name, "model_version": version}
    return Change(kind="fraud", key=key(start, name, version), add=add, about=about)


def kyc_change(event: Message, occur: datetime) -> Change | None:
    """A KYC check that ended (automatically, or resolved by hand) counted under its outcome."""
    if isinstance(event, customer_events.KycCheckCompleted | customer_events.KycCheckManuallyResolved):
        state = event.state
    else:
        return None
    if state not in KYC_OUTCOMES:
        return None
    start = rfc3339(window_start(occur))
    state_name = short_name(kyc.KycCheckState.Name(state), "KYC_CHECK_STATE_")
    return Change(
        kind="kyc", key=key(start, state_name), add={"check_count": 1}, about={"window_start": start, "state": state}
    )
