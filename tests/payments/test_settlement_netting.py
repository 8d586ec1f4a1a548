"""Settlement's pure rules: netting per participant, the control check, the batch lifecycle."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.payments.domain import settlement_lifecycle as lifecycle
from services.payments.domain import settlement_netting as netting
from services.payments.domain.settlement_lifecycle import CLOSE, MARK_FAILED, MARK_SETTLED
from services.payments.domain.settlement_netting import BatchPayment

A, B, C = "AAAADEFFXXX", "BBBBFRPP", "CCCCGB2L"


def test_positions_per_participant_ordered_by_bic_with_totals():
    payments = [BatchPayment("p1", B, 500), BatchPayment("p2", A, 300), BatchPayment("p3", B, 200)]
    result = netting.net(payments, {A: 1_000, C: 50})
    rows = [(p.participant_bic, p.payment_count, p.gross_debit_minor, p.gross_credit_minor, p.net_minor)
            for p in result.positions]  # fmt: skip
    assert rows == [(A, 1, 300, 1_000, 700), (B, 2, 700, 0, -700), (C, 0, 0, 50, 50)]
    assert (result.payment_count, result.gross_debit_minor, result.gross_credit_minor, result.net_minor) == (
        3, 1_000, 1_050, 50,
    )  # fmt: skip
    assert netting.check(result, {A: 300, B: 700})


def test_the_check_fails_when_the_ledger_disagrees_or_a_total_is_off():
    result = netting.net([BatchPayment("p1", A, 500)], {})
    assert netting.check(result, {A: 500})
    assert not netting.check(result, {A: 499})  # the ledger booked another amount
    assert not netting.check(result, {A: 500, B: 1})  # a clearing debit with no payment behind it
    broken = netting.Netting(result.positions, 1, 500, 0, -499)
    assert not netting.check(broken, {A: 500})


def test_no_payments_nets_to_nothing_and_bad_amounts_are_refused():
    empty = netting.net([], {})
    assert empty.positions == () and empty.net_minor == 0 and netting.check(empty, {})
    with pytest.raises(ValueError):
        netting.net([BatchPayment("p1", A, 0)], {})
    with pytest.raises(ValueError):
        netting.net([], {A: -1})


@given(
    st.lists(st.tuples(st.sampled_from([A, B, C]), st.integers(1, 10**9)), max_size=40),
    st.dictionaries(st.sampled_from([A, B, C]), st.integers(0, 10**9)),
)
def test_netting_conserves_every_amount(items, credits):
    payments = [BatchPayment(f"p{i}", bic, amount) for i, (bic, amount) in enumerate(items)]
    result = netting.net(payments, credits)
    assert result.gross_debit_minor == sum(amount for _, amount in items)
    assert result.gross_credit_minor == sum(credits.values())
    assert result.net_minor == sum(p.net_minor for p in result.positions)
    assert result.payment_count == len(items)
    booked = {}
    for bic, amount in items:
        booked[bic] = booked.get(bic, 0) + amount
    assert netting.check(result, booked)


@pytest.mark.parametrize(
    ("state", "action"),
    [(lifecycle.OPEN, CLOSE), (lifecycle.NETTED, MARK_SETTLED), (lifecycle.CLOSED, MARK_FAILED),
     (lifecycle.NETTED, MARK_FAILED)],
)  # fmt: skip
def test_allowed_transitions_are_carried_out(state, action):
    assert lifecycle.plan(state, action, reference="R1") is True


def test_a_repeated_change_is_a_no_op_and_others_are_invalid():
    assert lifecycle.plan(lifecycle.SETTLED, MARK_SETTLED, reference="R1", settled_reference="R1") is False
    assert lifecycle.plan(lifecycle.FAILED, MARK_FAILED) is False
    assert lifecycle.plan(lifecycle.NETTED, CLOSE) is False
    for state, action in [
        (lifecycle.SETTLED, MARK_SETTLED),  # another reference
        (lifecycle.OPEN, MARK_SETTLED),
        (lifecycle.CLOSED, MARK_SETTLED),
        (lifecycle.FAILED, MARK_SETTLED),
        (lifecycle.OPEN, MARK_FAILED),
        (lifecycle.SETTLED, MARK_FAILED),
        (lifecycle.SETTLED, CLOSE),
        (lifecycle.FAILED, CLOSE),
    ]:
        with pytest.raises(lifecycle.InvalidStateTransition):
            lifecycle.plan(state, action, reference="R2", settled_reference="R1")
