"""A Basel III-style large-exposure input from the ledger: what each customer owes the bank, against capital.

The exposure to a customer is what its accounts owe: the overdrawn part of each account's latest balance (its
ledger entry with the highest entry_sequence, from LedgerPosted), summed per customer and currency. The events
carry no groups of connected clients, so the group is the customer itself (`group_id` = customer id; accounts
belong to customers by AccountOpened). An exposure is large from `reporting_bp` basis points of the eligible
capital in its currency and breaches the limit beyond `limit_bp` (Basel: 10 % and 25 %). Thresholds are exact
integers in minor units, rounded down; a currency without eligible capital gets no thresholds and no flags.
Every customer with an account is listed, owing nothing or not, so a report shows whom it covered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType
from pyspark.sql.window import Window

from jobs.domain.events import (
    ACCOUNT_OPENED,
    ACCOUNT_OPENED_SCHEMA,
    LEDGER_POSTED,
    LEDGER_POSTED_SCHEMA,
    minor_units,
    payloads,
)

TABLE = "large_exposures"  # in the results namespace (analytics)
GROUP_BASIS = "customer"
COLUMNS = (
    "group_id",
    "group_basis",
    "currency",
    "accounts",
    "exposure_minor",
    "eligible_capital_minor",
    "reporting_threshold_minor",
    "limit_minor",
    "large_exposure",
    "limit_breach",
)
DDL = (
    "group_id string NOT NULL, group_basis string NOT NULL, currency string NOT NULL, accounts bigint NOT NULL, "
    "exposure_minor bigint NOT NULL, eligible_capital_minor bigint, reporting_threshold_minor bigint, "
    "limit_minor bigint, large_exposure boolean, limit_breach boolean"
)
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class ExposurePolicy:
    """Eligible capital per currency (minor units) and the shares, in basis points, that make an exposure large
    (reported) and that it must not exceed."""

    eligible_capital_minor: Mapping[str, int]
    reporting_bp: int
    limit_bp: int

    @staticmethod
    def threshold(capital_minor: int, basis_points: int) -> int:
        """That share of the capital, in whole minor units (rounded down: an exposure at it is already large)."""
        return capital_minor * basis_points // BASIS_POINTS


def large_exposures(payments: DataFrame, policy: ExposurePolicy) -> DataFrame:
    """`events.payments` -> one row per customer and currency of its accounts."""
    owners = payloads(payments, ACCOUNT_OPENED, ACCOUNT_OPENED_SCHEMA).select(
        "account_id", "customer_id", F.col("currency_code").alias("currency")
    )
    entries = payloads(payments, LEDGER_POSTED, LEDGER_POSTED_SCHEMA).select(F.explode("ledger_entries").alias("entry"))
    latest_first = Window.partitionBy("account_id").orderBy(F.col("sequence").desc())
    balances = (
        entries.select(
            F.col("entry.account_id").alias("account_id"),
            F.col("entry.entry_sequence").cast("long").alias("sequence"),
            minor_units(F.col("entry.balance_after.amount_minor")).alias("balance_minor"),
        )
        .withColumn("rank", F.row_number().over(latest_first))
        .where(F.col("rank") == 1)
        .select("account_id", "balance_minor")
    )
    owed = F.greatest(-F.coalesce(F.col("balance_minor"), F.lit(0)), F.lit(0)).cast("long")
    exposures = (
        owners.join(balances, "account_id", "left")
        .groupBy("customer_id", "currency")
        .agg(F.count("*").alias("accounts"), F.sum(owed).cast("long").alias("exposure_minor"))
    )
    capital = payments.sparkSession.createDataFrame(
        [
            (currency, amount, policy.threshold(amount, policy.reporting_bp), policy.threshold(amount, policy.limit_bp))
            for currency, amount in sorted(policy.eligible_capital_minor.items())
        ],
        StructType(
            [
                StructField("currency", StringType()),
                *(
                    StructField(name, LongType())
                    for name in ("eligible_capital_minor", "reporting_threshold_minor", "limit_minor")
                ),
            ]
        ),
    )
    return exposures.join(F.broadcast(capital), "currency", "left").select(
        F.col("customer_id").alias("group_id"),
        F.lit(GROUP_BASIS).alias("group_basis"),
        "currency",
        "accounts",
        "exposure_minor",
        "eligible_capital_minor",
        "reporting_threshold_minor",
        "limit_minor",
        (F.col("exposure_minor") >= F.col("reporting_threshold_minor")).alias("large_exposure"),
        (F.col("exposure_minor") > F.col("limit_minor")).alias("limit_breach"),
    )
