"""The committed models: their cards meet the targets, their signatures match the features and Triton's config."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest

from libs.featurespec.model_inputs import FEATURES
from services.runtime.config import ROOT
from tests.ml.support import MODELS, local_scores, record, sample_rows

TARGET_AUC = {"fraud": 0.9, "credit": 0.75}


@pytest.mark.parametrize("model", MODELS)
def test_the_model_card_meets_the_auc_target_on_held_out_data(model: str):
    metrics = record(model)["validation_metrics"]
    assert metrics["roc_auc"] >= TARGET_AUC[model]
    assert 0 <= metrics["brier_score"] < 0.25 and metrics["ks_statistic"] > 0.3
    # out of time: validation starts where training ends
    assert metrics["window"]["start_time"] == record(model)["training_data"]["window"]["end_time"]
    card = (ROOT / "models" / model / "1" / "model_card.md").read_text()
    assert f"{metrics['roc_auc']:.4f}" in card and "Fairness" in card


@pytest.mark.parametrize("model", MODELS)
def test_signature_config_and_artifact_agree(model: str):
    rec = record(model)
    assert [f["feature_name"] for f in rec["input_features"]] == [f.name for f in FEATURES[model]]
    config = (ROOT / "models" / model / "config.pbtxt").read_text()
    assert re.search(r"dims: \[ (\d+) \]", config).group(1) == str(len(FEATURES[model]))
    assert f'name: "{model}"' in config and "dynamic_batching" in config
    artifact = (ROOT / "models" / model / "1" / "model.onnx").read_bytes()
    assert rec["artifact_digest"] == "sha256:" + hashlib.sha256(artifact).hexdigest()
    assert len(artifact) < 1_000_000
    assert (ROOT / "models" / model / "1" / "model.py").read_text() == (ROOT / "models/fraud/1/model.py").read_text()


@pytest.mark.parametrize("model", MODELS)
def test_scores_are_probabilities(model: str):
    scores = local_scores(model, sample_rows(model, 200))
    assert scores.shape == (200,) and np.all((scores >= 0) & (scores <= 1))


def test_the_challenger_is_a_second_fraud_version_with_its_own_artifact_and_card():
    challenger = json.loads((ROOT / "models" / "fraud" / "2" / "metrics.json").read_text())
    assert challenger["version"] == "2" and challenger["challenger"] is True  # ml registers it CANARY at 0 %
    assert "challenger" not in record("fraud")  # version 1 is production's
    assert challenger["validation_metrics"]["roc_auc"] >= TARGET_AUC["fraud"]
    artifact = (ROOT / "models" / "fraud" / "2" / "model.onnx").read_bytes()
    assert challenger["artifact_digest"] == "sha256:" + hashlib.sha256(artifact).hexdigest()
    assert challenger["artifact_digest"] != record("fraud")["artifact_digest"] and len(artifact) < 1_000_000
    assert (ROOT / "models/fraud/2/model.py").read_text() == (ROOT / "models/fraud/1/model.py").read_text()
    card = (ROOT / "models" / "fraud" / "2" / "model_card.md").read_text()
    assert "challenger" in card and f"{challenger['validation_metrics']['roc_auc']:.4f}" in card
