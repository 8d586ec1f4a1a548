"""Train, validate out of time, export to ONNX and write each model's card: `python -m tools.models`.

Writes models/<name>/<version>/{model.onnx, metrics.json, model_card.md} for every version in VERSIONS. Seeded end
to end: a rerun writes the same files (the ONNX digest is recorded in metrics.json; `--check` compares).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from numpy.typing import NDArray
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score, roc_curve

from libs.featurespec import compute
from libs.featurespec.definitions import Entity, Feature
from libs.featurespec.model_inputs import (
    CURRENCY,
    DAY,
    FEATURES,
    Payment,
    applicant_features,
    feature_names,
    fraud_inputs,
    store_features,
    to_vector,
)
from services.ml.domain import governance
from tools.models import generate
from tools.models.cards import model_card

SEED = 20261125
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
VERSION = "1"
# Every trained version: its hyperparameters and the seed of its fit (the data is the same seeded data for all, so
# their validation metrics compare). fraud 2 is the challenger of the A/B test that the `fraud-challenger-share`
# flag runs (flags/flags.flagd.json): deeper trees, slower learning, another fit seed. The ml service registers a
# challenger as CANARY at 0 %: loaded and allowed to serve, but only to callers that name it (services/ml bootstrap).
VERSIONS: dict[str, dict[str, dict[str, Any]]] = {
    "fraud": {
        "1": {"max_iter": 120, "max_leaf_nodes": 15, "learning_rate": 0.08, "min_samples_leaf": 40},
        "2": {
            "max_iter": 200, "max_leaf_nodes": 31, "learning_rate": 0.05, "min_samples_leaf": 20,
            "fit_seed": 20261207, "challenger": True,
        },
    },
    "credit": {"1": {"max_iter": 150, "max_leaf_nodes": 8, "learning_rate": 0.05, "min_samples_leaf": 80}},
}  # fmt: skip
INPUT_TENSOR = "input__0"
OUTPUT_TENSOR = "score"
CLASS_LABELS = {"fraud": ["legitimate", "fraud"], "credit": ["repaid", "default"]}
TARGET_AUC = {"fraud": 0.9, "credit": 0.75}
# Validation: the last part of the period, after everything the model was trained on.
VALIDATION_DAYS = {"fraud": 30, "credit": 90}


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EntityHistory:
    """One entity's payment events as the feature store holds them, oldest first."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.events: list[compute.Event] = []

    def values(self, features: Sequence[Feature], as_of: float) -> list[float | None]:
        """Point in time: only the events added so far, all before the payment being scored."""
        start = bisect.bisect_right(self.times, as_of - compute.longest_window(features))
        last = self.times[-1] if self.times else None
        return compute.values(features, as_of, self.events[start:], last)

    def add(self, event: compute.Event) -> None:
        self.times.append(event.time)
        self.events.append(event)


def fraud_dataset(seed: int, customers: int = 1200) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], list[str]]:
    """Feature rows, labels, times and age bands of every payment.

    The payments are replayed in time order into per-entity histories (customer, its account, the
    merchant), as the feature store's pipeline records them; each payment's inputs are the store
    features as of its time, computed before it joins the histories, then `fraud_inputs`: exactly
    what the risk service sends for a payment the store has not seen yet.
    """
    data = generate.transactions(seed, customers)
    entities = [(entity, store_features(entity)) for entity in (Entity.CUSTOMER, Entity.ACCOUNT, Entity.MERCHANT)]
    histories: dict[tuple[Entity, str], EntityHistory] = defaultdict(EntityHistory)
    paid: dict[int, set[str]] = defaultdict(set)
    rows, labels, times, bands = [], [], [], []
    for item in sorted(data, key=lambda d: d.txn.time):
        t = item.txn
        account = f"a{item.customer}"
        ids = {Entity.CUSTOMER: f"c{item.customer}", Entity.ACCOUNT: account, Entity.MERCHANT: t.counterparty}
        values: dict[str, float | None] = {}
        for entity, features in entities:
            computed = histories[(entity, ids[entity])].values(features, t.time)
            values.update(zip((f.name for f in features), computed, strict=True))
        payment = Payment(t.time, t.amount_minor, new_counterparty=t.counterparty not in paid[item.customer])
        rows.append(to_vector("fraud", fraud_inputs(payment, values)))
        for entity, counterparty in ((Entity.CUSTOMER, t.counterparty), (Entity.ACCOUNT, t.counterparty),
                                     (Entity.MERCHANT, account)):  # fmt: skip
            histories[(entity, ids[entity])].add(compute.Event(t.time, t.amount_minor, CURRENCY, counterparty))
        paid[item.customer].add(t.counterparty)
        labels.append(item.fraud)
        times.append(t.time)
        bands.append(generate.age_band(item.age))
    return np.asarray(rows, dtype=np.float32), np.asarray(labels), np.asarray(times), bands


