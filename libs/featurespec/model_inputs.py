"""The models' inputs: ONE definition, shared by training and serving.

The fraud model reads a payment's own values (`txn_*`) and features of the feature store
(libs/featurespec/definitions.py, computed by libs/featurespec/compute.py). The risk service reads
the store's values online and calls `fraud_inputs`; training computes the same store values point in
time, from the history before each generated payment, with the same compute function, and calls
`fraud_inputs` too. The credit model reads an application's values through `applicant_features`.
The ml service packs the values into the input tensor in the order of `FRAUD_FEATURES` /
`CREDIT_FEATURES` (the models' signatures are made from these lists).

Money is in minor units of EUR, durations in seconds, times in UTC epoch seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from libs.featurespec import definitions as store

HOUR = 3600
DAY = 24 * HOUR
CURRENCY = store.CURRENCY
# The value the model gets for a store feature without a value (an entity never seen, an empty window).
MISSING_TIME_SINCE_LAST = -1.0
MISSING_VALUE = 0.0
# The amount's z-score needs this many earlier payments (30 days) to mean anything.
ZSCORE_MIN_PAYMENTS = 5


@dataclass(frozen=True)
class Feature:
    """One model input: its name, the FeatureValue kind callers send, its meaning."""

    name: str
    value_type: str  # DOUBLE, INT64, BOOL, MONEY, DURATION (fintech.ml.v1.FeatureValueType without prefix)
    description: str
    allow_missing: bool = False

    @property
    def currency_code(self) -> str:
        return CURRENCY if self.value_type == "MONEY" else ""


# The store features the fraud model reads, in input order.
FRAUD_STORE_INPUTS: tuple[str, ...] = (
    "customer_payment_count_1m",
    "customer_payment_count_1h",
    "customer_payment_count_24h",
    "customer_small_payment_count_10m",
    "customer_payment_amount_sum_24h",
    "customer_distinct_counterparty_count_24h",
    "customer_time_since_last_payment",
    "account_payment_count_1m",
    "account_small_payment_count_1m",
    "account_payment_count_30d",
    "account_payment_amount_mean_30d",
    "account_payment_amount_std_30d",
    "merchant_payment_count_1h",
    "merchant_distinct_payer_count_24h",
    "merchant_small_payment_count_10m",
)


def _store_input(name: str) -> Feature:
    definition = store.BY_NAME[name]
    missing = MISSING_TIME_SINCE_LAST if definition.aggregation == store.Agg.TIME_SINCE_LAST else MISSING_VALUE
    return Feature(name, definition.value_type.name, f"{definition.description.rstrip('.')}; no value: {missing:g}.")


FRAUD_FEATURES: tuple[Feature, ...] = (
    Feature("txn_amount", "MONEY", "The payment's amount (its EUR reporting amount), in minor units."),
    Feature(
        "txn_amount_zscore",
        "DOUBLE",
        "Standard deviations the amount lies above the debtor account's 30-day mean (spread at least 10% of "
        f"the mean and 1 EUR); 0 with fewer than {ZSCORE_MIN_PAYMENTS} payments in 30 days.",
    ),
    Feature("txn_new_counterparty", "BOOL", "The customer never paid this counterparty before."),
    Feature("txn_hour_of_day", "INT64", "The hour (UTC, 0-23) the payment was initiated."),
    *(_store_input(name) for name in FRAUD_STORE_INPUTS),
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
    Feature("recent_delinquencies", "INT64", "Payments 30 or more days past due in the last 24 months."),
    Feature("past_defaults", "INT64", "Defaults on record."),
)

FEATURES: dict[str, tuple[Feature, ...]] = {"fraud": FRAUD_FEATURES, "credit": CREDIT_FEATURES}


def feature_names(model: str) -> list[str]:
    return [feature.name for feature in FEATURES[model]]


def store_features(entity: store.Entity) -> list[store.Feature]:
    """The store definitions of one entity type that the fraud model reads."""
    return [store.BY_NAME[name] for name in FRAUD_STORE_INPUTS if store.BY_NAME[name].entity == entity]


def amount_zscore(amount: float, mean: float | None, std: float | None, count: float | None) -> float:
    """How many standard deviations `amount` lies above the usual; 0 without enough history."""
    if mean is None or (count or 0) < ZSCORE_MIN_PAYMENTS:
        return 0.0
    spread = max(std or 0.0, mean * 0.1, 100.0)  # a customer who always pays the same is not infinitely sure
    return (amount - mean) / spread


@dataclass(frozen=True)
class Payment:
    """What the fraud model reads of the payment itself."""

    time: float  # when it was initiated, UTC epoch seconds
    amount_minor: int  # in EUR
    new_counterparty: bool


def fraud_inputs(payment: Payment, values: Mapping[str, float | None]) -> dict[str, float]:
    """The fraud model's inputs, in FRAUD_FEATURES order, from the payment and the store's values
    (by feature name; None or absent: no value)."""
    inputs = {
        "txn_amount": float(payment.amount_minor),
        "txn_amount_zscore": amount_zscore(
            payment.amount_minor,
            values.get("account_payment_amount_mean_30d"),
            values.get("account_payment_amount_std_30d"),
            values.get("account_payment_count_30d"),
        ),
        "txn_new_counterparty": float(payment.new_counterparty),
        "txn_hour_of_day": float(int(payment.time // HOUR % 24)),
    }
    for name in FRAUD_STORE_INPUTS:
        value = values.get(name)
        if value is None:
            missing = store.BY_NAME[name].aggregation == store.Agg.TIME_SINCE_LAST
            value = MISSING_TIME_SINCE_LAST if missing else MISSING_VALUE
        inputs[name] = float(value)
    return inputs


@dataclass(frozen=True)
class Applicant:
    """A credit application as the credit risk service sees it (no protected attributes)."""

    annual_income_minor: int
    total_debt_minor: int
    requested_amount_minor: int
    credit_history_months: int
    employment_months: int
    open_credit_lines: int
    recent_delinquencies: int
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
        "recent_delinquencies": float(applicant.recent_delinquencies),
        "past_defaults": float(applicant.past_defaults),
    }


def to_vector(model: str, values: Mapping[str, float]) -> list[float]:
    """The model's input row: the values in signature order (a missing one raises KeyError)."""
    return [float(values[name]) for name in feature_names(model)]


def rows(model: str, values: Iterable[Mapping[str, float]]) -> list[list[float]]:
    return [to_vector(model, v) for v in values]
