"""The payment aggregate's pure rules: every transition of the state machine, what each event records,
the sealed personal fields, and the screening verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fintech.common.v1.event_envelope_pb2 import SealedValue
from fintech.common.v1.money_pb2 import Money
from fintech.customer.v1.events_pb2 import CustomerErased
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import payment_pb2 as p
from google.protobuf.timestamp_pb2 import Timestamp
from google.type.date_pb2 import Date
from hypothesis import given
from hypothesis import strategies as st

from services.payments.domain import payment as domain
from services.payments.domain.payment import Folded, InvalidTransition
from services.runtime.outbox import default_registry

S = p.PaymentState
PID = "7d6b2c1e-0a3f-4b5e-9c8d-1e2f3a4b5c6d"
CUSTOMER = "11111111-2222-4333-8444-555555555555"
DEBTOR = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
CREDITOR = "ffffffff-eeee-4ddd-8ccc-bbbbbbbbbbbb"
POSTING = "12345678-1234-4234-8234-123456789abc"
BATCH = "87654321-4321-4321-8321-cba987654321"
T0 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
APPROVE, REVIEW, DECLINE, UNSPECIFIED = (
    p.SCREENING_DECISION_APPROVE,
    p.SCREENING_DECISION_REVIEW,
    p.SCREENING_DECISION_DECLINE,
    p.SCREENING_DECISION_UNSPECIFIED,
)


def ts(minutes: int) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(T0 + timedelta(minutes=minutes))
    return stamp


def sealed(tag: str) -> SealedValue:
    return SealedValue(key_id=f"customers/{CUSTOMER}/keys/1", nonce=b"n" * 12, ciphertext=tag.encode() * 4)


def envelope(event, sequence: int, *, minutes: int | None = None):
    return default_registry().wrap(
        event, subject=PID, sequence=sequence, source="spiffe://test/payments",
        occur_time=T0 + timedelta(minutes=sequence if minutes is None else minutes),
    )  # fmt: skip


def initiated(**overrides) -> ev.PaymentInitiated:
    fields = {
        "payment_id": PID, "idempotency_key": "key-0001", "customer_id": CUSTOMER, "initiated_by": "user:alice",
        "debtor_account_id": DEBTOR, "creditor_account_id": CREDITOR,
        "amount": Money(amount_minor=12_345, currency_code="EUR"), "end_to_end_id": "E2E-1",
        "requested_execution_date": Date(year=2026, month=3, day=5), "channel": p.PAYMENT_CHANNEL_MOBILE_APP,
        "create_time": ts(0), "remittance_information": sealed("remit"), "client_fingerprint": sealed("device"),
    }  # fmt: skip
    fields.update(overrides)
    return ev.PaymentInitiated(**{name: value for name, value in fields.items() if value is not None})


def outcome(fraud=APPROVE, compliance=APPROVE, skipped=False) -> p.ScreeningOutcome:
    return p.ScreeningOutcome(fraud_decision=fraud, compliance_decision=compliance, screening_skipped=skipped,
                              fraud_score=0.25, fraud_model_version="m-7")  # fmt: skip


# One event of each kind, as the service writes them.
STARTED = ev.PaymentScreeningStarted(payment_id=PID, start_time=ts(1))
SCREENED_OK = ev.PaymentScreened(payment_id=PID, screening_outcome=outcome())
SCREENED_REVIEW = ev.PaymentScreened(payment_id=PID, screening_outcome=outcome(fraud=REVIEW))
HELD = ev.PaymentHeld(payment_id=PID, hold_reason=p.HOLD_REASON_FRAUD_REVIEW, hold_time=ts(3))
RELEASED = ev.PaymentReleased(payment_id=PID, reviewed_by="staff:bob", note=sealed("release"), release_time=ts(4))
EXECUTED = ev.PaymentExecuted(payment_id=PID, ledger_posting_id=POSTING, execute_time=ts(5))
REJECTED_FRAUD = ev.PaymentRejected(
    payment_id=PID, rejection_reason=p.PAYMENT_REJECTION_REASON_FRAUD_DECLINED, reviewed_by="ignored",
    note=sealed("ignored"), reject_time=ts(6),
)  # fmt: skip
REJECTED_REVIEW = ev.PaymentRejected(
    payment_id=PID, rejection_reason=p.PAYMENT_REJECTION_REASON_REVIEW_REJECTED, reviewed_by="staff:carol",
    note=sealed("reject"), reject_time=ts(6),
)  # fmt: skip
CANCELLED = ev.PaymentCancelled(payment_id=PID, cancelled_by="user:alice", cancel_reason=sealed("why"),
                                cancel_time=ts(7))  # fmt: skip
SETTLED = ev.PaymentSettled(payment_id=PID, settlement_batch_id=BATCH, settle_time=ts(8))


def folded_through(*events) -> Folded:
    return domain.fold(envelope(event, sequence) for sequence, event in enumerate(events, start=1))


# The events that lead to each state (from nothing).
PATH = {
    S.PAYMENT_STATE_UNSPECIFIED: (),
    S.PAYMENT_STATE_INITIATED: (initiated(),),
    S.PAYMENT_STATE_SCREENING: (initiated(), STARTED),
    S.PAYMENT_STATE_HELD_FOR_REVIEW: (initiated(), STARTED, HELD),
    S.PAYMENT_STATE_ACCEPTED: (initiated(), STARTED, SCREENED_OK),
    S.PAYMENT_STATE_EXECUTED: (initiated(), STARTED, SCREENED_OK, EXECUTED),
    S.PAYMENT_STATE_REJECTED: (initiated(), STARTED, REJECTED_FRAUD),
    S.PAYMENT_STATE_CANCELLED: (initiated(), CANCELLED),
    S.PAYMENT_STATE_SETTLED: (initiated(), STARTED, SCREENED_OK, EXECUTED, SETTLED),
}
EVENTS = {
    "initiated": initiated(), "started": STARTED, "screened": SCREENED_OK, "held": HELD, "released": RELEASED,
    "executed": EXECUTED, "rejected": REJECTED_FRAUD, "cancelled": CANCELLED, "settled": SETTLED,
}  # fmt: skip
# The states each event is allowed in, and the state it leads to.
ALLOWED = {
    "initiated": {S.PAYMENT_STATE_UNSPECIFIED: S.PAYMENT_STATE_INITIATED},
    "started": {S.PAYMENT_STATE_INITIATED: S.PAYMENT_STATE_SCREENING},
    "screened": {S.PAYMENT_STATE_SCREENING: S.PAYMENT_STATE_ACCEPTED},
    "held": {S.PAYMENT_STATE_SCREENING: S.PAYMENT_STATE_HELD_FOR_REVIEW},
    "released": {S.PAYMENT_STATE_HELD_FOR_REVIEW: S.PAYMENT_STATE_ACCEPTED},
    "executed": {S.PAYMENT_STATE_ACCEPTED: S.PAYMENT_STATE_EXECUTED},
    "rejected": {
        state: S.PAYMENT_STATE_REJECTED
        for state in (S.PAYMENT_STATE_SCREENING, S.PAYMENT_STATE_HELD_FOR_REVIEW, S.PAYMENT_STATE_ACCEPTED)
    },
    "cancelled": {
        state: S.PAYMENT_STATE_CANCELLED
        for state in (
            S.PAYMENT_STATE_INITIATED,
            S.PAYMENT_STATE_SCREENING,
            S.PAYMENT_STATE_HELD_FOR_REVIEW,
            S.PAYMENT_STATE_ACCEPTED,
        )
    },
    "settled": {S.PAYMENT_STATE_EXECUTED: S.PAYMENT_STATE_SETTLED},
}
TRANSITIONS = [(name, state) for name in EVENTS for state in PATH]


@pytest.mark.parametrize(("name", "state"), TRANSITIONS, ids=[f"{n}-in-{S.Name(s)}" for n, s in TRANSITIONS])
def test_every_event_in_every_state_is_allowed_or_refused(name, state):
    before = folded_through(*PATH[state])
    assert before.state == state
    event = EVENTS[name]
    following = envelope(event, before.version + 1)
    if state in ALLOWED[name]:
        after = domain.apply(before, following)
        assert after.state == ALLOWED[name][state]
        assert after.version == before.version + 1
    else:
        with pytest.raises(InvalidTransition) as refused:
            domain.apply(before, following)
        assert str(refused.value) == f"{event.DESCRIPTOR.name} is not allowed in state {S.Name(state)}"


def test_initiated_records_the_payment_and_seals_its_personal_fields():
    folded = folded_through(initiated())
    expected = p.Payment(
        payment_id=PID, idempotency_key="key-0001", customer_id=CUSTOMER, initiated_by="user:alice",
        debtor_account_id=DEBTOR, creditor_account_id=CREDITOR, amount=Money(amount_minor=12_345, currency_code="EUR"),
        end_to_end_id="E2E-1", requested_execution_date=Date(year=2026, month=3, day=5),
        channel=p.PAYMENT_CHANNEL_MOBILE_APP, state=S.PAYMENT_STATE_INITIATED, version=1, create_time=ts(0),
        update_time=ts(1),
    )  # fmt: skip
    assert folded.payment == expected
    assert folded.sealed == {domain.REMITTANCE: sealed("remit"), domain.FINGERPRINT: sealed("device")}
    assert (folded.version, folded.state, folded.reserved_minor) == (1, S.PAYMENT_STATE_INITIATED, 12_345)


def test_an_off_us_payment_keeps_the_account_sealed_and_only_the_bic_in_clear():
    event = initiated(creditor_account_id=None, creditor_external_account=sealed("iban"), creditor_bic="BBBBFRPP",
                      requested_execution_date=None, remittance_information=None, client_fingerprint=None)  # fmt: skip
    folded = folded_through(event)
    assert folded.payment.WhichOneof("creditor") == "creditor_external_account"
    assert folded.payment.creditor_external_account == p.ExternalAccount(bic="BBBBFRPP")
    assert not folded.payment.HasField("requested_execution_date")
    assert folded.sealed == {domain.CREDITOR_ACCOUNT: sealed("iban")}


def step(before: Folded, event) -> tuple[Folded, p.Payment]:
    """The state after `event`, and the payment before it with the envelope's version and time."""
    after = domain.apply(before, envelope(event, before.version + 1))
    expected = p.Payment()
    expected.CopyFrom(before.payment)
    expected.version = before.version + 1
    expected.update_time.CopyFrom(ts(before.version + 1))
    return after, expected