def credit_dataset(seed: int) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], list[str]]:
    data = generate.applicants(seed)
    rows = [[applicant_features(a.applicant)[n] for n in feature_names("credit")] for a in data]
    return (
        np.asarray(rows, dtype=np.float32),
        np.asarray([a.default for a in data]),
        np.asarray([a.time for a in data]),
        [generate.age_band(a.age) for a in data],
    )


def fit(name: str, x: NDArray[Any], y: NDArray[Any], version: str = VERSION) -> HistGradientBoostingClassifier:
    params = {k: v for k, v in VERSIONS[name][version].items() if k not in ("fit_seed", "challenger")}
    seed = VERSIONS[name][version].get("fit_seed", SEED)
    model = HistGradientBoostingClassifier(early_stopping=False, random_state=seed, l2_regularization=1.0, **params)
    return model.fit(x, y)


def to_onnx(name: str, model: HistGradientBoostingClassifier, n_features: int) -> bytes:
    proto = convert_sklearn(
        model,
        initial_types=[(INPUT_TENSOR, FloatTensorType([None, n_features]))],
        options={id(model): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    proto.producer_version = ""  # no tool versions and no random graph name: same bytes on a rerun
    proto.graph.name = name
    serialized: bytes = proto.SerializeToString()  # skl2onnx is untyped
    return serialized


def onnx_scores(artifact: bytes, x: NDArray[Any]) -> NDArray[Any]:
    import onnxruntime

    session = onnxruntime.InferenceSession(artifact, providers=["CPUExecutionProvider"])
    scores: NDArray[Any] = session.run(["probabilities"], {INPUT_TENSOR: x})[0][:, 1]  # onnxruntime is untyped
    return scores


def decision_threshold(name: str, scores: NDArray[Any], labels: NDArray[Any]) -> float:
    """Fraud: review about 1% of legitimate payments; credit: decline about 20% of applicants (training data)."""
    if name == "fraud":
        negatives = np.sort(scores[labels == 0])
        return round(float(negatives[int(0.99 * len(negatives))]), 4)
    return round(float(np.quantile(scores, 0.80)), 4)


def metrics(scores: NDArray[Any], labels: NDArray[Any], threshold: float) -> dict[str, Any]:
    fpr, tpr, _ = roc_curve(labels, scores)
    declined = scores >= threshold
    return {
        "roc_auc": float(roc_auc_score(labels, scores)),
        "average_precision": float(average_precision_score(labels, scores)),
        "brier_score": float(brier_score_loss(labels, scores)),
        "expected_calibration_error": governance.expected_calibration_error(scores.tolist(), labels.tolist()),
        "ks_statistic": governance.ks_statistic(scores.tolist(), labels.tolist()),
        "extra_metrics": {
            "log_loss": float(log_loss(labels, np.clip(scores, 1e-7, 1 - 1e-7))),
            "recall_at_1pct_fpr": float(np.interp(0.01, fpr, tpr)),
            "precision_at_threshold": float(labels[declined].mean()) if declined.any() else 0.0,
            "recall_at_threshold": float(declined[labels == 1].mean()),
            "decline_rate_at_threshold": float(declined.mean()),
        },
    }


def rounded(value: Any) -> Any:
    """Floats in metrics.json at 6 decimals: stable across platforms' last-bit differences."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def train(name: str, seed: int = SEED, out: Path = MODELS_DIR, version: str = VERSION) -> dict[str, Any]:
    started = time.perf_counter()
    x, y, t, bands = (fraud_dataset if name == "fraud" else credit_dataset)(seed)
    split = t.max() - VALIDATION_DAYS[name] * DAY
    train_mask, valid_mask = t < split, t >= split
    model = fit(name, x[train_mask], y[train_mask], version)
    artifact = to_onnx(name, model, x.shape[1])
    train_scores = onnx_scores(artifact, x[train_mask])
    valid_scores = onnx_scores(artifact, x[valid_mask])
    threshold = decision_threshold(name, train_scores, y[train_mask])
    valid_metrics = metrics(valid_scores, y[valid_mask], threshold)
    bias = governance.attribute_bias(
        "age_band",
        [b for b, m in zip(bands, valid_mask, strict=True) if m],
        valid_scores.tolist(),
        y[valid_mask].tolist(),
        threshold,
    )
    baseline: dict[str, dict[str, Any]] = {}
    for i, feature in enumerate(feature_names(name)):
        column = x[train_mask][:, i].astype(float).tolist()
        edges = governance.decile_edges(column)
        baseline[feature] = {
            "edges": edges,
            "shares": governance.shares(governance.bucket_counts(edges, column)),
            "median": float(np.median(column)),  # served contributions start here (ml domain/explain.py)
        }
    score_edges = governance.decile_edges(train_scores.astype(float).tolist())
    baseline["score"] = {
        "edges": score_edges,
        "shares": governance.shares(governance.bucket_counts(score_edges, train_scores.astype(float).tolist())),
    }
    digest = "sha256:" + hashlib.sha256(artifact).hexdigest()
    record: dict[str, Any] = rounded(
        {
            "model_name": name,
            "version": version,
            # A challenger (see VERSIONS) only: version 1's files stay as they were.
            **({"challenger": True} if VERSIONS[name][version].get("challenger") else {}),
            "framework": "scikit-learn HistGradientBoostingClassifier, exported with skl2onnx",
            "model_format": "ONNX",
            "artifact_file": "model.onnx",
            "artifact_digest": digest,
            "decision_threshold": threshold,
            "class_labels": CLASS_LABELS[name],
            "input_features": [
                {
                    "feature_name": f.name,
                    "value_type": f.value_type,
                    "allow_missing": f.allow_missing,
                    "currency_code": f.currency_code,
                    "description": f.description,
                }
                for f in FEATURES[name]
            ],
            "input_tensors": [{"tensor_name": INPUT_TENSOR, "data_type": "FP32", "dims": [x.shape[1]]}],
            "output_tensors": [{"tensor_name": OUTPUT_TENSOR, "data_type": "FP32", "dims": [1]}],
            "training_data": {
                "window": {"start_time": iso(t[train_mask].min()), "end_time": iso(split)},
                "row_count": int(train_mask.sum()),
                "positive_rate": float(y[train_mask].mean()),
                "dataset_uri": f"urn:fintech:training-data:{name}:seed-{seed}",
            },
            "validation_metrics": {
                **valid_metrics,
                "row_count": int(valid_mask.sum()),
                "window": {"start_time": iso(split), "end_time": iso(t.max() + 1)},
            },
            "calibration": governance.calibration_bins(valid_scores.tolist(), y[valid_mask].tolist()),
            "bias_report": {
                "data_source": "VALIDATION_DATA",
                "decision_threshold": threshold,
                "four_fifths_threshold": governance.FOUR_FIFTHS,
                "min_group_size": governance.MIN_GROUP_SIZE,
                "attributes": [asdict(bias)],
                "verdict": governance.overall_verdict([bias.verdict]),
            },
            "drift_baseline": baseline,
        }
    )
    directory = out / name / version
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.onnx").write_bytes(artifact)
    (directory / "metrics.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    (directory / "model_card.md").write_text(model_card(record, TARGET_AUC[name]))
    onnx.checker.check_model(onnx.load_from_string(artifact))
    m = record["validation_metrics"]
    print(
        f"{name} {version}: {len(y)} rows, ROC AUC {m['roc_auc']:.4f}, AP {m['average_precision']:.4f}, "
        f"Brier {m['brier_score']:.4f}, KS {m['ks_statistic']:.3f}, threshold {threshold}, "
        f"bias {record['bias_report']['verdict']}, {len(artifact) / 1024:.0f} KiB, "
        f"{time.perf_counter() - started:.1f} s"
    )
    return record


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.models", description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="*", default=["fraud", "credit"])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true", help="fail when an artifact's digest changed")
    args = parser.parse_args(argv)
    failed = []
    for name in args.models:
        for version in VERSIONS[name]:
            path = MODELS_DIR / name / version / "metrics.json"
            before = json.loads(path.read_text())["artifact_digest"] if path.exists() else None
            record = train(name, args.seed, version=version)
            if record["validation_metrics"]["roc_auc"] < TARGET_AUC[name]:
                failed.append(f"{name} {version}: ROC AUC below {TARGET_AUC[name]}")
            if args.check and before != record["artifact_digest"]:
                failed.append(f"{name} {version}: artifact digest changed ({before} -> {record['artifact_digest']})")
    if failed:
        raise SystemExit("; ".join(failed))
