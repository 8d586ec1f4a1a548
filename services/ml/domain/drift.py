"""A drift report from the counts of served values per bucket against a version's training baseline (PSI)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from fintech.ml.v1 import drift_report_pb2 as drift_pb
from fintech.ml.v1 import model_version_pb2 as mv
from google.protobuf import empty_pb2

from services.ml.domain import governance
from services.ml.domain.stages import now_ts

# A version's training distribution of every input and of the score: {"feature": {"edges": [...], "shares": [...]}}
# (and "median", the reference of explanations, in newer versions).
Baseline = dict[str, dict[str, Any]]
WORST_FIRST = ["SIGNIFICANT", "MODERATE", "STABLE"]
DRIFTED = (drift_pb.DRIFT_VERDICT_MODERATE, drift_pb.DRIFT_VERDICT_SIGNIFICANT)


def verdict_value(verdict: str) -> drift_pb.DriftVerdict:
    """The DriftVerdict of a governance verdict (STABLE, MODERATE, ...)."""
    return cast(drift_pb.DriftVerdict, drift_pb.DriftVerdict.Value(f"DRIFT_VERDICT_{verdict}"))


@dataclass
class ServedCounts:
    """What a version served: per feature (and `score`), per bucket, how many values; and when."""

    counts: dict[str, dict[int, int]]
    first_served: datetime | None = None
    last_served: datetime | None = None


def drift_report(version: mv.ModelVersion, baseline: Baseline, served: ServedCounts) -> drift_pb.DriftReport:
    report = drift_pb.DriftReport(
        drift_report_id=str(uuid.uuid4()),
        model_version_id=version.model_version_id,
        model_name=version.model_name,
        model_version=version.version,
        baseline_window=version.training_data.window,
        baseline_count=version.training_data.row_count,
        moderate_threshold=governance.MODERATE_PSI,
        significant_threshold=governance.SIGNIFICANT_PSI,
        generate_time=now_ts(),
    )
    if served.first_served is not None and served.last_served is not None:
        report.current_window.start_time.FromDatetime(served.first_served)
        report.current_window.end_time.FromDatetime(served.last_served)
    names = [f.feature_name for f in version.signature.input_features]
    verdicts = []
    for feature in [*names, "score"]:
        base = baseline.get(feature)
        if base is None:
            continue
        edges = base["edges"]
        current_counts = [served.counts.get(feature, {}).get(i, 0) for i in range(len(edges) + 2)]
        total = sum(current_counts)
        current = governance.shares(current_counts)
        terms = governance.psi_terms(base["shares"], current)
        value = sum(terms)
        verdict = governance.drift_verdict(value, total)
        drift = drift_pb.FeatureDrift(
            feature_name=feature,
            population_stability_index=value,
            verdict=verdict_value(verdict),
        )
        bounds = [float("-inf"), *edges, float("inf")]
        for i, term in enumerate(terms):
            bucket = drift.buckets.add(baseline_share=base["shares"][i], current_share=current[i],
                                       psi_contribution=term)  # fmt: skip
            if i == len(edges) + 1:
                bucket.missing.CopyFrom(empty_pb2.Empty())
            else:
                bucket.numeric_range.lower_bound = bounds[i]
                bucket.numeric_range.upper_bound = bounds[i + 1]
        report.current_count = max(report.current_count, total)
        if feature == "score":
            report.score_drift.CopyFrom(drift)
        else:
            report.features.append(drift)
        verdicts.append(verdict)
    worst = next((o for o in WORST_FIRST if o in verdicts), "INSUFFICIENT_DATA")
    report.verdict = verdict_value(worst)
    return report


def drifted(report: drift_pb.DriftReport) -> bool:
    """The report as a whole (an input or the score) drifted: MODERATE or SIGNIFICANT."""
    return report.verdict in DRIFTED


def drifted_features(report: drift_pb.DriftReport) -> list[drift_pb.FeatureDrift]:
    """The inputs that drifted (MODERATE or SIGNIFICANT), most first."""
    return sorted((f for f in report.features if f.verdict in DRIFTED), key=lambda f: -f.population_stability_index)
