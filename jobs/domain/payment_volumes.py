"""Daily payment volumes and values: executed payments per day, currency, channel and on-us/off-us.

A payment counts on the day it was executed (UTC), with the amount, currency and channel it was initiated with.
On-us: the creditor is an account of this bank (PaymentInitiated.creditor_account_id); off-us: an account at
another bank (creditor_external_account). Values stay exact: the sum of the payments' Money.amount_minor, an
integer in the currency's minor units, as everywhere in the platform.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.domain.events import (
    PAYMENT_EXECUTED,
    PAYMENT_EXECUTED_SCHEMA,
    PAYMENT_INITIATED,
    PAYMENT_INITIATED_SCHEMA,
    minor_units,
    payloads,
)

TABLE = "daily_payment_volumes"  # in the results namespace (analytics)
COLUMNS = ("day", "currency", "channel", "on_us", "payment_count", "value_minor")
DDL = (
    "day date NOT NULL, currency string NOT NULL, channel string NOT NULL, on_us boolean NOT NULL, "
    "payment_count bigint NOT NULL, value_minor bigint NOT NULL"
)


def daily_payment_volumes(payments: DataFrame) -> DataFrame:
    """`events.payments` -> one row per (day, currency, channel, on_us) with executed payments."""
    initiated = payloads(payments, PAYMENT_INITIATED, PAYMENT_INITIATED_SCHEMA).select(
        "payment_id",
        F.col("amount.currency_code").alias("currency"),
        minor_units(F.col("amount.amount_minor")).alias("amount_minor"),
        F.coalesce(F.col("channel"), F.lit("PAYMENT_CHANNEL_UNSPECIFIED")).alias("channel"),
        (F.coalesce(F.col("creditor_account_id"), F.lit("")) != "").alias("on_us"),
    )
    executed = (
        payloads(payments, PAYMENT_EXECUTED, PAYMENT_EXECUTED_SCHEMA)
        .select("payment_id", F.to_date(F.to_timestamp("execute_time")).alias("day"))
        .dropDuplicates(["payment_id"])
    )
    return (
        executed.join(initiated, "payment_id")
        .groupBy("day", "currency", "channel", "on_us")
        .agg(F.count("*").alias("payment_count"), F.sum("amount_minor").alias("value_minor"))
        .select(*COLUMNS)
    )
