"""The risk service's pure decision logic: fraud rules, AML rules, the credit scorecard. No I/O.

Everything here takes plain values and settings and returns plain values, so it is tested without a
mesh; the servicers fetch features, history and model scores and store what these functions decide.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from fintech.risk.v1 import aml_assessment_pb2 as aml
from fintech.risk.v1 import credit_assessment_pb2 as credit
from fintech.risk.v1 import fraud_assessment_pb2 as fraud
from fintech.risk.v1 import transaction_pb2 as txn

from libs.featurespec.model_inputs import amount_zscore

FRAUD_RULE_SET_VERSION = "fraud-rules-1"
AML_RULE_SET_VERSION = "aml-rules-1"
CREDIT_POLICY_VERSION = "credit-policy-1"

APPROVE, REVIEW, DECLINE = fraud.FRAUD_DECISION_APPROVE, fraud.FRAUD_DECISION_REVIEW, fraud.FRAUD_DECISION_DECLINE
CASH_TYPES = {txn.TRANSACTION_TYPE_CASH_DEPOSIT, txn.TRANSACTION_TYPE_CASH_WITHDRAWAL}


class RiskSettings(Protocol):
    """The thresholds the rules read (the service's `[risk]` settings satisfy it)."""

    fraud_review_threshold: float
    fraud_decline_threshold: float
    velocity_review_count_1h: int
    velocity_decline_count_1m: int
    card_testing_small_count_10m: int
    amount_zscore_review: float
    new_counterparty_review_amount_minor: int
    aml_large_cash_minor: int
    aml_structuring_min_count: int
    aml_structuring_window_hours: int
    aml_high_risk_countries: list[str]
    aml_blocked_countries: list[str]


# -- fraud ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleHit:
    rule_id: str
    description: str
    decision: fraud.FraudDecision
    reason: int
    explanation: str
    values: Mapping[str, str] = field(default_factory=dict)


def fraud_rules(
    features: Mapping[str, float | None], amount_minor: int, new_counterparty: bool, settings: RiskSettings
) -> list[RuleHit]:
    """The fraud rules that fire for a transaction given its entity features (missing = None)."""

    def f(name: str) -> float:
        return features.get(name) or 0.0

    hits: list[RuleHit] = []
    count_1m = max(f("customer_payment_count_1m"), f("account_payment_count_1m"))
    count_1h = f("customer_payment_count_1h")
    small_10m = max(f("customer_small_payment_count_10m"), f("account_small_payment_count_1m"))
    if small_10m >= settings.card_testing_small_count_10m:
        hits.append(RuleHit(
            "card_testing.small_burst.10m", "A burst of small payments: probing a card or account before fraud",
            DECLINE, fraud.FRAUD_REASON_CODE_VELOCITY,
            f"{small_10m:.0f} small payments in the last 10 minutes, "
            f"at most {settings.card_testing_small_count_10m - 1} expected",
            {"small_payment_count_10m": f"{small_10m:.0f}"},
        ))  # fmt: skip
    if count_1m >= settings.velocity_decline_count_1m:
        hits.append(RuleHit(
            "velocity.payments.1m", "Too many payments within one minute", DECLINE, fraud.FRAUD_REASON_CODE_VELOCITY,
            f"{count_1m:.0f} payments in the last minute", {"payment_count_1m": f"{count_1m:.0f}"},
        ))  # fmt: skip
    elif count_1h >= settings.velocity_review_count_1h:
        hits.append(RuleHit(
            "velocity.payments.1h", "Unusually many payments within one hour", REVIEW, fraud.FRAUD_REASON_CODE_VELOCITY,
            f"{count_1h:.0f} payments in the last hour", {"payment_count_1h": f"{count_1h:.0f}"},
        ))  # fmt: skip
    zscore = amount_zscore(
        amount_minor,
        features.get("account_payment_amount_mean_30d"),
        features.get("account_payment_amount_std_30d"),
        features.get("account_payment_count_30d"),
    )
    if zscore >= settings.amount_zscore_review:
        hits.append(RuleHit(
            "amount.unusual.30d", "Amount far above the account's usual amounts", REVIEW,
            fraud.FRAUD_REASON_CODE_AMOUNT_UNUSUAL, f"the amount is {zscore:.1f} standard deviations above the usual",
            {"amount_zscore": f"{zscore:.2f}"},
        ))  # fmt: skip
    if new_counterparty and amount_minor >= settings.new_counterparty_review_amount_minor:
        hits.append(RuleHit(
            "counterparty.new.large", "A large payment to a counterparty never paid before", REVIEW,
            fraud.FRAUD_REASON_CODE_NEW_COUNTERPARTY, "first payment to this counterparty, above the review amount",
            {"amount_minor": str(amount_minor)},
        ))  # fmt: skip
    return hits


def fraud_decision(score: float | None, hits: Sequence[RuleHit], settings: RiskSettings) -> fraud.FraudDecision:
    """The strictest of the score's band (when the model answered) and the fired rules."""
    decision: fraud.FraudDecision = APPROVE
    if score is not None:
        if score >= settings.fraud_decline_threshold:
            decision = DECLINE
        elif score >= settings.fraud_review_threshold:
            decision = REVIEW
    for hit in hits:
        decision = max(decision, hit.decision)
    return decision


# -- AML --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastTransaction:
    payment_id: str
    amount_minor: int
    transaction_type: int
    direction: int
    time: datetime


@dataclass(frozen=True)
class AmlHit:
    rule_code: int
    rule_id: str
    description: str
    severity: int
    decision: aml.AmlDecision
    threshold_minor: int | None = None
    aggregate_minor: int | None = None
    window: timedelta | None = None
    related_payment_ids: tuple[str, ...] = ()
    country_code: str = ""


def aml_rules(
    amount_minor: int,
    transaction_type: int,
    direction: int,
    time: datetime,
    countries: Sequence[str],
    history: Sequence[PastTransaction],
    settings: RiskSettings,
) -> list[AmlHit]:
    """AML monitoring rules over one payment (amount in the reporting currency) and the account's history."""
    hits: list[AmlHit] = []
    threshold = settings.aml_large_cash_minor
    window = timedelta(hours=settings.aml_structuring_window_hours)
    recent = [p for p in history if time - window <= p.time <= time]
    if transaction_type in CASH_TYPES and amount_minor >= threshold:
        hits.append(AmlHit(
            aml.AML_RULE_CODE_LARGE_CASH, "large_cash.single", f"cash transaction of {amount_minor / 100:,.2f} at or "
            f"above the reporting threshold of {threshold / 100:,.2f}", aml.AML_ALERT_SEVERITY_MEDIUM,
            aml.AML_DECISION_REVIEW, threshold, amount_minor,
        ))  # fmt: skip
    just_below = 0.9 * threshold <= amount_minor < threshold
    if transaction_type in CASH_TYPES and just_below:
        related = [
            p for p in recent if p.transaction_type in CASH_TYPES and 0.9 * threshold <= p.amount_minor < threshold
        ]
        total = amount_minor + sum(p.amount_minor for p in related)
        if len(related) + 1 >= settings.aml_structuring_min_count:
            hits.append(AmlHit(
                aml.AML_RULE_CODE_STRUCTURING, "structuring.cash.24h", f"{len(related) + 1} cash transactions just "
                f"below the threshold of {threshold / 100:,.2f} within {window}, {total / 100:,.2f} in total",
                aml.AML_ALERT_SEVERITY_HIGH, aml.AML_DECISION_REVIEW, threshold, total, window,
                tuple(p.payment_id for p in related),
            ))  # fmt: skip
    if direction == txn.TRANSACTION_DIRECTION_OUTGOING:
        incoming = [p for p in recent if p.direction == txn.TRANSACTION_DIRECTION_INCOMING]
        received = sum(p.amount_minor for p in incoming)
        if received >= threshold // 2 and amount_minor >= 0.8 * received:
            hits.append(AmlHit(
                aml.AML_RULE_CODE_RAPID_MOVEMENT, "rapid_movement.pass_through.24h", f"{amount_minor / 100:,.2f} "
                f"leaves the account within {window} of receiving {received / 100:,.2f}", aml.AML_ALERT_SEVERITY_MEDIUM,
                aml.AML_DECISION_REVIEW, None, amount_minor + received, window, tuple(p.payment_id for p in incoming),
            ))  # fmt: skip
    for country in dict.fromkeys(c for c in countries if c):
        if country in settings.aml_blocked_countries:
            hits.append(AmlHit(
                aml.AML_RULE_CODE_HIGH_RISK_COUNTRY, "country.embargoed", f"payment involves {country}, under a call "
                "for action (countermeasures)", aml.AML_ALERT_SEVERITY_HIGH, aml.AML_DECISION_BLOCK,
                country_code=country,
            ))  # fmt: skip
        elif country in settings.aml_high_risk_countries:
            hits.append(AmlHit(
                aml.AML_RULE_CODE_HIGH_RISK_COUNTRY, "country.high_risk", f"payment involves high-risk jurisdiction "
                f"{country}", aml.AML_ALERT_SEVERITY_MEDIUM, aml.AML_DECISION_REVIEW, country_code=country,
            ))  # fmt: skip
    return hits


def aml_decision(hits: Sequence[AmlHit]) -> aml.AmlDecision:
    return max((hit.decision for hit in hits), default=aml.AML_DECISION_CLEAR)


# -- credit -----------------------------------------------------------------------------------------

# Grade bands: the upper bound of the probability of default of each grade.
GRADE_BANDS = (
    (0.01, credit.CREDIT_GRADE_A), (0.03, credit.CREDIT_GRADE_B), (0.06, credit.CREDIT_GRADE_C),
    (0.10, credit.CREDIT_GRADE_D), (0.18, credit.CREDIT_GRADE_E), (0.30, credit.CREDIT_GRADE_F),
    (1.01, credit.CREDIT_GRADE_G),
)  # fmt: skip
# Scorecard: 600 points at odds 50:1, 20 points to double the odds.
PDO, BASE_SCORE, BASE_ODDS = 20.0, 600.0, 50.0


def credit_score(pd: float) -> int:
    pd = min(max(pd, 1e-6), 1 - 1e-6)
    factor = PDO / math.log(2)
    score = BASE_SCORE + factor * (math.log((1 - pd) / pd) - math.log(BASE_ODDS))
    return int(min(900, max(300, round(score))))


def credit_grade(pd: float) -> credit.CreditGrade:
    return next(grade for bound, grade in GRADE_BANDS if pd < bound)


@dataclass(frozen=True)
class CreditInputs:
    annual_income: float
    existing_debt: float
    monthly_debt_payments: float
    requested_amount: float
    term_months: int
    employment_status: int
    employment_months: int
    credit_history_months: int
    open_credit_lines: int
    past_defaults: int
    recent_delinquencies: int

    @property
    def debt_to_income(self) -> float:
        return 12 * self.monthly_debt_payments / self.annual_income if self.annual_income > 0 else 10.0

    @property
    def loan_to_income(self) -> float:
        return self.requested_amount / self.annual_income if self.annual_income > 0 else 10.0


def credit_policy(inputs: CreditInputs, grade: int) -> tuple[credit.CreditDecision, list[str]]:
    """The decision from the grade and the policy's knock-out rules; returns (decision, fired rule ids)."""
    fired: list[str] = []
    if inputs.debt_to_income > 0.5:
        fired.append("policy.dti.max")
    if inputs.past_defaults >= 2:
        fired.append("policy.defaults.max")
    if inputs.loan_to_income > 5:
        fired.append("policy.lti.max")
    if grade <= credit.CREDIT_GRADE_C:
        decision = credit.CREDIT_DECISION_APPROVE
    elif grade <= credit.CREDIT_GRADE_E:
        decision = credit.CREDIT_DECISION_REFER
    else:
        decision = credit.CREDIT_DECISION_DECLINE
    if fired:
        decision = credit.CREDIT_DECISION_DECLINE
    return decision, fired


A = credit.AdverseActionReasonCode
# The reason code each credit model input speaks to (libs/featurespec/model_inputs.py CREDIT_FEATURES).
MODEL_REASONS = {
    "annual_income_minor": A.ADVERSE_ACTION_REASON_CODE_INSUFFICIENT_INCOME,
    "total_debt_minor": A.ADVERSE_ACTION_REASON_CODE_HIGH_DEBT_TO_INCOME,
    "debt_to_income_ratio": A.ADVERSE_ACTION_REASON_CODE_HIGH_DEBT_TO_INCOME,
    "requested_amount_minor": A.ADVERSE_ACTION_REASON_CODE_AMOUNT_TOO_HIGH,
    "loan_to_income_ratio": A.ADVERSE_ACTION_REASON_CODE_AMOUNT_TOO_HIGH,
    "credit_history_months": A.ADVERSE_ACTION_REASON_CODE_SHORT_CREDIT_HISTORY,
    "employment_months": A.ADVERSE_ACTION_REASON_CODE_SHORT_EMPLOYMENT,
    "open_credit_lines": A.ADVERSE_ACTION_REASON_CODE_TOO_MANY_CREDIT_LINES,
    "recent_delinquencies": A.ADVERSE_ACTION_REASON_CODE_DELINQUENCIES,
    "past_defaults": A.ADVERSE_ACTION_REASON_CODE_PREVIOUS_DEFAULTS,
}


def adverse_reasons(inputs: CreditInputs, contributions: Mapping[str, float] | None = None) -> list[tuple[int, float]]:
    """(reason code, share of what raised the probability of default), largest first: from the model's
    contributions (by input) when it gave them, else from the policy's own view of each input."""
    weights: dict[int, float] = {}
    if contributions:
        for name, value in contributions.items():
            if name in MODEL_REASONS and value > 0:
                weights[MODEL_REASONS[name]] = weights.get(MODEL_REASONS[name], 0.0) + value
    else:
        weights = {
            A.ADVERSE_ACTION_REASON_CODE_HIGH_DEBT_TO_INCOME: max(0.0, inputs.debt_to_income - 0.35),
            A.ADVERSE_ACTION_REASON_CODE_AMOUNT_TOO_HIGH: max(0.0, inputs.loan_to_income - 1.0) / 4,
            A.ADVERSE_ACTION_REASON_CODE_SHORT_CREDIT_HISTORY: max(0.0, 24 - inputs.credit_history_months) / 48,
            A.ADVERSE_ACTION_REASON_CODE_DELINQUENCIES: 0.3 * inputs.recent_delinquencies,
            A.ADVERSE_ACTION_REASON_CODE_PREVIOUS_DEFAULTS: 0.5 * inputs.past_defaults,
            A.ADVERSE_ACTION_REASON_CODE_TOO_MANY_CREDIT_LINES: max(0, inputs.open_credit_lines - 8) / 10,
            A.ADVERSE_ACTION_REASON_CODE_EMPLOYMENT_STATUS: 0.4
            if inputs.employment_status == credit.EMPLOYMENT_STATUS_UNEMPLOYED
            else 0.0,
            A.ADVERSE_ACTION_REASON_CODE_SHORT_EMPLOYMENT: max(0.0, 12 - inputs.employment_months) / 48,
            A.ADVERSE_ACTION_REASON_CODE_TERM_TOO_LONG: max(0, inputs.term_months - 120) / 360,
        }
    weights = {code: value for code, value in weights.items() if value > 0}
    total = sum(weights.values())
    ranked = sorted(weights.items(), key=lambda item: -item[1])
    return [(code, value / total) for code, value in ranked] if total else []
