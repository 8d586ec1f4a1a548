"""Helpers of the ml tests: the committed models' records and plausible feature rows."""

from __future__ import annotations

import json

import numpy as np

from services.runtime.config import ROOT

MODELS = ("fraud", "credit")


def record(model: str) -> dict:
    return json.loads((ROOT / "models" / model / "1" / "metrics.json").read_text())


def sample_rows(model: str, count: int, seed: int = 7) -> np.ndarray:
    """Rows whose every feature takes values from its training deciles (so all of the trees are exercised)."""
    rng = np.random.default_rng(seed)
    baseline = record(model)["drift_baseline"]
    names = [f["feature_name"] for f in record(model)["input_features"]]
    columns = []
    for name in names:
        edges = baseline[name]["edges"] or [0.0]
        columns.append(rng.choice([*edges, edges[0] / 2, edges[-1] * 2], size=count))
    return np.stack(columns, axis=1).astype(np.float32)


def local_scores(model: str, rows: np.ndarray, version: str = "1") -> np.ndarray:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(ROOT / "models" / model / version / "model.onnx"))
    return session.run(["probabilities"], {"input__0": rows})[0][:, 1]
