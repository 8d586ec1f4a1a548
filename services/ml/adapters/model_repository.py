"""The model repository (models/<name>/<version>/ with the metrics.json that `make models` writes): the versions
it holds, as the registry registers them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from fintech.ml.v1 import bias_report_pb2 as bias_pb
from fintech.ml.v1 import feature_value_pb2
from fintech.ml.v1 import model_version_pb2 as mv

from services.ml.app.bootstrap import RepositoryVersion
from services.ml.domain.drift import Baseline
from services.runtime.config import ROOT

MODELS = ROOT / "models"


def repository_versions(repository: Path = MODELS) -> Iterator[RepositoryVersion]:
    """Every version of the repository, in path order."""
    for metrics_file in sorted(repository.glob("*/[0-9]*/metrics.json")):
        record = json.loads(metrics_file.read_text())
        version, baseline, bias = version_from_record(record, metrics_file.parent)
        yield RepositoryVersion(record["model_name"], version, baseline, bias, record.get("challenger", False))


def version_from_record(
    record: dict[str, Any], directory: Path
) -> tuple[mv.ModelVersion, Baseline, bias_pb.BiasReport]:
    """A ModelVersion, its drift baseline and its bias report from a metrics.json written by `make models`."""
    name = record["model_name"]
    signature = mv.ModelSignature(class_labels=record["class_labels"])
    for f in record["input_features"]:
        signature.input_features.add(
            feature_name=f["feature_name"],
            value_type=feature_value_pb2.FeatureValueType.Value(f"FEATURE_VALUE_TYPE_{f['value_type']}"),
            allow_missing=f["allow_missing"],
            currency_code=f["currency_code"],
            description=f["description"],
        )
    tensor_specs = (
        (signature.input_tensors, record["input_tensors"]),
        (signature.output_tensors, record["output_tensors"]),
    )
    for tensors, specs in tensor_specs:
        for t in specs:
            data_type = mv.TensorDataType.Value(f"TENSOR_DATA_TYPE_{t['data_type']}")
            tensors.add(tensor_name=t["tensor_name"], data_type=data_type, dims=t["dims"])

    def window(w: dict[str, str]) -> mv.TimeWindow:
        out = mv.TimeWindow()
        out.start_time.FromJsonString(w["start_time"])
        out.end_time.FromJsonString(w["end_time"])
        return out

    data, metrics = record["training_data"], record["validation_metrics"]
    relative = directory.relative_to(MODELS) if directory.is_relative_to(MODELS) else directory
    version = mv.ModelVersion(
        version=record["version"],
        artifact_uri=f"triton://models/{relative.as_posix()}/",
        artifact_digest=record["artifact_digest"],
        model_format=mv.MODEL_FORMAT_ONNX,
        framework=record["framework"][:128],
        signature=signature,
        decision_threshold=record["decision_threshold"],
        training_data=mv.TrainingData(
            window=window(data["window"]), row_count=data["row_count"], positive_rate=data["positive_rate"],
            dataset_uri=data["dataset_uri"],
        ),
        validation_metrics=mv.ValidationMetrics(
            roc_auc=metrics["roc_auc"], average_precision=metrics["average_precision"],
            brier_score=metrics["brier_score"], expected_calibration_error=metrics["expected_calibration_error"],
            ks_statistic=metrics["ks_statistic"], extra_metrics=metrics["extra_metrics"],
            row_count=metrics["row_count"], window=window(metrics["window"]),
        ),
        model_card=(directory / "model_card.md").read_text()[:65536] if (directory / "model_card.md").exists() else "",
        description=f"{name} version {record['version']}, trained by make models",
    )  # fmt: skip
    b = record["bias_report"]
    bias = bias_pb.BiasReport(
        data_source=cast(bias_pb.BiasDataSource, bias_pb.BiasDataSource.Value(f"BIAS_DATA_SOURCE_{b['data_source']}")),
        window=window(metrics["window"]),
        decision_threshold=b["decision_threshold"],
        four_fifths_threshold=b["four_fifths_threshold"],
        min_group_size=b["min_group_size"],
        verdict=cast(bias_pb.FourFifthsVerdict, bias_pb.FourFifthsVerdict.Value(f"FOUR_FIFTHS_VERDICT_{b['verdict']}")),
    )
    for a in b["attributes"]:
        attribute = bias.attributes.add(
            attribute=a["attribute"], reference_group=a["reference_group"],
            min_disparate_impact_ratio=a["min_disparate_impact_ratio"],
            verdict=bias_pb.FourFifthsVerdict.Value(f"FOUR_FIFTHS_VERDICT_{a['verdict']}"),
        )  # fmt: skip
        for g in a["groups"]:
            attribute.groups.add(
                **{**g, "verdict": bias_pb.FourFifthsVerdict.Value(f"FOUR_FIFTHS_VERDICT_{g['verdict']}")}
            )
    return version, record["drift_baseline"], bias
