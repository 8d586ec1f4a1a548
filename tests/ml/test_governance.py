"""The pure parts of governance: calibration and separation metrics, PSI, the four-fifths rule."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from services.ml.domain import governance as g


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
