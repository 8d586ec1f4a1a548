"""The pure parts: feature definitions, calibration and separation metrics, PSI, the four-fifths rule."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from services.ml import governance as g
from services.ml.features import DAY, HOUR, NO_PREVIOUS_TXN_SECONDS, Txn, feature_names, transaction_features

T0 = 1_767_225_600.0


def test_transaction_features_over_the_windows():
    history = [
        Txn(T0 - 40 * DAY, 99_999, "old", "travel", "d0"),  # outside 30 days: ignored
        Txn(T0 - 2 * DAY, 1000, "shop", "grocery", "d1"),
        Txn(T0 - 5 * HOUR, 3000, "cafe", "restaurant", "d1"),
        Txn(T0 - 30 * 60, 2000, "shop", "grocery", "d1"),
    ]
    f = transaction_features(history, Txn(T0, 12_000, "new", "electronics", "d9"))
    assert list(f) == feature_names("fraud")
    assert f["txn_count_1h"] == 1 and f["txn_count_24h"] == 2
    assert f["txn_amount_sum_24h"] == 5000 and f["distinct_counterparties_24h"] == 2
    assert f["seconds_since_last_txn"] == 30 * 60
    assert f["amount_to_avg_ratio_30d"] == 12_000 / 2000
    assert f["is_new_counterparty"] == 1 and f["is_new_device"] == 1 and f["category_share_30d"] == 0
    first = transaction_features([], Txn(T0, 500, "a", "grocery", "d"))
    assert first["seconds_since_last_txn"] == NO_PREVIOUS_TXN_SECONDS and first["amount_to_avg_ratio_30d"] == 1.0


def test_metrics_on_known_cases():
    assert g.ks_statistic([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert g.ks_statistic([0.5, 0.5], [0, 1]) == 0.0
    assert math.isclose(g.expected_calibration_error([0.05, 0.05], [0, 1]), 0.45)


def test_psi_is_zero_for_equal_distributions_and_grows_with_shift():
    base = list(range(1000))
    edges = g.decile_edges([float(v) for v in base])
    shares = g.shares(g.bucket_counts(edges, [float(v) for v in base]))
    assert len(edges) == 9 and g.psi(shares, shares) == 0
    shifted = g.shares(g.bucket_counts(edges, [float(v) + 300 for v in base]))
    assert g.psi(shares, shifted) > g.SIGNIFICANT_PSI
    assert g.drift_verdict(0.05) == "STABLE" and g.drift_verdict(0.15) == "MODERATE"
    assert g.drift_verdict(0.3, count=5) == "INSUFFICIENT_DATA"
    assert g.bucket_index(edges, math.nan) == len(edges) + 1


@given(st.lists(st.floats(0.01, 1), min_size=3, max_size=10))
def test_psi_is_never_negative(weights):
    base = [w / sum(weights) for w in weights]
    current = list(reversed(base))
    assert g.psi(base, current) >= 0


def test_disparate_impact_and_the_four_fifths_verdict():
    groups = ["young"] * 100 + ["old"] * 100
    # young: 60 approved of 100; old: 90 approved of 100 -> ratio 0.667, FAIL
    scores = [0.9] * 40 + [0.1] * 60 + [0.9] * 10 + [0.1] * 90
    labels = [1] * 20 + [0] * 80 + [1] * 10 + [0] * 90
    result = g.attribute_bias("age_band", groups, scores, labels, threshold=0.5)
    assert result.reference_group == "old" and result.verdict == "FAIL"
    young = next(r for r in result.groups if r.group == "young")
    assert math.isclose(young.disparate_impact_ratio, 60 / 90) and young.verdict == "FAIL"
    assert math.isclose(young.false_positive_rate, 20 / 80) and young.false_negative_rate == 0
    small = g.attribute_bias("x", ["a"] * 10, [0.1] * 10, [0] * 10, 0.5)
    assert small.verdict == "INSUFFICIENT_DATA"
    assert g.overall_verdict(["PASS", "INSUFFICIENT_DATA"]) == "INSUFFICIENT_DATA"