def test_each_event_records_exactly_its_own_fields():
    folded = folded_through(initiated())
    folded, expected = step(folded, STARTED)
    expected.state = S.PAYMENT_STATE_SCREENING
    assert folded.payment == expected

    review, expected_review = step(folded, SCREENED_REVIEW)  # screened, but not approved: the state stays
    expected_review.screening_outcome.CopyFrom(outcome(fraud=REVIEW))
    assert review.payment == expected_review

    held, expected = step(review, HELD)
    expected.state = S.PAYMENT_STATE_HELD_FOR_REVIEW
    expected.hold_reason = p.HOLD_REASON_FRAUD_REVIEW
    assert held.payment == expected

    released, expected = step(held, RELEASED)
    expected.state = S.PAYMENT_STATE_ACCEPTED
    expected.review.CopyFrom(p.PaymentReview(decision=p.REVIEW_DECISION_RELEASE, reviewed_by="staff:bob",
                                             review_time=ts(4)))  # fmt: skip
    assert released.payment == expected
    assert released.sealed[domain.RELEASE_NOTE] == sealed("release")

    executed, expected = step(released, EXECUTED)
    expected.state = S.PAYMENT_STATE_EXECUTED
    expected.ledger_posting_id = POSTING
    expected.execute_time.CopyFrom(ts(5))
    assert executed.payment == expected

    settled, expected = step(executed, SETTLED)
    expected.state = S.PAYMENT_STATE_SETTLED
    expected.settlement_batch_id = BATCH
    expected.settle_time.CopyFrom(ts(8))
    assert settled.payment == expected
    assert settled.sealed == {domain.REMITTANCE: sealed("remit"), domain.FINGERPRINT: sealed("device"),
                              domain.RELEASE_NOTE: sealed("release")}  # fmt: skip


