"""How changes add up under one key, and the contract's message for the sums.

Totals are plain numbers (the processor's state is JSON); the message is built from them on every change, so
the compacted topic's latest record for a key is the aggregate so far.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from fintech.analytics.v1 import aggregates_pb2 as agg
from fintech.common.v1.money_pb2 import Money
from google.protobuf.message import Message

from services.analytics.domain.changes import Change
from services.analytics.domain.windows import WINDOW, parse_rfc3339

Totals = dict[str, float]


def add(totals: Mapping[str, float] | None, change: Change) -> Totals:
    """`totals` plus the change's numbers (a counter absent so far counts from zero)."""
    summed = dict(totals or {})
    for name, value in change.add.items():
        summed[name] = summed.get(name, 0) + value
    return summed


def message(change: Change, totals: Mapping[str, float], now: datetime) -> Message:
    """The aggregate of the change's key with `totals`, as the contract's message of its kind."""
    about = change.about
    built: Message
    if change.kind == "flow":
        currency = str(about["currency"])
        built = agg.PaymentFlowWindow(
            state=int(about["state"]),  # type: ignore[arg-type]  # an enum's number
            channel=int(about["channel"]),  # type: ignore[arg-type]
            payment_count=int(totals["payment_count"]),
            total_amount=Money(amount_minor=int(totals["amount_minor"]), currency_code=currency),
        )
    elif change.kind == "fraud":
        built = agg.FraudDecisionWindow(
            model_name=str(about["model_name"]),
            model_version=str(about["model_version"]),
            approve_count=int(totals["approve_count"]),
            review_count=int(totals["review_count"]),
            decline_count=int(totals["decline_count"]),
            model_unavailable_count=int(totals["model_unavailable_count"]),
            fraud_score_sum=totals["fraud_score_sum"],
        )
    elif change.kind == "kyc":
        built = agg.KycOutcomeWindow(
            state=int(about["state"]),  # type: ignore[arg-type]
            check_count=int(totals["check_count"]),
        )
    else:
        return _position(change, totals, now)
    start = parse_rfc3339(str(about["window_start"]))
    built.window_start.FromDatetime(start)
    built.window_end.FromDatetime(start + WINDOW)
    built.update_time.FromDatetime(now)
    return built


def _position(change: Change, totals: Mapping[str, float], now: datetime) -> agg.SettlementPosition:
    position = agg.SettlementPosition(
        participant_bic=str(change.about["participant_bic"]),
        unsettled_amount=Money(amount_minor=int(totals["amount_minor"]), currency_code=str(change.about["currency"])),
        payment_count=int(totals["payment_count"]),
    )
    position.update_time.FromDatetime(now)
    return position
