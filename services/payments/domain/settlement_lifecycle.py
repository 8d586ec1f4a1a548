"""A settlement batch's lifecycle, pure: which action moves which state where.

    OPEN --close / window ended--> CLOSED --netting--> NETTED --MARK_SETTLED--> SETTLED
    CLOSED, NETTED --MARK_FAILED--> FAILED

Repeating a change that already took effect (the same settlement reference, or failing a FAILED
batch) is a no-op that returns the batch unchanged; anything else is INVALID_STATE_TRANSITION.
"""

from __future__ import annotations

from fintech.payments.v1 import settlement_batch_pb2 as sb

OPEN, CLOSED, NETTED, SETTLED, FAILED = (
    sb.SETTLEMENT_BATCH_STATE_OPEN,
    sb.SETTLEMENT_BATCH_STATE_CLOSED,
    sb.SETTLEMENT_BATCH_STATE_NETTED,
    sb.SETTLEMENT_BATCH_STATE_SETTLED,
    sb.SETTLEMENT_BATCH_STATE_FAILED,
)
# The contract's SettlementBatchAction values (settlement_service.proto; a request message's enum, which the
# domain does not import: tests/payments/test_settlement_rules.py holds them equal).
CLOSE, MARK_SETTLED, MARK_FAILED = 1, 2, 3
ACTION_NAMES = {
    CLOSE: "SETTLEMENT_BATCH_ACTION_CLOSE",
    MARK_SETTLED: "SETTLEMENT_BATCH_ACTION_MARK_SETTLED",
    MARK_FAILED: "SETTLEMENT_BATCH_ACTION_MARK_FAILED",
}
ALLOWED = {CLOSE: {OPEN}, MARK_SETTLED: {NETTED}, MARK_FAILED: {CLOSED, NETTED}}


class InvalidStateTransition(ValueError):
    pass


def plan(state: int, action: int, *, reference: str = "", settled_reference: str = "") -> bool:
    """True when `action` must be carried out, False when it already took effect (a repeat).

    Raises InvalidStateTransition when the batch's state does not allow the action.
    """
    if action == MARK_SETTLED and state == SETTLED and reference == settled_reference:
        return False
    if action == MARK_FAILED and state == FAILED:
        return False
    if action == CLOSE and state in (CLOSED, NETTED):
        return False  # closing a batch that closed (and netted) already
    if state not in ALLOWED[action]:
        raise InvalidStateTransition(
            f"{ACTION_NAMES[action]} is not allowed in state {sb.SettlementBatchState.Name(state)}"
        )
    return True
