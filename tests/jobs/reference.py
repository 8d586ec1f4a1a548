"""The jobs' results computed directly in Python from the same lake rows, to hold Spark's output against.

Written from the definitions (the jobs' module docs), not from the Spark code: plain dicts and json, so a bug
in a DataFrame expression cannot hide in a shared helper.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

P = "fintech.payments.v1."
Row = Mapping[str, Any]


def _events(rows: Iterable[Row], event_type: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["event_type"] == event_type:
            seen.setdefault(row["event_id"], json.loads(row["payload"]))
    return list(seen.values())


def daily_payment_volumes(payments: list[Row]) -> dict[tuple[date, str, str, bool], tuple[int, int]]:
    """(day, currency, channel, on_us) -> (payment_count, value_minor)."""
    initiated = {e["payment_id"]: e for e in _events(payments, P + "PaymentInitiated")}
    executed = {e["payment_id"]: e for e in _events(payments, P + "PaymentExecuted")}
    result: dict[tuple[date, str, str, bool], list[int]] = defaultdict(lambda: [0, 0])
    for payment_id, execution in executed.items():
        if payment_id not in initiated:
            continue
        start = initiated[payment_id]
        day = datetime.fromisoformat(execution["execute_time"].replace("Z", "+00:00")).date()
        key = (day, start["amount"]["currency_code"], start["channel"], bool(start.get("creditor_account_id")))
        result[key][0] += 1
        result[key][1] += int(start["amount"].get("amount_minor", "0"))
    return {key: (count, value) for key, (count, value) in result.items()}


def fraud_outcomes(risk: list[Row], payments: list[Row]) -> dict[tuple[str, str], dict[str, Any]]:
    """(model_name, model_version) -> the row's other columns."""
    released = {e["payment_id"] for e in _events(payments, P + "PaymentReleased")}
    confirmed = {
        e["payment_id"]
        for e in _events(payments, P + "PaymentRejected")
        if e.get("rejection_reason") == "PAYMENT_REJECTION_REASON_REVIEW_REJECTED"
    }
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for evaluation in _events(risk, "fintech.risk.v1.FraudEvaluated"):
        if evaluation.get("model_unavailable"):
            key = ("rules_only", "rules_only")
        else:
            model = evaluation.get("model", {})
            key = (model.get("model_name", ""), model.get("model_version", ""))
        groups[key].append(evaluation)
    result = {}
    for key, evaluations in groups.items():
        decisions = [e.get("decision") for e in evaluations]
        reviewed = [e["payment_id"] for e in evaluations if e.get("decision") == "FRAUD_DECISION_REVIEW"]
        was_released = sum(1 for p in reviewed if p in released)
        was_confirmed = sum(1 for p in reviewed if p in confirmed and p not in released)
        resolved = was_released + was_confirmed
        result[key] = {
            "evaluations": len(evaluations),
            "approved": decisions.count("FRAUD_DECISION_APPROVE"),
            "reviewed": decisions.count("FRAUD_DECISION_REVIEW"),
            "declined": decisions.count("FRAUD_DECISION_DECLINE"),
            "mean_score": sum(e.get("fraud_score", 0.0) for e in evaluations) / len(evaluations),
            "reviews_released": was_released,
            "reviews_confirmed": was_confirmed,
            "review_precision": was_confirmed / resolved if resolved else None,
        }
    return result


def large_exposures(
    payments: list[Row], capital: Mapping[str, int], reporting_bp: int, limit_bp: int
) -> dict[tuple[str, str], dict[str, Any]]:
    """(group_id, currency) -> the row's other columns."""
    latest: dict[str, tuple[int, int]] = {}
    for posting in _events(payments, P + "LedgerPosted"):
        for entry in posting["ledger_entries"]:
            sequence = int(entry["entry_sequence"])
            balance = int(entry["balance_after"].get("amount_minor", "0"))
            if entry["account_id"] not in latest or latest[entry["account_id"]][0] < sequence:
                latest[entry["account_id"]] = (sequence, balance)
    groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for opened in _events(payments, P + "AccountOpened"):
        balance = latest.get(opened["account_id"], (0, 0))[1]
        group = groups[(opened["customer_id"], opened["currency_code"])]
        group[0] += 1
        group[1] += max(-balance, 0)
    result = {}
    for (customer, currency), (accounts, exposure) in groups.items():
        eligible = capital.get(currency)
        reporting = eligible * reporting_bp // 10_000 if eligible is not None else None
        limit = eligible * limit_bp // 10_000 if eligible is not None else None
        result[(customer, currency)] = {
            "group_basis": "customer",
            "accounts": accounts,
            "exposure_minor": exposure,
            "eligible_capital_minor": eligible,
            "reporting_threshold_minor": reporting,
            "limit_minor": limit,
            "large_exposure": exposure >= reporting if reporting is not None else None,
            "limit_breach": exposure > limit if limit is not None else None,
        }
    return result
