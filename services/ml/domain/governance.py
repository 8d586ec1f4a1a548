"""Model governance, pure: calibration and separation metrics, drift (PSI) and fairness (four-fifths rule).

Used at training time (model cards, the baselines registered with a version) and by the registry
(drift reports from the bins of served features). No I/O.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

MODERATE_PSI = 0.1
SIGNIFICANT_PSI = 0.25
FOUR_FIFTHS = 0.8
MIN_GROUP_SIZE = 50
# The smallest number of current predictions for a PSI worth reporting.
MIN_DRIFT_COUNT = 100
PSI_EPSILON = 1e-4


# ---- calibration and separation -------------------------------------------------------------------------------


def calibration_bins(scores: Sequence[float], labels: Sequence[int], bins: int = 10) -> list[dict[str, float]]:
    """The reliability table: per non-empty equal-width score bin, its rows, mean score and observed rate."""
    totals = [0] * bins
    score_sums = [0.0] * bins
    positives = [0] * bins
    for score, label in zip(scores, labels, strict=True):
        b = min(int(score * bins), bins - 1)
        totals[b] += 1
        score_sums[b] += score
        positives[b] += label
    return [
        {"lower": b / bins, "upper": (b + 1) / bins, "count": totals[b], "mean_score": score_sums[b] / totals[b],
         "observed_rate": positives[b] / totals[b]}
        for b in range(bins)
        if totals[b]
    ]  # fmt: skip


def expected_calibration_error(scores: Sequence[float], labels: Sequence[int], bins: int = 10) -> float:
    """Mean |observed rate - mean score| over `bins` equal-width score bins, weighted by bin size."""
    table = calibration_bins(scores, labels, bins)
    n = sum(row["count"] for row in table)
    return sum(row["count"] * abs(row["observed_rate"] - row["mean_score"]) for row in table) / n if n else 0.0


def ks_statistic(scores: Sequence[float], labels: Sequence[int]) -> float:
    """The largest gap between the score CDFs of positives and negatives."""
    pairs = sorted(zip(scores, labels, strict=True))
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if not n_pos or not n_neg:
        return 0.0
    best = cdf_pos = cdf_neg = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            if pairs[j][1]:
                cdf_pos += 1 / n_pos
            else:
                cdf_neg += 1 / n_neg
            j += 1
        best = max(best, abs(cdf_neg - cdf_pos))
        i = j
    return best


# ---- drift ------------------------------------------------------------------------------------------------------


def decile_edges(values: Sequence[float]) -> list[float]:
    """The inner bucket edges of a numeric feature: its distinct deciles (so at most 10 buckets)."""
    finite = sorted(v for v in values if not math.isnan(v))
    if not finite:
        return []
    edges = []
    for q in range(1, 10):
        edge = finite[min(len(finite) - 1, int(q * len(finite) / 10))]
        if edge not in edges and edge > finite[0]:
            edges.append(edge)
    return edges


def bucket_index(edges: Sequence[float], value: float) -> int:
    """Bucket i holds [edges[i-1], edges[i]); NaN goes to the last bucket (missing), at len(edges) + 1."""
    if math.isnan(value):
        return len(edges) + 1
    return bisect.bisect_right(edges, value)


def bucket_counts(edges: Sequence[float], values: Sequence[float]) -> list[int]:
    counts = [0] * (len(edges) + 2)
    for value in values:
        counts[bucket_index(edges, value)] += 1
    return counts


def shares(counts: Sequence[int]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def psi_terms(baseline: Sequence[float], current: Sequence[float], epsilon: float = PSI_EPSILON) -> list[float]:
    """Each bucket's PSI term, (c - b) * ln(c / b), with empty buckets smoothed to `epsilon`."""
    terms = []
    for b, c in zip(baseline, current, strict=True):
        b, c = max(b, epsilon), max(c, epsilon)
        terms.append((c - b) * math.log(c / b))
    return terms


def psi(baseline: Sequence[float], current: Sequence[float]) -> float:
    return sum(psi_terms(baseline, current))


def drift_verdict(value: float, count: int = MIN_DRIFT_COUNT) -> str:
    if count < MIN_DRIFT_COUNT:
        return "INSUFFICIENT_DATA"
    if value >= SIGNIFICANT_PSI:
        return "SIGNIFICANT"
    if value >= MODERATE_PSI:
        return "MODERATE"
    return "STABLE"


# ---- fairness ---------------------------------------------------------------------------------------------------


@dataclass
class GroupRates:
    group: str
    instance_count: int
    approval_rate: float = 0.0
    false_positive_rate: float = 0.0
    false_negative_rate: float = 0.0
    disparate_impact_ratio: float = 0.0
    verdict: str = "INSUFFICIENT_DATA"


@dataclass
class AttributeBias:
    attribute: str
    reference_group: str
    groups: list[GroupRates] = field(default_factory=list)
    min_disparate_impact_ratio: float = 0.0
    verdict: str = "INSUFFICIENT_DATA"


def attribute_bias(
    attribute: str,
    groups: Sequence[str],
    scores: Sequence[float],
    labels: Sequence[int],
    threshold: float,
    min_group_size: int = MIN_GROUP_SIZE,
) -> AttributeBias:
    """Approval (score below threshold) and error rates per group, and the four-fifths rule against the best."""
    members: dict[str, list[tuple[float, int]]] = {}
    for group, score, label in zip(groups, scores, labels, strict=True):
        members.setdefault(group, []).append((score, label))
    rates = []
    for group in sorted(members):
        rows = members[group]
        rate = GroupRates(group, len(rows))
        if len(rows) >= min_group_size:
            declined = [s >= threshold for s, _ in rows]
            negatives = [d for d, (_, y) in zip(declined, rows, strict=True) if not y]
            positives = [d for d, (_, y) in zip(declined, rows, strict=True) if y]
            rate.approval_rate = 1 - sum(declined) / len(rows)
            rate.false_positive_rate = sum(negatives) / len(negatives) if negatives else 0.0
            rate.false_negative_rate = (len(positives) - sum(positives)) / len(positives) if positives else 0.0
        rates.append(rate)
    assessed = [r for r in rates if r.instance_count >= min_group_size]
    if not assessed:
        return AttributeBias(attribute, "", rates)
    reference = max(assessed, key=lambda r: r.approval_rate)
    for r in assessed:
        r.disparate_impact_ratio = r.approval_rate / reference.approval_rate if reference.approval_rate else 0.0
        r.verdict = "PASS" if r.disparate_impact_ratio >= FOUR_FIFTHS else "FAIL"
    result = AttributeBias(attribute, reference.group, rates)
    result.min_disparate_impact_ratio = min(r.disparate_impact_ratio for r in assessed)
    if any(r.verdict == "FAIL" for r in assessed):
        result.verdict = "FAIL"
    elif len(assessed) < 2:
        result.verdict = "INSUFFICIENT_DATA"
    else:
        result.verdict = "PASS"
    return result


def overall_verdict(verdicts: Sequence[str]) -> str:
    if "FAIL" in verdicts:
        return "FAIL"
    if "INSUFFICIENT_DATA" in verdicts or not verdicts:
        return "INSUFFICIENT_DATA"
    return "PASS"
