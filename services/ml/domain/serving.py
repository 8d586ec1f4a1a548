"""Serving rules, pure: which versions serve a call, the input rows of its instances, how a score reads."""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.ml.v1 import feature_value_pb2 as fv
from fintech.ml.v1 import model_version_pb2 as mv
from google.protobuf import duration_pb2

from services.ml.domain.stages import SERVING_STAGES
from services.runtime.errors import InvalidArgument, Unavailable
from services.runtime.validation import Violation

S = mv.ModelStage
Rows = npt.NDArray[np.float32]
Scores = npt.NDArray[np.float64]
NUMERIC = {"double_value", "int64_value", "bool_value"}


class Instance(Protocol):
    """One instance to score (a PredictionInstance of the serving contract): its entity and named inputs."""

    @property
    def entity_id(self) -> str: ...

    @property
    def features(self) -> Mapping[str, fv.FeatureValue]: ...


def check_serving(version: mv.ModelVersion) -> None:
    """A version asked for by number serves only from a serving stage."""
    if version.stage not in SERVING_STAGES:
        raise Unavailable(
            f"version {version.version} is {S.Name(version.stage)} and not loaded",
            reason=ErrorReason.ERROR_REASON_MODEL_NOT_READY,
        )


def route(
    model_name: str, active: Sequence[mv.ModelVersion], request_id: str
) -> tuple[mv.ModelVersion, list[mv.ModelVersion]]:
    """(the version that answers, the shadows) among the model's versions in serving stages: the canary for its
    share of request ids (a hash, so a retry reaches the same version), else the production version."""
    production = next((v for v in active if v.stage == S.MODEL_STAGE_PRODUCTION), None)
    canary = next((v for v in active if v.stage == S.MODEL_STAGE_CANARY), None)
    chosen = production
    if canary and (zlib.crc32(request_id.encode()) % 100) < canary.canary_traffic_percent:
        chosen = canary
    if chosen is None:
        raise Unavailable(
            f"model {model_name!r} has no production version",
            reason=ErrorReason.ERROR_REASON_MODEL_NOT_READY,
        )
    return chosen, [v for v in active if v.stage == S.MODEL_STAGE_SHADOW]


def feature_matrix(version: mv.ModelVersion, instances: Sequence[Instance]) -> Rows:
    """The input rows in signature order; every problem of every instance at once."""
    features = version.signature.input_features
    known = {f.feature_name for f in features}
    rows = np.zeros((len(instances), len(features)), dtype=np.float32)
    violations = []
    for i, instance in enumerate(instances):
        for name in instance.features:
            if name not in known:
                violations.append(Violation(f"instances[{i}].features[{name}]", "not an input of the model"))
        for j, feature in enumerate(features):
            path = f"instances[{i}].features[{feature.feature_name}]"
            if feature.feature_name not in instance.features:
                if feature.allow_missing:
                    rows[i, j] = math.nan
                else:
                    violations.append(Violation(path, "required by the model"))
                continue
            value = instance.features[feature.feature_name]
            kind = value.WhichOneof("kind")
            expected = fv.FeatureValueType.Name(feature.value_type).removeprefix("FEATURE_VALUE_TYPE_").lower()
            if kind in NUMERIC and expected in ("double", "int64", "bool"):
                number = float(getattr(value, kind))
            elif kind == "double_value" and expected in ("money", "duration"):  # already in minor units / seconds
                number = value.double_value
            elif kind == "money_value" and expected == "money":
                if feature.currency_code and value.money_value.currency_code != feature.currency_code:
                    violations.append(Violation(path, f"must be in {feature.currency_code}"))
                number = float(value.money_value.amount_minor)
            elif kind == "duration_value" and expected == "duration":
                number = value.duration_value.ToNanoseconds() / 1e9
            else:
                violations.append(Violation(path, f"must be a {expected} value, not {kind}"))
                continue
            if not math.isfinite(number):
                violations.append(Violation(path, "must be finite"))
            rows[i, j] = number
    if violations:
        raise InvalidArgument("the instances do not match the model's signature", violations=violations)
    return rows


def clamp(score: Any) -> float:
    """A score as served: within [0, 1]."""
    return min(max(float(score), 0.0), 1.0)


def label(version: mv.ModelVersion, score: float) -> str:
    """The class a score reads as: the positive label from the version's decision threshold on."""
    labels = version.signature.class_labels
    return labels[1] if score >= version.decision_threshold else labels[0]


def reference_row(version: mv.ModelVersion, baseline: dict[str, dict[str, Any]]) -> npt.NDArray[np.float64]:
    """The explanations' reference: each input's training median (the middle decile edge for a version
    registered before medians were recorded)."""
    names = [f.feature_name for f in version.signature.input_features]
    return np.array([baseline[n].get("median", _middle(baseline[n]["edges"])) for n in names], dtype=np.float64)


def _middle(edges: list[float]) -> float:
    return edges[len(edges) // 2] if edges else 0.0


def duration(seconds: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(int(seconds * 1e9))
    return d
