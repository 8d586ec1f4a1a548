"""The feature definitions, as code: the one list the pipeline computes, the API lists and training reads.

Every feature is an aggregate of `fintech.payments.v1.PaymentInitiated` events (a payment attempt: what
fraud and card-testing look at) for one entity:

- customer: the payment's `customer_id` (all their accounts),
- account: the payment's `debtor_account_id`,
- merchant: the payment's creditor account when it is held at this bank (the payee, merchant or
  other counterparty); external creditors have no stable id in the event and are not tracked.

Amount features aggregate only amounts in `CURRENCY` (minor units); counts take every payment.
libs.featurespec.compute computes them (for the store and for training); the fraud model's inputs,
which read some of them, are defined in libs.featurespec.model_inputs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fintech.features.v1 import entity_pb2, feature_definition_pb2, feature_value_pb2

SOURCE_EVENT = "fintech.payments.v1.PaymentInitiated"
CURRENCY = "EUR"
OWNER = "fraud-analytics"
FRAUD_VIEW = "payment_fraud_v1"
# A payment at or under this amount (minor units) counts as "small": the probes of card testing.
SMALL_AMOUNT_MINOR = 500
DEFINED = datetime(2026, 11, 25, tzinfo=UTC)
DEFAULT_MAX_STALENESS = timedelta(hours=1)


class Entity(enum.IntEnum):
    CUSTOMER = entity_pb2.ENTITY_TYPE_CUSTOMER
    ACCOUNT = entity_pb2.ENTITY_TYPE_ACCOUNT
    MERCHANT = entity_pb2.ENTITY_TYPE_MERCHANT


class Agg(enum.Enum):
    COUNT = feature_definition_pb2.AGGREGATION_COUNT
    SUM = feature_definition_pb2.AGGREGATION_SUM
    MEAN = feature_definition_pb2.AGGREGATION_MEAN
    MAX = feature_definition_pb2.AGGREGATION_MAX
    DISTINCT_COUNT = feature_definition_pb2.AGGREGATION_DISTINCT_COUNT
    TIME_SINCE_LAST = feature_definition_pb2.AGGREGATION_TIME_SINCE_LAST
    STDDEV = feature_definition_pb2.AGGREGATION_STDDEV


class ValueType(enum.IntEnum):
    INT64 = feature_value_pb2.FEATURE_VALUE_TYPE_INT64
    DOUBLE = feature_value_pb2.FEATURE_VALUE_TYPE_DOUBLE
    MONEY = feature_value_pb2.FEATURE_VALUE_TYPE_MONEY
    DURATION = feature_value_pb2.FEATURE_VALUE_TYPE_DURATION


@dataclass(frozen=True)
class Feature:
    name: str
    entity: Entity
    aggregation: Agg
    value_type: ValueType
    window: timedelta | None
    description: str
    # Which field is aggregated: "amount" (minor units, CURRENCY only), "counterparty" (the creditor
    # account; for merchants: the debtor account, the payer) or "" (counts, time since last).
    source_field: str = ""
    # Only small payments (amount <= SMALL_AMOUNT_MINOR) are counted.
    small_only: bool = False
    views: tuple[str, ...] = field(default=(FRAUD_VIEW,))
    version: int = 1
    max_staleness: timedelta = DEFAULT_MAX_STALENESS

    @property
    def source_filter(self) -> str:
        return f"event.amount.amount_minor <= {SMALL_AMOUNT_MINOR}" if self.small_only else ""

    @property
    def currency_code(self) -> str:
        return CURRENCY if self.value_type == ValueType.MONEY else ""


MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
_WINDOW_NAMES = {MINUTE: "1m", 10 * MINUTE: "10m", HOUR: "1h", DAY: "24h", 30 * DAY: "30d"}


def _payer_features(prefix: str, entity: Entity, who: str) -> list[Feature]:
    features = [
        Feature(
            f"{prefix}_payment_count_{_WINDOW_NAMES[window]}",
            entity,
            Agg.COUNT,
            ValueType.INT64,
            window,
            f"Payments initiated by the {who} in the last {_WINDOW_NAMES[window]}.",
        )
        for window in (MINUTE, HOUR, DAY, 30 * DAY)
    ]
    features += [
        Feature(
            f"{prefix}_small_payment_count_{_WINDOW_NAMES[window]}",
            entity,
            Agg.COUNT,
            ValueType.INT64,
            window,
            f"Payments of at most {SMALL_AMOUNT_MINOR} minor units initiated by the {who} in the last "
            f"{_WINDOW_NAMES[window]} (card-testing probes).",
            small_only=True,
        )
        for window in (MINUTE, 10 * MINUTE)
    ]
    features += [
        Feature(
            f"{prefix}_payment_amount_sum_{_WINDOW_NAMES[window]}",
            entity,
            Agg.SUM,
            ValueType.MONEY,
            window,
            f"Sum of the {who}'s payment amounts ({CURRENCY}) in the last {_WINDOW_NAMES[window]}.",
            source_field="amount",
        )
        for window in (HOUR, DAY)
    ]
    features += [
        Feature(
            f"{prefix}_distinct_counterparty_count_24h",
            entity,
            Agg.DISTINCT_COUNT,
            ValueType.INT64,
            DAY,
            f"Distinct creditor accounts (at this bank) the {who} paid in the last 24h.",
            source_field="counterparty",
        ),
        Feature(
            f"{prefix}_time_since_last_payment",
            entity,
            Agg.TIME_SINCE_LAST,
            ValueType.DURATION,
            None,
            f"Time from the {who}'s last payment to the read time.",
        ),
        Feature(
            f"{prefix}_payment_amount_mean_30d",
            entity,
            Agg.MEAN,
            ValueType.DOUBLE,
            30 * DAY,
            f"Mean of the {who}'s payment amounts ({CURRENCY}, minor units) over 30 days: the usual amount.",
            source_field="amount",
        ),
        Feature(
            f"{prefix}_payment_amount_std_30d",
            entity,
            Agg.STDDEV,
            ValueType.DOUBLE,
            30 * DAY,
            f"Population standard deviation of the {who}'s payment amounts ({CURRENCY}, minor units) over "
            "30 days: how much the amount usually varies.",
            source_field="amount",
        ),
    ]
    return features


FEATURES: tuple[Feature, ...] = (
    *_payer_features("customer", Entity.CUSTOMER, "customer"),
    *_payer_features("account", Entity.ACCOUNT, "debtor account"),
    Feature(
        "merchant_payment_count_1h",
        Entity.MERCHANT,
        Agg.COUNT,
        ValueType.INT64,
        HOUR,
        "Payments received by the merchant (creditor account) in the last 1h.",
    ),
    Feature(
        "merchant_payment_count_24h",
        Entity.MERCHANT,
        Agg.COUNT,
        ValueType.INT64,
        DAY,
        "Payments received by the merchant (creditor account) in the last 24h.",
    ),
    Feature(
        "merchant_distinct_payer_count_24h",
        Entity.MERCHANT,
        Agg.DISTINCT_COUNT,
        ValueType.INT64,
        DAY,
        "Distinct debtor accounts that paid the merchant in the last 24h.",
        source_field="counterparty",
    ),
    Feature(
        "merchant_small_payment_count_10m",
        Entity.MERCHANT,
        Agg.COUNT,
        ValueType.INT64,
        10 * MINUTE,
        f"Payments of at most {SMALL_AMOUNT_MINOR} minor units received by the merchant in the last 10m.",
        small_only=True,
    ),
)

BY_NAME: dict[str, Feature] = {feature.name: feature for feature in FEATURES}
assert len(BY_NAME) == len(FEATURES), "feature names must be unique"


def reading_number(reading: feature_value_pb2.FeatureReading) -> float | None:
    """A reading as the models take it: counts and doubles as numbers, money in minor units, durations in
    seconds; None when the feature has no value."""
    if reading.status == feature_value_pb2.FEATURE_STATUS_MISSING:
        return None
    kind = reading.value.WhichOneof("kind")
    value = getattr(reading.value, kind)
    if kind == "money_value":
        return float(value.amount_minor)
    if kind == "duration_value":
        return float(value.ToTimedelta().total_seconds())
    return float(value)


def view(name: str) -> list[Feature]:
    return [feature for feature in FEATURES if name in feature.views]
