"""Fraud screening outcomes per model version: decisions, mean score, and how reviews turned out.

From risk's FraudEvaluated events: per model (name and version; `rules_only` when the model was unavailable and
the rules decided alone) the approve, review and decline counts and the mean fraud score. What the events allow
for precision: a payment the model sent to review is later released (a false alarm) or rejected by the reviewer
(confirmed: PaymentRejected with REVIEW_REJECTED). review_precision = confirmed / (confirmed + released), null
while no review is resolved. Declines have no later outcome in the events (the payment is rejected at once and
no chargeback or confirmed-fraud event exists), so their precision cannot be measured from the lake.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.domain.events import (
    FRAUD_EVALUATED,
    FRAUD_EVALUATED_SCHEMA,
    PAYMENT_REJECTED,
    PAYMENT_REJECTED_SCHEMA,
    PAYMENT_RELEASED,
    PAYMENT_RELEASED_SCHEMA,
    payloads,
)

TABLE = "fraud_outcomes"  # in the results namespace (analytics)
RULES_ONLY = "rules_only"
REVIEW_REJECTED = "PAYMENT_REJECTION_REASON_REVIEW_REJECTED"
COLUMNS = (
    "model_name",
    "model_version",
    "evaluations",
    "approved",
    "reviewed",
    "declined",
    "mean_score",
    "reviews_released",
    "reviews_confirmed",
    "review_precision",
)
DDL = (
    "model_name string NOT NULL, model_version string NOT NULL, evaluations bigint NOT NULL, "
    "approved bigint NOT NULL, reviewed bigint NOT NULL, declined bigint NOT NULL, mean_score double, "
    "reviews_released bigint NOT NULL, reviews_confirmed bigint NOT NULL, review_precision double"
)


def _count_of(decision: str) -> Column:
    return F.sum(F.when(F.col("decision") == decision, 1).otherwise(0)).cast("long")


def fraud_outcomes(risk: DataFrame, payments: DataFrame) -> DataFrame:
    """`events.risk` and `events.payments` -> one row per fraud model version."""
    unavailable = F.coalesce(F.col("model_unavailable"), F.lit(False))
    evaluations = payloads(risk, FRAUD_EVALUATED, FRAUD_EVALUATED_SCHEMA).select(
        "payment_id",
        F.coalesce(F.col("decision"), F.lit("FRAUD_DECISION_UNSPECIFIED")).alias("decision"),
        F.coalesce(F.col("fraud_score"), F.lit(0.0)).alias("fraud_score"),
        F.when(unavailable, F.lit(RULES_ONLY)).otherwise(F.coalesce("model.model_name", F.lit(""))).alias("model_name"),
        F.when(unavailable, F.lit(RULES_ONLY))
        .otherwise(F.coalesce("model.model_version", F.lit("")))
        .alias("model_version"),
    )
    released = payloads(payments, PAYMENT_RELEASED, PAYMENT_RELEASED_SCHEMA).select(
        "payment_id", F.lit("released").alias("outcome")
    )
    confirmed = (
        payloads(payments, PAYMENT_REJECTED, PAYMENT_REJECTED_SCHEMA)
        .where(F.col("rejection_reason") == REVIEW_REJECTED)
        .select("payment_id", F.lit("confirmed").alias("outcome"))
    )
    outcomes = released.unionByName(confirmed).dropDuplicates(["payment_id"])
    reviewed = evaluations.where(F.col("decision") == "FRAUD_DECISION_REVIEW").join(outcomes, "payment_id")
    resolved = reviewed.groupBy("model_name", "model_version").agg(
        F.sum(F.when(F.col("outcome") == "released", 1).otherwise(0)).cast("long").alias("reviews_released"),
        F.sum(F.when(F.col("outcome") == "confirmed", 1).otherwise(0)).cast("long").alias("reviews_confirmed"),
    )
    decisions = evaluations.groupBy("model_name", "model_version").agg(
        F.count("*").alias("evaluations"),
        _count_of("FRAUD_DECISION_APPROVE").alias("approved"),
        _count_of("FRAUD_DECISION_REVIEW").alias("reviewed"),
        _count_of("FRAUD_DECISION_DECLINE").alias("declined"),
        F.avg("fraud_score").alias("mean_score"),
    )
    joined = decisions.join(resolved, ["model_name", "model_version"], "left").fillna(
        0, ["reviews_released", "reviews_confirmed"]
    )
    resolved_count = F.col("reviews_released") + F.col("reviews_confirmed")
    return joined.withColumn(
        "review_precision",
        F.when(resolved_count > 0, F.col("reviews_confirmed") / resolved_count),
    ).select(*COLUMNS)
