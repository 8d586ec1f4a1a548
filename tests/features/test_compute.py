"""The one computation of the feature definitions (pure): windows, point in time, values without events."""

from __future__ import annotations

import pytest

from libs.featurespec.compute import Event, longest_window, values
from libs.featurespec.definitions import BY_NAME, SMALL_AMOUNT_MINOR

T0 = 1_767_225_600.0
NAMES = [
    "customer_payment_count_1m",
    "customer_payment_count_1h",
    "customer_small_payment_count_10m",
    "customer_payment_amount_sum_24h",
    "customer_distinct_counterparty_count_24h",
    "customer_time_since_last_payment",
    "customer_payment_amount_mean_30d",
    "customer_payment_amount_std_30d",
]
FEATURES = [BY_NAME[name] for name in NAMES]


def _compute(events: list[Event], as_of: float) -> dict[str, float | None]:
    before = [e for e in events if e.time <= as_of]
    last = before[-1].time if before else None
    return dict(zip(NAMES, values(FEATURES, as_of, before, last), strict=True))


def test_windows_end_at_the_read_time_and_exclude_their_start():
    events = [
        Event(T0 - 40 * 86_400, 99_999, "EUR", "old"),  # outside every window but the time since last
        Event(T0 - 3600, 1_000, "EUR", "a"),  # exactly one hour before: outside the 1h window
        Event(T0 - 30, SMALL_AMOUNT_MINOR, "EUR", "b"),
        Event(T0 - 10, 2_000, "USD", "b"),  # counted, but not in the EUR amounts
        Event(T0, 300, "EUR", None),  # at the read time: included; an external creditor has no id
    ]
    got = _compute(events, T0)
    assert got["customer_payment_count_1m"] == 3 and got["customer_payment_count_1h"] == 3
    assert got["customer_small_payment_count_10m"] == 2
    assert got["customer_payment_amount_sum_24h"] == 1_000 + SMALL_AMOUNT_MINOR + 300
    assert got["customer_distinct_counterparty_count_24h"] == 2
    assert got["customer_time_since_last_payment"] == 0
    assert got["customer_payment_amount_mean_30d"] == pytest.approx((1_000 + SMALL_AMOUNT_MINOR + 300) / 3)
    # point in time: a read 20 s earlier never sees the later events
    earlier = _compute(events, T0 - 20)
    assert earlier["customer_payment_count_1m"] == 1 and earlier["customer_time_since_last_payment"] == 10


def test_an_entity_without_events_has_no_values_and_an_empty_window_counts_zero():
    assert set(_compute([], T0).values()) == {None}
    old = _compute([Event(T0 - 40 * 86_400, 700, "EUR", "a")], T0)
    assert old["customer_payment_count_1h"] == 0 and old["customer_payment_amount_sum_24h"] == 0
    assert old["customer_payment_amount_mean_30d"] is None and old["customer_payment_amount_std_30d"] is None
    assert old["customer_time_since_last_payment"] == 40 * 86_400


def test_the_spread_is_the_population_standard_deviation():
    events = [Event(T0 - i, amount, "EUR", "a") for i, amount in zip((3, 2, 1), (1_000, 2_000, 3_000), strict=True)]
    assert _compute(events, T0)["customer_payment_amount_std_30d"] == pytest.approx((2 / 3) ** 0.5 * 1_000)
    assert longest_window(FEATURES) == 30 * 86_400
