"""A model card per version (Markdown), from the version's metrics.json record."""

from __future__ import annotations

from typing import Any

INTENDED_USE = {
    "fraud": (
        "Scores a card or account payment for fraud before it is authorised (risk service, "
        "`EvaluateTransactionFraud`). A score at or above the decision threshold sends the payment to review "
        "or decline; it is never the only ground for closing an account."
    ),
    "credit": (
        "Estimates the probability that a consumer-credit applicant defaults within 12 months "
        "(risk service, credit assessment). A score at or above the threshold declines or refers the "
        "application to an underwriter."
    ),
}


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def model_card(record: dict[str, Any], target_auc: float) -> str:
    name, m, data = record["model_name"], record["validation_metrics"], record["training_data"]
    bias = record["bias_report"]
    lines = [
        f"# Model card: {name}, version {record['version']}",
        "",
        "## Intended use",
        INTENDED_USE[name],
        *(
            [
                "",
                "A **challenger**: registered as CANARY at 0 %, it scores only the payments the "
                "`fraud-challenger-share` flag assigns to it (flags/flags.flagd.json), so its decisions can be "
                "compared with production's per variant (`risk_fraud_model_decisions_total`).",
            ]
            if record.get("challenger")
            else []
        ),
        "",
        "## Model",
        f"- {record['framework']}; served by Triton (python backend running onnxruntime on `model.onnx`).",
        f"- Artifact digest: `{record['artifact_digest']}`.",
        f"- Decision threshold: {record['decision_threshold']} (score at or above: `{record['class_labels'][1]}`).",
        "- Inputs (tensor `input__0`, FP32, in this order; defined once in `libs/featurespec/model_inputs.py`, the "
        "feature store's in `libs/featurespec/definitions.py`; training and serving compute them with the same "
        "functions, training point in time):",
        *[
            f"  - `{f['feature_name']}` ({f['value_type'].lower()}): {f['description']}"
            for f in record["input_features"]
        ],
        "- Output: tensor `score`, the probability of the positive class.",
        "",
        "## Training data",
        "Synthetic, seeded data with a retail bank's structure (`tools/models/generate.py`); no real customer's data.",
        f"- Window {data['window']['start_time']} to {data['window']['end_time']}, {data['row_count']} rows, "
        f"positive rate {_pct(data['positive_rate'])}.",
        "",
        "## Evaluation (out of time)",
        f"Held-out window {m['window']['start_time']} to {m['window']['end_time']}, {m['row_count']} rows, "
        "after the training window.",
        "",
        "| metric | value |",
        "| --- | --- |",
        f"| ROC AUC (target at least {target_auc}) | {m['roc_auc']:.4f} |",
        f"| average precision | {m['average_precision']:.4f} |",
        f"| Brier score | {m['brier_score']:.4f} |",
        f"| expected calibration error (10 bins) | {m['expected_calibration_error']:.4f} |",
        f"| KS statistic | {m['ks_statistic']:.4f} |",
        *[f"| {key} | {value:.4f} |" for key, value in sorted(m["extra_metrics"].items())],
        "",
        "Calibration on the held-out window (equal-width score bins; a calibrated model's observed rate is "
        "close to its mean score):",
        "",
        "| score bin | rows | mean score | observed rate |",
        "| --- | --- | --- | --- |",
        *[
            f"| {b['lower']:.1f}-{b['upper']:.1f} | {b['count']} | {b['mean_score']:.4f} | {b['observed_rate']:.4f} |"
            for b in record["calibration"]
        ],
        "",
        "## Fairness (four-fifths rule, held-out data)",
        f"Approval = score below {bias['decision_threshold']}; groups under {bias['min_group_size']} rows are "
        f"not assessed. Overall verdict: **{bias['verdict']}**.",
        "",
    ]
    for attribute in bias["attributes"]:
        lines += [
            f"`{attribute['attribute']}` (reference group `{attribute['reference_group']}`):",
            "",
            "| group | rows | approval | FPR | FNR | disparate impact | verdict |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *[
                f"| {g['group']} | {g['instance_count']} | {_pct(g['approval_rate'])} | "
                f"{_pct(g['false_positive_rate'])} | {_pct(g['false_negative_rate'])} | "
                f"{g['disparate_impact_ratio']:.3f} | {g['verdict']} |"
                for g in attribute["groups"]
            ],
            "",
        ]
    lines += [
        "## Limitations",
        "- Trained on synthetic data: the scenarios are the ones the generator knows (card testing, account "
        "takeover, unusual amounts; debt, income and history for credit). Retrain on the bank's own "
        "point-in-time extracts before real use.",
        "- Age is not an input, but inputs correlate with it (credit history length, income); the fairness "
        "table above is the check, and the registry refuses production to a version whose report fails.",
        "- Drift: the training distribution of every input (deciles) is registered with the version; the "
        "registry's drift report compares served inputs with it (PSI).",
        "",
    ]
    return "\n".join(lines)