def test_screening_approved_accepts():
    folded, expected = step(folded_through(initiated(), STARTED), SCREENED_OK)
    expected.state = S.PAYMENT_STATE_ACCEPTED
    expected.screening_outcome.CopyFrom(outcome())
    assert folded.payment == expected


def test_a_rejection_after_review_records_the_reviewer_and_seals_the_note():
    held = folded_through(initiated(), STARTED, HELD)
    rejected, expected = step(held, REJECTED_REVIEW)
    expected.state = S.PAYMENT_STATE_REJECTED
    expected.rejection_reason = p.PAYMENT_REJECTION_REASON_REVIEW_REJECTED
    expected.review.CopyFrom(p.PaymentReview(decision=p.REVIEW_DECISION_REJECT, reviewed_by="staff:carol",
                                             review_time=ts(6)))  # fmt: skip
    assert rejected.payment == expected
    assert rejected.sealed[domain.REJECT_NOTE] == sealed("reject")
    assert rejected.reserved_minor == 0


def test_a_rejection_by_screening_records_no_review():
    screening = folded_through(initiated(), STARTED)
    rejected, expected = step(screening, REJECTED_FRAUD)
    expected.state = S.PAYMENT_STATE_REJECTED
    expected.rejection_reason = p.PAYMENT_REJECTION_REASON_FRAUD_DECLINED
    assert rejected.payment == expected
    assert domain.REJECT_NOTE not in rejected.sealed


