"""A settlement batch's lifecycle, pure: which action moves which state where.

    OPEN --close / window ended--> CLOSED --netting--> NETTED --MARK_SETTLED--> SETTLED
    CLOSED, NETTED --MARK_FAILED--> FAILED

Repeating a change that already took effect (the same settlement reference, or failing a FAILED
batch) is a no-op that returns the batch unchanged; anything else is INVALID_STATE_TRANSITION.
"""

from __future__ import annotations

from fintech.payments.v1 import settlement_batch_pb2 as sb
from fintech.payments.v1 import settlement_service_pb2 as ssvc

OPEN, CLOSED, NETTED, SETTLED, FAILED = (
    sb.SETTLEMENT_BATCH_STATE_OPEN,
    sb.SETTLEMENT_BATCH_STATE_CLOSED,
    sb.SETTLEMENT_BATCH_STATE_NETTED,
    sb.SETTLEMENT_BATCH_STATE_SETTLED,
    sb.SETTLEMENT_BATCH_STATE_FAILED,
)
CLOSE, MARK_SETTLED, MARK_FAILED = (
    ssvc.SETTLEMENT_BATCH_ACTION_CLOSE,
    ssvc.SETTLEMENT_BATCH_ACTION_MARK_SETTLED,
    ssvc.SETTLEMENT_BATCH_ACTION_MARK_FAILED,
)
ALLOWED = {CLOSE: {OPEN}, MARK_SETTLED: {NETTED}, MARK_FAILED: {CLOSED, NETTED}}
TARGET = {CLOSE: CLOSED, MARK_SETTLED: SETTLED, MARK_FAILED: FAILED}


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
            f"{ssvc.SettlementBatchAction.Name(action)} is not allowed in state {sb.SettlementBatchState.Name(state)}"
        )
    return True
