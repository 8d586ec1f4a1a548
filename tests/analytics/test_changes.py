"""The aggregates' pure rules: what each event changes, and how changes add up to the contract's messages."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fintech.analytics.v1 import aggregates_pb2 as agg
from fintech.common.v1.money_pb2 import Money
from fintech.customer.v1 import events_pb2 as cev
from fintech.customer.v1 import kyc_check_pb2 as kyc
from fintech.payments.v1 import events_pb2 as pev
from fintech.payments.v1 import payment_pb2 as p
from fintech.risk.v1 import events_pb2 as rev
from fintech.risk.v1 import fraud_assessment_pb2 as fraud
from hypothesis import given
from hypothesis import strategies as st

from services.analytics.domain import changes, totals
from services.analytics.domain.changes import Change, Known, QueueChange, payment_step
from services.analytics.domain.windows import key, parse_rfc3339, rfc3339, window_start

PAYMENT = "0b6f1f55-7f36-4c3e-9d7b-4f0b5c1e2a10"
AT = datetime(2026, 12, 7, 7, 31, 42, 123456, tzinfo=UTC)
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def initiated(*, bic: str = "DEUTDEFF500", amount: int = 1250, external: bool = True) -> pev.PaymentInitiated:
    event = pev.PaymentInitiated(
        payment_id=PAYMENT, channel=p.PAYMENT_CHANNEL_WEB, amount=Money(amount_minor=amount, currency_code="EUR")
    )
    if external:
        event.creditor_bic = bic
        event.creditor_external_account.ciphertext = b"sealed"
    else:
        event.creditor_account_id = "5d7c6a3e-52a4-4f4e-8e51-0f3a4c0d7b11"
    return event


def run(events: list[object], known: Known | None = None) -> tuple[Known | None, list[Change | QueueChange]]:
    out: list[Change | QueueChange] = []
    for sequence, event in enumerate(events, start=1):
        step = payment_step(known, event, AT, sequence)  # type: ignore[arg-type]
        known, out = step.known, out + step.changes
    return known, out


def test_windows_are_whole_utc_minutes() -> None:
    start = window_start(AT)
    assert start == datetime(2026, 12, 7, 7, 31, tzinfo=UTC)
    assert rfc3339(start) == "2026-12-07T07:31:00Z"
    assert parse_rfc3339(rfc3339(start)) == start
    assert window_start(datetime(2026, 12, 7, 8, 31, 59, tzinfo=UTC).astimezone(UTC)) == start + timedelta(hours=1)


def test_a_key_part_with_the_separator_is_refused() -> None:
    assert key("a", "b") == "a|b"
    with pytest.raises(ValueError, match="separator"):
        key("a|b", "c")


def test_an_initiated_payment_is_counted_in_its_minute_with_its_amount() -> None:
    known, out = run([initiated()])
    assert known == Known(channel=p.PAYMENT_CHANNEL_WEB, amount_minor=1250, currency="EUR", participant="DEUTDEFF",
                          sequence=1)  # fmt: skip
    (change,) = out
    assert isinstance(change, Change)
    assert change.kind == "flow"
    assert change.key == "2026-12-07T07:31:00Z|INITIATED|WEB|EUR"
    assert change.add == {"payment_count": 1, "amount_minor": 1250}


def test_later_events_are_attributed_to_the_initiation_and_settlement_clears_the_position() -> None:
    known, out = run([initiated(), pev.PaymentExecuted(payment_id=PAYMENT), pev.PaymentSettled(payment_id=PAYMENT)])
    assert known is None  # settled: nothing more can change
    flows = [c.key for c in out if isinstance(c, Change) and c.kind == "flow"]
    assert flows == [f"2026-12-07T07:31:00Z|{state}|WEB|EUR" for state in ("INITIATED", "EXECUTED", "SETTLED")]
    positions = [c for c in out if isinstance(c, Change) and c.kind == "position"]
    assert [(c.key, c.add) for c in positions] == [
        ("DEUTDEFF|EUR", {"payment_count": 1, "amount_minor": 1250}),
        ("DEUTDEFF|EUR", {"payment_count": -1, "amount_minor": -1250}),
    ]


def test_transfers_between_own_accounts_are_internal_and_forgotten_once_executed() -> None:
    known, out = run([initiated(external=False), pev.PaymentExecuted(payment_id=PAYMENT)])
    assert known is None
    assert [c.key for c in out if isinstance(c, Change) and c.kind == "position"] == ["INTERNAL|EUR"]


def test_an_external_payment_executed_is_remembered_until_settled() -> None:
    known, _ = run([initiated(), pev.PaymentExecuted(payment_id=PAYMENT)])
    assert known is not None and known.sequence == 2


@pytest.mark.parametrize("leave", [pev.PaymentReleased, pev.PaymentRejected, pev.PaymentCancelled])
def test_a_held_payment_enters_the_queue_and_leaves_it_with_a_tombstone(leave: type) -> None:
    held = pev.PaymentHeld(payment_id=PAYMENT, hold_reason=p.HOLD_REASON_FRAUD_REVIEW)
    held.hold_time.FromDatetime(AT)
    known, out = run([initiated(), held, leave(payment_id=PAYMENT)])
    queue = [c for c in out if isinstance(c, QueueChange)]
    assert [c.payment_id for c in queue] == [PAYMENT, PAYMENT]
    entry = queue[0].entry
    assert entry is not None
    assert entry.hold_reason == p.HOLD_REASON_FRAUD_REVIEW
    assert entry.hold_time.ToDatetime(tzinfo=UTC) == AT
    assert entry.amount == Money(amount_minor=1250, currency_code="EUR")
    assert entry.channel == p.PAYMENT_CHANNEL_WEB
    assert queue[1].entry is None
    assert known is None if leave is not pev.PaymentReleased else known is not None and not known.held


def test_a_payment_rejected_without_a_hold_leaves_no_tombstone() -> None:
    _, out = run([initiated(), pev.PaymentRejected(payment_id=PAYMENT)])
    assert not [c for c in out if isinstance(c, QueueChange)]


def test_an_event_published_twice_is_applied_once() -> None:
    known, _ = run([initiated()])
    again = payment_step(known, initiated(), AT, 1)
    assert again.changes == [] and again.known == known


def test_an_event_of_a_payment_never_seen_is_counted_not_dropped() -> None:
    step = payment_step(None, pev.PaymentExecuted(payment_id=PAYMENT), AT, 3)
    (flow, position) = step.changes
    assert isinstance(flow, Change) and flow.key == "2026-12-07T07:31:00Z|EXECUTED|UNSPECIFIED|XXX"
    assert isinstance(position, Change) and position.key == "INTERNAL|XXX"


def test_events_that_change_no_aggregate_change_nothing() -> None:
    known, _ = run([initiated()])
    step = payment_step(known, pev.PaymentScreeningStarted(payment_id=PAYMENT), AT, 2)
    assert step.changes == [] and step.known is not None and step.known.sequence == 2


def test_fraud_assessments_count_by_decision_and_model_version() -> None:
    event = rev.FraudEvaluated(fraud_score=0.875, decision=fraud.FRAUD_DECISION_REVIEW)
    event.model.model_name, event.model.model_version = "fraud", "3"
    change = changes.fraud_change(event, AT)
    assert change is not None
    assert change.key == "2026-12-07T07:31:00Z|fraud|3"
    assert change.add == {"approve_count": 0, "review_count": 1, "decline_count": 0,
                          "model_unavailable_count": 0, "fraud_score_sum": 0.875}  # fmt: skip
    rules = changes.fraud_change(
        rev.FraudEvaluated(fraud_score=0.5, decision=fraud.FRAUD_DECISION_DECLINE, model_unavailable=True), AT
    )
    assert rules is not None and rules.key == "2026-12-07T07:31:00Z||"
    assert rules.add["decline_count"] == 1 and rules.add["model_unavailable_count"] == 1
    assert changes.fraud_change(pev.PaymentHeld(), AT) is None


def test_kyc_outcomes_count_completed_and_resolved_checks() -> None:
    done = changes.kyc_change(cev.KycCheckCompleted(state=kyc.KYC_CHECK_STATE_MANUAL_REVIEW), AT)
    resolved = changes.kyc_change(cev.KycCheckManuallyResolved(state=kyc.KYC_CHECK_STATE_VERIFIED), AT)
    assert done is not None and done.key == "2026-12-07T07:31:00Z|MANUAL_REVIEW"
    assert resolved is not None and resolved.key == "2026-12-07T07:31:00Z|VERIFIED"
    assert changes.kyc_change(cev.KycCheckCompleted(state=kyc.KYC_CHECK_STATE_PENDING), AT) is None
    assert changes.kyc_change(cev.KycCheckCancelled(), AT) is None


def test_a_change_survives_its_trip_through_json() -> None:
    _, (change,) = run([initiated()])
    assert isinstance(change, Change)
    assert Change.from_json(change.to_json()) == change
    known, _ = run([initiated()])
    assert known is not None and Known.from_json(known.to_json()) == known


@given(st.lists(st.integers(min_value=-(10**12), max_value=10**12), min_size=1, max_size=30))
def test_totals_are_the_sums_in_any_grouping(amounts: list[int]) -> None:
    """Adding changes one by one gives the plain sum, whatever the order (a restart replays in order anyway)."""
    deltas = [Change("position", "X|EUR", {"payment_count": 1, "amount_minor": a}, {}) for a in amounts]
    forward: totals.Totals | None = None
    for delta in deltas:
        forward = totals.add(forward, delta)
    backward: totals.Totals | None = None
    for delta in reversed(deltas):
        backward = totals.add(backward, delta)
    assert forward == backward == {"payment_count": len(amounts), "amount_minor": sum(amounts)}


def test_messages_carry_the_window_the_key_and_the_totals() -> None:
    known, (change,) = run([initiated()])
    assert isinstance(change, Change)
    summed = totals.add(totals.add(None, change), change)
    flow = totals.message(change, summed, NOW)
    assert isinstance(flow, agg.PaymentFlowWindow)
    assert flow.window_start.ToDatetime(tzinfo=UTC) == datetime(2026, 12, 7, 7, 31, tzinfo=UTC)
    assert flow.window_end.ToDatetime(tzinfo=UTC) == datetime(2026, 12, 7, 7, 32, tzinfo=UTC)
    assert flow.update_time.ToDatetime(tzinfo=UTC) == NOW
    assert (flow.state, flow.channel, flow.payment_count) == (p.PAYMENT_STATE_INITIATED, p.PAYMENT_CHANNEL_WEB, 2)
    assert flow.total_amount == Money(amount_minor=2500, currency_code="EUR")

    event = rev.FraudEvaluated(fraud_score=0.25, decision=fraud.FRAUD_DECISION_APPROVE)
    event.model.model_name, event.model.model_version = "fraud", "2"
    fraud_change = changes.fraud_change(event, AT)
    assert fraud_change is not None
    window = totals.message(fraud_change, totals.add(None, fraud_change), NOW)
    assert isinstance(window, agg.FraudDecisionWindow)
    assert (window.model_name, window.model_version, window.approve_count, window.fraud_score_sum) == (
        "fraud", "2", 1, 0.25)  # fmt: skip

    kyc_change = changes.kyc_change(cev.KycCheckCompleted(state=kyc.KYC_CHECK_STATE_REJECTED), AT)
    assert kyc_change is not None
    outcome = totals.message(kyc_change, totals.add(None, kyc_change), NOW)
    assert isinstance(outcome, agg.KycOutcomeWindow)
    assert (outcome.state, outcome.check_count) == (kyc.KYC_CHECK_STATE_REJECTED, 1)

    position_change = changes.position_change(Known(p.PAYMENT_CHANNEL_WEB, 700, "EUR", "DEUTDEFF"), +1)
    position = totals.message(position_change, totals.add(None, position_change), NOW)
    assert isinstance(position, agg.SettlementPosition)
    assert position.participant_bic == "DEUTDEFF" and position.payment_count == 1
    assert position.unsettled_amount == Money(amount_minor=700, currency_code="EUR")
    assert position.update_time.ToDatetime(tzinfo=UTC) == NOW


def test_windows_and_keys_are_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        berlin = AT.astimezone(timezone(timedelta(hours=1)))
        assert window_start(berlin).tzinfo is UTC
        assert rfc3339(window_start(berlin)) == "2026-12-07T07:31:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_own_accounts_are_internal_even_with_a_bic_and_banks_are_named_by_bic8() -> None:
    own = initiated(external=False)
    own.creditor_bic = "DEUTDEFF500"
    assert changes.participant(own) == "INTERNAL"
    assert changes.participant(initiated(bic="COBADEFFXXX")) == "COBADEFF"


def test_the_queue_entry_names_its_payment_and_the_release_clears_the_hold_flag() -> None:
    held = pev.PaymentHeld(payment_id=PAYMENT, hold_reason=p.HOLD_REASON_FRAUD_REVIEW)
    known, out = run([initiated(), held])
    (entry,) = [c.entry for c in out if isinstance(c, QueueChange)]
    assert entry is not None and entry.payment_id == PAYMENT
    assert known is not None and known.held is True
    released = payment_step(known, pev.PaymentReleased(payment_id=PAYMENT), AT, 3)
    assert released.known is not None and released.known.held is False


def test_a_fraud_window_carries_every_counter() -> None:
    events = [
        rev.FraudEvaluated(fraud_score=0.5, decision=decision, model_unavailable=unavailable)
        for decision, unavailable in (
            (fraud.FRAUD_DECISION_APPROVE, False),
            (fraud.FRAUD_DECISION_REVIEW, True),
            (fraud.FRAUD_DECISION_REVIEW, False),
            (fraud.FRAUD_DECISION_DECLINE, True),
            (fraud.FRAUD_DECISION_DECLINE, False),
            (fraud.FRAUD_DECISION_DECLINE, False),
        )
    ]
    summed: totals.Totals | None = None
    for event in events:
        change = changes.fraud_change(event, AT)
        assert change is not None
        summed = totals.add(summed, change)
    assert change is not None and summed is not None
    window = totals.message(change, summed, NOW)
    assert isinstance(window, agg.FraudDecisionWindow)
    assert (window.approve_count, window.review_count, window.decline_count, window.model_unavailable_count) == (
        1, 2, 3, 2)  # fmt: skip
    assert window.fraud_score_sum == 3.0
