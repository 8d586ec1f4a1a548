"""A model version's stages: what each stage requires of its metrics, and which moves between stages are allowed.

REGISTERED -> SHADOW / CANARY / PRODUCTION / ARCHIVED, gated by the version's validation metrics (and, for
PRODUCTION, a passing bias report); the production version leaves PRODUCTION only when another replaces it.
"""

from __future__ import annotations

import hashlib
import uuid

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.ml.v1 import bias_report_pb2 as bias_pb
from fintech.ml.v1 import model_version_pb2 as mv
from google.protobuf import timestamp_pb2

from services.runtime.errors import Aborted, FailedPrecondition, InvalidArgument, PermissionDenied
from services.runtime.validation import Violation

S = mv.ModelStage
AT_LEAST, AT_MOST = mv.THRESHOLD_COMPARISON_AT_LEAST, mv.THRESHOLD_COMPARISON_AT_MOST
# What each stage requires of a version's validation metrics (ARCHIVED: nothing).
STAGE_THRESHOLDS: dict[mv.ModelStage, list[tuple[str, mv.ThresholdComparison, float]]] = {
    S.MODEL_STAGE_SHADOW: [("roc_auc", AT_LEAST, 0.6)],
    S.MODEL_STAGE_CANARY: [("roc_auc", AT_LEAST, 0.75), ("expected_calibration_error", AT_MOST, 0.1)],
    S.MODEL_STAGE_PRODUCTION: [
        ("roc_auc", AT_LEAST, 0.75),
        ("expected_calibration_error", AT_MOST, 0.05),
        ("brier_score", AT_MOST, 0.25),
    ],
    S.MODEL_STAGE_ARCHIVED: [],
}
SERVING_STAGES: tuple[mv.ModelStage, ...] = (S.MODEL_STAGE_SHADOW, S.MODEL_STAGE_CANARY, S.MODEL_STAGE_PRODUCTION)
# A promotion to one of these replaces (archives) the model's version that holds it.
EXCLUSIVE_STAGES = (S.MODEL_STAGE_PRODUCTION, S.MODEL_STAGE_CANARY)


def now_ts() -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.GetCurrentTime()
    return ts


def etag(version: mv.ModelVersion) -> str:
    state = f"{version.stage}:{version.canary_traffic_percent}:{version.stage_change_time.ToNanoseconds()}"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def with_etag(version: mv.ModelVersion) -> mv.ModelVersion:
    version.etag = etag(version)
    return version


def new_version(name: str, version: mv.ModelVersion, created_by: str) -> mv.ModelVersion:
    """What is stored of a registered version: a new id, REGISTERED, created now by `created_by`."""
    stored = mv.ModelVersion()
    stored.CopyFrom(version)
    stored.model_version_id = str(uuid.uuid4())
    stored.model_name = name
    stored.stage = S.MODEL_STAGE_REGISTERED
    stored.canary_traffic_percent = 0
    stored.created_by = created_by
    stored.create_time.CopyFrom(now_ts())
    stored.stage_change_time.CopyFrom(stored.create_time)
    stored.ClearField("etag")
    return stored


def move(version: mv.ModelVersion, stage: mv.ModelStage, percent: int) -> mv.ModelStage:
    """Put `version` in `stage` now; returns the stage it left."""
    previous = version.stage
    version.stage = stage
    version.canary_traffic_percent = percent
    version.stage_change_time.CopyFrom(now_ts())
    version.ClearField("etag")
    return previous


def metric_checks(version: mv.ModelVersion, stage: mv.ModelStage) -> list[mv.MetricCheck]:
    checks = []
    metrics = version.validation_metrics
    for name, comparison, threshold in STAGE_THRESHOLDS.get(stage, []):
        value = metrics.extra_metrics[name] if name in metrics.extra_metrics else getattr(metrics, name)
        passed = value >= threshold if comparison == AT_LEAST else value <= threshold
        checks.append(
            mv.MetricCheck(metric=name, value=value, threshold=threshold, comparison=comparison, passed=passed)
        )
    return checks


def metric_field(name: str) -> str:
    return (
        f"validation_metrics.{name}"
        if name in mv.ValidationMetrics.DESCRIPTOR.fields_by_name
        else (f"validation_metrics.extra_metrics[{name}]")
    )


def check_traffic_share(target: mv.ModelStage, percent: int) -> None:
    """A canary serves 0 to 99 percent of the traffic; no other stage has a share. At 0 % it serves only the
    calls that name its version: a challenger whose share an experiment's flag decides (flags/flags.flagd.json)."""
    if target == S.MODEL_STAGE_CANARY and not 0 <= percent <= 99:
        raise InvalidArgument(
            "a canary's traffic share is 0 to 99 percent",
            violations=[Violation("canary_traffic_percent", "must be 0 to 99 for CANARY")],
        )
    if target != S.MODEL_STAGE_CANARY and percent:
        raise InvalidArgument(
            "only a canary has a traffic share",
            violations=[Violation("canary_traffic_percent", "must be 0 unless the target stage is CANARY")],
        )


def check_transition(version: mv.ModelVersion, target: mv.ModelStage, read_etag: str, promoted_by: str) -> None:
    """The version as read (`read_etag`, empty: any), its promoter and its current stage allow the move."""
    if read_etag and read_etag != version.etag:
        raise Aborted(f"version {version.version} changed since it was read", metadata={"etag": version.etag})
    if promoted_by.startswith("user:") and version.created_by == promoted_by:  # people, not the bootstrap
        raise PermissionDenied("four eyes: the person who registered a version may not promote it")
    if version.stage == target and target != S.MODEL_STAGE_CANARY:
        raise FailedPrecondition(
            f"version {version.version} is already {S.Name(target)}",
            reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
        )
    if version.stage == S.MODEL_STAGE_PRODUCTION:
        raise FailedPrecondition(
            "the production version leaves PRODUCTION only when another version replaces it",
            reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
        )


def check_thresholds(
    version: mv.ModelVersion,
    target: mv.ModelStage,
    checks: list[mv.MetricCheck],
    bias: bias_pb.BiasReport | None,
) -> None:
    """Every failed metric check (and, for PRODUCTION, a missing or failing bias report) as one violation each."""
    violations = [
        Violation(
            metric_field(c.metric),
            f"{c.metric} is {c.value:.4f}; {S.Name(target)} needs "
            f"{'at least' if c.comparison == AT_LEAST else 'at most'} {c.threshold}",
        )
        for c in checks
        if not c.passed
    ]
    if target == S.MODEL_STAGE_PRODUCTION and (bias is None or bias.verdict == bias_pb.FOUR_FIFTHS_VERDICT_FAIL):
        violations.append(
            Violation("bias_report", "no bias report" if bias is None else "the bias report fails four-fifths")
        )
    if violations:
        raise FailedPrecondition(
            f"version {version.version} does not meet the thresholds of {S.Name(target)}",
            reason=ErrorReason.ERROR_REASON_PROMOTION_BLOCKED,
            violations=violations,
        )