def test_a_cancellation_records_who_and_seals_why():
    cancelled, expected = step(folded_through(initiated()), CANCELLED)
    expected.state = S.PAYMENT_STATE_CANCELLED
    expected.cancelled_by = "user:alice"
    assert cancelled.payment == expected
    assert cancelled.sealed[domain.CANCEL_REASON] == sealed("why")
    unsealed, _ = step(folded_through(initiated()), ev.PaymentCancelled(payment_id=PID, cancelled_by="x"))
    assert domain.CANCEL_REASON not in unsealed.sealed


def test_events_without_their_optional_sealed_fields_seal_nothing():
    held = folded_through(initiated(remittance_information=None, client_fingerprint=None), STARTED, HELD)
    assert held.sealed == {}
    released, _ = step(held, ev.PaymentReleased(payment_id=PID, reviewed_by="staff:bob", release_time=ts(4)))
    assert released.sealed == {}
    review_rejected = ev.PaymentRejected(payment_id=PID, reviewed_by="staff:bob",
                                         rejection_reason=p.PAYMENT_REJECTION_REASON_REVIEW_REJECTED)  # fmt: skip
    rejected, _ = step(held, review_rejected)
    assert rejected.sealed == {}


def test_apply_leaves_its_input_unchanged():
    before = folded_through(initiated(), STARTED, HELD)
    payment, sealed_before = p.Payment(), dict(before.sealed)
    payment.CopyFrom(before.payment)
    domain.apply(before, envelope(RELEASED, 4))
    assert before.payment == payment and before.sealed == sealed_before


@pytest.mark.parametrize("sequence", [1, 3])
def test_an_event_out_of_sequence_is_refused(sequence):
    before = folded_through(initiated())
    with pytest.raises(InvalidTransition) as refused:
        domain.apply(before, envelope(STARTED, sequence))
    assert str(refused.value) == f"event sequence {sequence} after version 1"


def test_an_event_of_another_aggregate_is_refused():
    other = default_registry().wrap(ev.LedgerPosted(ledger_posting_id=POSTING), subject=POSTING, sequence=1,
                                    source="spiffe://test/payments", occur_time=T0)  # fmt: skip
    with pytest.raises(InvalidTransition) as refused:
        domain.apply(Folded(), other)
    assert str(refused.value) == "fintech.payments.v1.LedgerPosted is not a payment event"


