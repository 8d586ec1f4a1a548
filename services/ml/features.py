"""The models' input features: ONE definition, shared by training and serving.

Training computes every row with the functions below; the feature store computes the same values
online and the ml service packs them into the input tensor in the order of `FRAUD_FEATURES` /
`CREDIT_FEATURES` (the models' signatures are made from these lists). Pure Python, no I/O, no numpy,
so any service can import it.

Fraud features of a payment are computed from the paying customer's earlier transactions (the
history) within `HISTORY_WINDOW_SECONDS`; a customer without history gets the documented defaults.
Money is in minor units of EUR, durations in seconds, times in UTC epoch seconds.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

HOUR = 3600
DAY = 24 * HOUR
HISTORY_WINDOW_SECONDS = 30 * DAY
# `seconds_since_last_txn` of a customer with no transaction in the history window.
NO_PREVIOUS_TXN_SECONDS = float(HISTORY_WINDOW_SECONDS)
CURRENCY = "EUR"


@dataclass(frozen=True)
class Feature:
    """One model input: its name (as in the feature store), the FeatureValue kind callers send, its meaning."""

    name: str
    value_type: str  # DOUBLE, INT64, BOOL, MONEY, DURATION (fintech.ml.v1.FeatureValueType without prefix)
    description: str
    allow_missing: bool = False

    @property
    def currency_code(self) -> str:
        return CURRENCY if self.value_type == "MONEY" else ""


FRAUD_FEATURES: tuple[Feature, ...] = (
    Feature("amount_minor", "MONEY", "The payment's amount, in EUR minor units."),
    Feature("txn_count_1h", "INT64", "The customer's transactions in the hour before the payment."),
    Feature("txn_count_24h", "INT64", "The customer's transactions in the 24 hours before the payment."),
    Feature("txn_amount_sum_24h", "MONEY", "The sum of the customer's transaction amounts in the 24 hours before."),
    Feature("distinct_counterparties_24h", "INT64", "Distinct counterparties of the customer in the 24 hours before."),
    Feature(
        "seconds_since_last_txn",
        "DURATION",
        "Time since the customer's previous transaction; 30 days when there was none in 30 days.",
    ),
    Feature(
        "amount_to_avg_ratio_30d",
        "DOUBLE",
        "The amount divided by the customer's mean amount over 30 days; 1 without history.",
    ),
    Feature("is_new_counterparty", "BOOL", "The counterparty is not among the customer's counterparties of 30 days."),
    Feature("is_new_device", "BOOL", "The device is not among the customer's devices of 30 days."),
    Feature("hour_of_day", "INT64", "The hour (UTC, 0-23) of the payment."),
    Feature(
        "hour_share_30d",
        "DOUBLE",
        "Share of the customer's 30-day transactions within one hour of this hour of day; 0 without history.",
    ),
    Feature(
        "category_share_30d",
        "DOUBLE",
        "Share of the customer's 30-day transactions in the payment's merchant category; 0 without history.",
    ),
)

CREDIT_FEATURES: tuple[Feature, ...] = (
    Feature("annual_income_minor", "MONEY", "The applicant's declared annual income, EUR minor units."),
    Feature("total_debt_minor", "MONEY", "The applicant's outstanding debt, EUR minor units."),
    Feature("requested_amount_minor", "MONEY", "The requested credit amount, EUR minor units."),
    Feature("debt_to_income_ratio", "DOUBLE", "Outstanding debt divided by annual income."),
    Feature("loan_to_income_ratio", "DOUBLE", "Requested amount divided by annual income."),
    Feature("credit_history_months", "INT64", "Months since the applicant's first credit line."),
    Feature("employment_months", "INT64", "Months in the current employment."),
    Feature("open_credit_lines", "INT64", "Open credit lines."),
    Feature("late_payments_12m", "INT64", "Payments more than 30 days late in the last 12 months."),
    Feature("past_defaults", "INT64", "Defaults on record."),
)

FEATURES: dict[str, tuple[Feature, ...]] = {"fraud": FRAUD_FEATURES, "credit": CREDIT_FEATURES}


def feature_names(model: str) -> list[str]:
    return [feature.name for feature in FEATURES[model]]


@dataclass(frozen=True)
class Txn:
    """A card or account transaction as the feature store sees it."""

    time: float  # UTC epoch seconds
    amount_minor: int
    counterparty: str
    category: str
    device: str


def _hour_distance(a: int, b: int) -> int:
    d = abs(a - b) % 24
    return min(d, 24 - d)


def transaction_features(history: Sequence[Txn], txn: Txn) -> dict[str, float]:
    """The fraud features of `txn` from the customer's earlier transactions, oldest first.

    Only transactions strictly before `txn.time` and within the history window count.
    """
    times = [h.time for h in history]
    end = bisect.bisect_left(times, txn.time)
    start = bisect.bisect_left(times, txn.time - HISTORY_WINDOW_SECONDS, 0, end)
    window = history[start:end]
    day = [h for h in window if h.time >= txn.time - DAY]
    hour_count = sum(1 for h in day if h.time >= txn.time - HOUR)
    hour = int(txn.time // HOUR % 24)
    n = len(window)
    mean = sum(h.amount_minor for h in window) / n if n else 0.0
    return {
        "amount_minor": float(txn.amount_minor),
        "txn_count_1h": float(hour_count),
        "txn_count_24h": float(len(day)),
        "txn_amount_sum_24h": float(sum(h.amount_minor for h in day)),
        "distinct_counterparties_24h": float(len({h.counterparty for h in day})),
        "seconds_since_last_txn": float(txn.time - window[-1].time) if n else NO_PREVIOUS_TXN_SECONDS,
        "amount_to_avg_ratio_30d": txn.amount_minor / mean if mean > 0 else 1.0,
        "is_new_counterparty": float(all(h.counterparty != txn.counterparty for h in window)),
        "is_new_device": float(all(h.device != txn.device for h in window)),
        "hour_of_day": float(hour),
        "hour_share_30d": sum(1 for h in window if _hour_distance(int(h.time // HOUR % 24), hour) <= 1) / n
        if n
        else 0.0,
        "category_share_30d": sum(1 for h in window if h.category == txn.category) / n if n else 0.0,
    }


@dataclass(frozen=True)
class Applicant:
    """A credit application as the credit risk service sees it (no protected attributes)."""

    annual_income_minor: int
    total_debt_minor: int
    requested_amount_minor: int
    credit_history_months: int
    employment_months: int
    open_credit_lines: int
    late_payments_12m: int
    past_defaults: int


def applicant_features(applicant: Applicant) -> dict[str, float]:
    income = max(applicant.annual_income_minor, 1)
    return {
        "annual_income_minor": float(applicant.annual_income_minor),
        "total_debt_minor": float(applicant.total_debt_minor),
        "requested_amount_minor": float(applicant.requested_amount_minor),
        "debt_to_income_ratio": applicant.total_debt_minor / income,
        "loan_to_income_ratio": applicant.requested_amount_minor / income,
        "credit_history_months": float(applicant.credit_history_months),
        "employment_months": float(applicant.employment_months),
        "open_credit_lines": float(applicant.open_credit_lines),
        "late_payments_12m": float(applicant.late_payments_12m),
        "past_defaults": float(applicant.past_defaults),
    }


def to_vector(model: str, values: Mapping[str, float]) -> list[float]:
    """The model's input row: the values in signature order (a missing one raises KeyError)."""
    return [float(values[name]) for name in feature_names(model)]


def rows(model: str, values: Iterable[Mapping[str, float]]) -> list[list[float]]:
    return [to_vector(model, v) for v in values]
