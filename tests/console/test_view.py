"""The materialized view and the panels' roles: pure rules, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fintech.analytics.v1 import aggregates_pb2
from fintech.payments.v1 import payment_pb2

from services.console.domain.panels import PANEL_ROLES, PANEL_TOPICS, Panel, panels_for
from services.console.domain.view import BadAggregate, Change, View, decode

NOW = datetime(2026, 12, 7, 8, 0, 30, tzinfo=UTC)
FLOW = PANEL_TOPICS[Panel.PAYMENTS]
REVIEW = PANEL_TOPICS[Panel.REVIEW]


def flow(start: datetime, count: int) -> bytes:
    message = aggregates_pb2.PaymentFlowWindow(
        state=payment_pb2.PAYMENT_STATE_INITIATED, channel=payment_pb2.PAYMENT_CHANNEL_WEB, payment_count=count
    )
    message.window_start.FromDatetime(start)
    message.window_end.FromDatetime(start + timedelta(minutes=1))
    message.total_amount.amount_minor, message.total_amount.currency_code = 100 * count, "EUR"
    return message.SerializeToString()


def key(start: datetime) -> str:
    return f"{start.isoformat().replace('+00:00', 'Z')}|PAYMENT_STATE_INITIATED|PAYMENT_CHANNEL_WEB|EUR"


MINUTE = NOW.replace(second=0)


def test_the_latest_value_of_a_key_wins_and_is_the_contracts_json():
    view = View(timedelta(minutes=60))
    view.apply(FLOW, key(MINUTE), flow(MINUTE, 1), NOW)
    change = view.apply(FLOW, key(MINUTE), flow(MINUTE, 3), NOW)
    assert change is not None and (change.panel, change.key) == (Panel.PAYMENTS, key(MINUTE))
    assert change.as_json() == {"panel": "payments", "key": key(MINUTE), "value": change.value}
    value = view.snapshot(frozenset({Panel.PAYMENTS}))["payments"][key(MINUTE)]
    assert value["payment_count"] == "3"  # int64 as protobuf's JSON mapping writes it
    assert value["state"] == "PAYMENT_STATE_INITIATED" and value["total_amount"]["currency_code"] == "EUR"


def test_a_tombstone_deletes_its_key_and_one_for_an_unknown_key_changes_nothing():
    view = View(timedelta(minutes=60))
    entry = aggregates_pb2.ReviewQueueEntry(payment_id="p-1").SerializeToString()
    view.apply(REVIEW, "p-1", entry, NOW)
    view.apply(REVIEW, "p-2", entry, NOW)
    assert view.apply(REVIEW, "p-1", None, NOW) == Change(Panel.REVIEW, "p-1", None)
    assert set(view.snapshot(frozenset({Panel.REVIEW}))["review"]) == {"p-2"}
    assert view.apply(REVIEW, "p-2", None, NOW) == Change(Panel.REVIEW, "p-2", None)
    assert view.snapshot(frozenset({Panel.REVIEW})) == {"review": {}}
    assert view.apply(REVIEW, "p-2", None, NOW) is None


def test_windows_past_the_horizon_are_dropped_on_arrival_and_as_time_passes():
    view = View(timedelta(minutes=10))
    old = MINUTE - timedelta(minutes=11)
    assert view.apply(FLOW, key(old), flow(old, 1), NOW) is None
    view.apply(FLOW, key(MINUTE), flow(MINUTE, 1), NOW)
    assert view.expire(NOW + timedelta(minutes=5)) == []
    expired = view.expire(NOW + timedelta(minutes=11))
    assert [(c.key, c.value) for c in expired] == [(key(MINUTE), None)]
    assert view.snapshot(frozenset(Panel))["payments"] == {}


def test_a_newer_value_past_the_horizon_deletes_the_key_and_one_just_within_stays():
    view = View(timedelta(minutes=10))
    edge = NOW - timedelta(minutes=10)  # exactly the horizon: still shown
    kept = view.apply(FLOW, key(edge), flow(edge, 1), NOW)
    assert kept is not None and (kept.panel, kept.key, kept.value is not None) == (Panel.PAYMENTS, key(edge), True)
    later = NOW + timedelta(seconds=1)
    assert view.apply(FLOW, key(edge), flow(edge, 2), later) == Change(Panel.PAYMENTS, key(edge), None)
    assert view.snapshot(frozenset({Panel.PAYMENTS})) == {"payments": {}}


def test_a_record_that_is_not_its_topics_message_is_refused_clearly():
    view = View(timedelta(minutes=60))
    with pytest.raises(BadAggregate, match="PaymentFlowWindow"):
        view.apply(FLOW, "k", b"\xff\xff\xff", NOW)
    with pytest.raises(BadAggregate, match="fintech.payments.events.v1 is not an aggregate topic"):
        view.apply("fintech.payments.events.v1", "k", b"", NOW)
    with pytest.raises(BadAggregate, match="fintech.payments.events.v1 is not an aggregate topic"):
        decode("fintech.payments.events.v1", b"")


def test_the_snapshot_holds_only_the_panels_asked_for():
    view = View(timedelta(minutes=60))
    view.apply(FLOW, key(MINUTE), flow(MINUTE, 1), NOW)
    view.apply(REVIEW, "p-1", aggregates_pb2.ReviewQueueEntry(payment_id="p-1").SerializeToString(), NOW)
    assert set(view.snapshot(frozenset({Panel.REVIEW}))) == {"review"}


@pytest.mark.parametrize(
    ("roles", "panels"),
    [
        ({"risk_officer"}, {Panel.PAYMENTS, Panel.FRAUD, Panel.REVIEW, Panel.SLO}),
        ({"compliance_officer"}, {Panel.REVIEW, Panel.SETTLEMENT, Panel.KYC}),
        ({"model_risk"}, {Panel.FRAUD, Panel.SLO}),
        ({"admin"}, set(Panel)),
        ({"customer"}, set()),
        ({"teller"}, set()),
        (set(), set()),
        ({"model_risk", "compliance_officer"}, {Panel.FRAUD, Panel.SLO, Panel.REVIEW, Panel.SETTLEMENT, Panel.KYC}),
    ],
)
def test_each_role_sees_the_panels_its_duties_allow(roles: set[str], panels: set[Panel]):
    assert panels_for(roles) == panels


def test_no_panel_is_open_to_customers_or_tellers():
    assert all({"customer", "teller"}.isdisjoint(roles) for roles in PANEL_ROLES.values())


def test_the_stand_in_producer_writes_the_consoles_topics():
    from tools.bench.aggregates import TOPICS

    assert {Panel(panel): topic for panel, topic in TOPICS.items()} == PANEL_TOPICS
