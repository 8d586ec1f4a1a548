"""The registry's stage rules and serving's routing, pure (services.ml.domain): no database, no Triton."""

from __future__ import annotations

import pytest
from fintech.ml.v1 import bias_report_pb2 as bias_pb
from fintech.ml.v1 import model_version_pb2 as mv

from services.ml.domain import serving, stages
from services.runtime.errors import Aborted, FailedPrecondition, InvalidArgument, PermissionDenied, Unavailable

S = mv.ModelStage


def _version(stage: int = S.MODEL_STAGE_REGISTERED, *, roc_auc: float = 0.9, ece: float = 0.01) -> mv.ModelVersion:
    version = mv.ModelVersion(
        model_name="fraud", version="2", stage=stage, created_by="user:alice",
        validation_metrics=mv.ValidationMetrics(roc_auc=roc_auc, expected_calibration_error=ece, brier_score=0.1),
    )  # fmt: skip
    return stages.with_etag(version)


@pytest.mark.parametrize(("target", "percent"), [(S.MODEL_STAGE_CANARY, -1), (S.MODEL_STAGE_CANARY, 100),
                                                 (S.MODEL_STAGE_SHADOW, 5)])  # fmt: skip
def test_only_a_canary_has_a_traffic_share_of_0_to_99_percent(target: int, percent: int):
    with pytest.raises(InvalidArgument) as raised:
        stages.check_traffic_share(target, percent)
    assert [v.field for v in raised.value.violations] == ["canary_traffic_percent"]


def test_a_canary_share_within_bounds_passes():
    stages.check_traffic_share(S.MODEL_STAGE_CANARY, 0)  # a challenger: only calls that name it
    stages.check_traffic_share(S.MODEL_STAGE_CANARY, 1)
    stages.check_traffic_share(S.MODEL_STAGE_CANARY, 99)
    stages.check_traffic_share(S.MODEL_STAGE_PRODUCTION, 0)


def test_a_stale_etag_a_registrar_promoting_and_a_repeated_or_production_move_are_refused():
    version = _version()
    with pytest.raises(Aborted):
        stages.check_transition(version, S.MODEL_STAGE_SHADOW, "stale", "user:bob")
    with pytest.raises(PermissionDenied):
        stages.check_transition(version, S.MODEL_STAGE_SHADOW, version.etag, "user:alice")
    with pytest.raises(FailedPrecondition):
        stages.check_transition(_version(S.MODEL_STAGE_SHADOW), S.MODEL_STAGE_SHADOW, "", "user:bob")
    with pytest.raises(FailedPrecondition):
        stages.check_transition(_version(S.MODEL_STAGE_PRODUCTION), S.MODEL_STAGE_ARCHIVED, "", "user:bob")
    stages.check_transition(_version(S.MODEL_STAGE_CANARY), S.MODEL_STAGE_CANARY, "", "user:bob")  # a new share
    stages.check_transition(version, S.MODEL_STAGE_SHADOW, version.etag, "spiffe://cluster.local/ns/fintech/sa/ml")


def test_each_failed_metric_and_a_missing_or_failing_bias_report_block_production():
    version = _version(roc_auc=0.7, ece=0.2)
    checks = stages.metric_checks(version, S.MODEL_STAGE_PRODUCTION)
    assert [(c.metric, c.passed) for c in checks] == [
        ("roc_auc", False), ("expected_calibration_error", False), ("brier_score", True),
    ]  # fmt: skip
    with pytest.raises(FailedPrecondition) as raised:
        stages.check_thresholds(version, S.MODEL_STAGE_PRODUCTION, checks, None)
    assert [v.field for v in raised.value.violations] == [
        "validation_metrics.roc_auc", "validation_metrics.expected_calibration_error", "bias_report",
    ]  # fmt: skip
    good = _version()
    failing = bias_pb.BiasReport(verdict=bias_pb.FOUR_FIFTHS_VERDICT_FAIL)
    with pytest.raises(FailedPrecondition):
        stages.check_thresholds(good, S.MODEL_STAGE_PRODUCTION, stages.metric_checks(good, S.MODEL_STAGE_PRODUCTION),
                                failing)  # fmt: skip
    passing = bias_pb.BiasReport(verdict=bias_pb.FOUR_FIFTHS_VERDICT_PASS)
    stages.check_thresholds(good, S.MODEL_STAGE_PRODUCTION, stages.metric_checks(good, S.MODEL_STAGE_PRODUCTION),
                            passing)  # fmt: skip
    stages.check_thresholds(good, S.MODEL_STAGE_SHADOW, stages.metric_checks(good, S.MODEL_STAGE_SHADOW), None)


def test_an_extra_metric_is_named_by_its_map_key():
    assert stages.metric_field("roc_auc") == "validation_metrics.roc_auc"
    assert stages.metric_field("lift") == "validation_metrics.extra_metrics[lift]"


def test_a_move_changes_the_etag_and_returns_the_stage_left():
    version = _version()
    before = version.etag
    assert stages.move(version, S.MODEL_STAGE_CANARY, 10) == S.MODEL_STAGE_REGISTERED
    assert version.stage == S.MODEL_STAGE_CANARY and version.canary_traffic_percent == 10
    assert stages.with_etag(version).etag != before


def test_routing_serves_production_the_canary_for_its_share_and_names_the_shadows():
    production = _version(S.MODEL_STAGE_PRODUCTION)
    canary, shadow = _version(S.MODEL_STAGE_CANARY), _version(S.MODEL_STAGE_SHADOW)
    canary.version, shadow.version, canary.canary_traffic_percent = "3", "4", 50
    chosen = {serving.route("fraud", [production, canary, shadow], f"r{i}")[0].version for i in range(100)}
    assert chosen == {"2", "3"}
    assert serving.route("fraud", [production, shadow], "r")[1] == [shadow]
    with pytest.raises(Unavailable):
        serving.route("fraud", [shadow], "r")
    with pytest.raises(Unavailable):
        serving.check_serving(_version(S.MODEL_STAGE_ARCHIVED))
