"""Settlement's pure rules, what callers are told: the batch lifecycle's refusals and netting's bad input."""

from __future__ import annotations

import pytest
from fintech.payments.v1 import settlement_service_pb2 as ssvc

from services.payments.domain import settlement_lifecycle as lifecycle
from services.payments.domain import settlement_netting as netting
from services.payments.domain.settlement_lifecycle import CLOSE, MARK_FAILED, MARK_SETTLED
from services.payments.domain.settlement_netting import BatchPayment


def test_settling_again_without_a_reference_is_a_repeat_when_none_was_recorded():
    assert lifecycle.plan(lifecycle.SETTLED, MARK_SETTLED) is False
    assert lifecycle.plan(lifecycle.SETTLED, MARK_SETTLED, reference="") is False
    assert lifecycle.plan(lifecycle.SETTLED, MARK_SETTLED, settled_reference="") is False
    with pytest.raises(lifecycle.InvalidStateTransition):
        lifecycle.plan(lifecycle.SETTLED, MARK_SETTLED, settled_reference="R1")
    with pytest.raises(lifecycle.InvalidStateTransition):
        lifecycle.plan(lifecycle.SETTLED, MARK_SETTLED, reference="R1")


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (lifecycle.OPEN, MARK_SETTLED, "SETTLEMENT_BATCH_ACTION_MARK_SETTLED is not allowed in state "
                                       "SETTLEMENT_BATCH_STATE_OPEN"),
        (lifecycle.SETTLED, CLOSE, "SETTLEMENT_BATCH_ACTION_CLOSE is not allowed in state "
                                   "SETTLEMENT_BATCH_STATE_SETTLED"),
        (lifecycle.OPEN, MARK_FAILED, "SETTLEMENT_BATCH_ACTION_MARK_FAILED is not allowed in state "
                                      "SETTLEMENT_BATCH_STATE_OPEN"),
    ],
)  # fmt: skip
def test_a_refused_transition_names_the_action_and_the_state(state, action, message):
    with pytest.raises(lifecycle.InvalidStateTransition) as refused:
        lifecycle.plan(state, action, reference="R1")
    assert str(refused.value) == message


def test_bad_netting_input_is_refused_with_its_reason():
    with pytest.raises(ValueError) as refused:
        netting.net([BatchPayment("p1", "AAAADEFFXXX", 5), BatchPayment("p2", "AAAADEFFXXX", -1)], {})
    assert str(refused.value) == "payment p2 has a non-positive amount"
    with pytest.raises(ValueError) as refused:
        netting.net([], {"AAAADEFFXXX": 0, "BBBBFRPP": -1})
    assert str(refused.value) == "a participant's gross credit cannot be negative"


def test_a_participant_with_a_zero_credit_and_no_payments_has_no_position():
    result = netting.net([BatchPayment("p1", "AAAADEFFXXX", 5)], {"BBBBFRPP": 0})
    assert [p.participant_bic for p in result.positions] == ["AAAADEFFXXX"]
    assert (result.gross_debit_minor, result.gross_credit_minor, result.net_minor) == (5, 0, -5)


def test_the_actions_are_the_contracts():
    assert (CLOSE, MARK_SETTLED, MARK_FAILED) == (
        ssvc.SETTLEMENT_BATCH_ACTION_CLOSE, ssvc.SETTLEMENT_BATCH_ACTION_MARK_SETTLED,
        ssvc.SETTLEMENT_BATCH_ACTION_MARK_FAILED,
    )  # fmt: skip
    assert {
        action: ssvc.SettlementBatchAction.Name(action) for action in (CLOSE, MARK_SETTLED, MARK_FAILED)
    } == lifecycle.ACTION_NAMES