def test_an_envelope_without_a_payments_event_is_refused():
    erased = default_registry().wrap(CustomerErased(customer_id=CUSTOMER), subject=CUSTOMER, sequence=1,
                                     source="spiffe://test/customer", occur_time=T0)  # fmt: skip
    with pytest.raises(InvalidTransition) as refused:
        domain.apply(Folded(), erased)
    assert str(refused.value) == "fintech.customer.v1.CustomerErased is not a payment event"


@pytest.mark.parametrize("state", list(PATH))
def test_the_amount_is_reserved_until_the_payment_leaves_the_reserving_states(state):
    folded = folded_through(*PATH[state])
    reserving = state in (S.PAYMENT_STATE_INITIATED, S.PAYMENT_STATE_SCREENING, S.PAYMENT_STATE_HELD_FOR_REVIEW,
                          S.PAYMENT_STATE_ACCEPTED)  # fmt: skip
    assert folded.reserved_minor == (12_345 if reserving else 0)
    assert folded.state == state and folded.version == len(PATH[state])


def test_an_empty_history_is_no_payment():
    folded = domain.fold([])
    assert folded.payment == p.Payment() and folded.sealed == {} and folded.reserved_minor == 0


@given(st.lists(st.sampled_from(sorted(EVENTS)), max_size=8))
def test_folding_any_sequence_follows_the_state_machine(names):
    """Feeding events one by one: each is applied when the state allows it, refused otherwise, and a
    refused event changes nothing; the fold of the applied ones is the same state."""
    folded, applied = Folded(), []
    for name in names:
        state = folded.state
        following = envelope(EVENTS[name], folded.version + 1)
        if state in ALLOWED[name]:
            folded = domain.apply(folded, following)
            applied.append(following)
            assert folded.state == ALLOWED[name][state]
        else:
            with pytest.raises(InvalidTransition):
                domain.apply(folded, following)
            assert folded.state == state
    assert domain.fold(applied) == folded
    assert folded.version == len(applied)
    assert (folded.state in domain.TERMINAL) == (folded.state in (S.PAYMENT_STATE_REJECTED,
                                                 S.PAYMENT_STATE_CANCELLED, S.PAYMENT_STATE_SETTLED))  # fmt: skip


VERDICTS = [
    # (fraud, compliance, skipped) -> (hold reason, rejection reason)
    ((APPROVE, APPROVE, False), (0, 0)),
    ((APPROVE, DECLINE, False), (0, p.PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED)),
    ((DECLINE, DECLINE, False), (0, p.PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED)),  # compliance outranks fraud
    ((DECLINE, APPROVE, False), (0, p.PAYMENT_REJECTION_REASON_FRAUD_DECLINED)),
    ((DECLINE, REVIEW, False), (0, p.PAYMENT_REJECTION_REASON_FRAUD_DECLINED)),  # a decline outranks a review
    ((REVIEW, DECLINE, False), (0, p.PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED)),
    ((UNSPECIFIED, UNSPECIFIED, True), (p.HOLD_REASON_SCREENING_UNAVAILABLE, 0)),
    ((APPROVE, APPROVE, True), (p.HOLD_REASON_SCREENING_UNAVAILABLE, 0)),  # skipped is never a pass
    ((REVIEW, REVIEW, True), (p.HOLD_REASON_SCREENING_UNAVAILABLE, 0)),
    ((APPROVE, REVIEW, False), (p.HOLD_REASON_COMPLIANCE_ALERT, 0)),
    ((REVIEW, REVIEW, False), (p.HOLD_REASON_COMPLIANCE_ALERT, 0)),  # compliance first
    ((REVIEW, APPROVE, False), (p.HOLD_REASON_FRAUD_REVIEW, 0)),
    ((UNSPECIFIED, APPROVE, False), (p.HOLD_REASON_SCREENING_UNAVAILABLE, 0)),
    ((APPROVE, UNSPECIFIED, False), (p.HOLD_REASON_SCREENING_UNAVAILABLE, 0)),
]


@pytest.mark.parametrize(("decisions", "verdict"), VERDICTS)
def test_screening_verdict(decisions, verdict):
    screening = outcome(*decisions)
    assert domain.screening_verdict(screening) == verdict
    assert domain.approved(screening) == (verdict == (0, 0))
