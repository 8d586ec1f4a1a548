"""The lake's event rows and the payloads the jobs read from them.

A row of `events.<domain>` carries the envelope's fields and `payload`: the decoded event as proto3 JSON with
the proto field names (MessageToJson, preserving_proto_field_name). So: int64 values are JSON strings, enums
are their names, timestamps RFC 3339 strings, and a field at its default value (0, "", false, the first enum
value) is absent. Each schema below names only the fields a job reads; absent fields parse as null.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    StringType,
    StructField,
    StructType,
)

PAYMENTS = "fintech.payments.v1"
RISK = "fintech.risk.v1"

PAYMENT_INITIATED = f"{PAYMENTS}.PaymentInitiated"
PAYMENT_EXECUTED = f"{PAYMENTS}.PaymentExecuted"
PAYMENT_RELEASED = f"{PAYMENTS}.PaymentReleased"
PAYMENT_REJECTED = f"{PAYMENTS}.PaymentRejected"
ACCOUNT_OPENED = f"{PAYMENTS}.AccountOpened"
LEDGER_POSTED = f"{PAYMENTS}.LedgerPosted"
FRAUD_EVALUATED = f"{RISK}.FraudEvaluated"


def _fields(*names: str, kind: type = StringType) -> list[StructField]:
    return [StructField(name, kind()) for name in names]


# fintech.common.v1.Money: amount_minor is an int64, so a JSON string (parsed as text, then cast exactly).
MONEY = StructType(_fields("amount_minor", "currency_code"))
# A SealedValue's presence is all a job needs (an external creditor account: a payment to another bank).
SEALED = StructType(_fields("key_id"))

PAYMENT_INITIATED_SCHEMA = StructType(
    [
        *_fields("payment_id", "creditor_account_id", "channel"),
        StructField("creditor_external_account", SEALED),
        StructField("amount", MONEY),
    ]
)
PAYMENT_EXECUTED_SCHEMA = StructType(_fields("payment_id", "execute_time"))
PAYMENT_RELEASED_SCHEMA = StructType(_fields("payment_id"))
PAYMENT_REJECTED_SCHEMA = StructType(_fields("payment_id", "rejection_reason"))
ACCOUNT_OPENED_SCHEMA = StructType(_fields("account_id", "customer_id", "currency_code"))
LEDGER_ENTRY = StructType(
    [
        *_fields("account_id", "entry_sequence"),
        StructField("balance_after", MONEY),
    ]
)
LEDGER_POSTED_SCHEMA = StructType(
    [*_fields("ledger_posting_id"), StructField("ledger_entries", ArrayType(LEDGER_ENTRY))]
)
FRAUD_EVALUATED_SCHEMA = StructType(
    [
        *_fields("payment_id", "decision"),
        StructField("fraud_score", DoubleType()),
        StructField("model", StructType(_fields("model_name", "model_version"))),
        StructField("model_unavailable", BooleanType()),
    ]
)


def payloads(events: DataFrame, event_type: str, schema: StructType) -> DataFrame:
    """The events of one type, one row each (an event id seen twice is one fact), as the payload's columns."""
    chosen = events.where(F.col("event_type") == event_type).dropDuplicates(["event_id"])
    parsed = F.from_json(F.col("payload"), schema, {"mode": "FAILFAST"})
    return chosen.select(parsed.alias("e")).select("e.*")


def minor_units(money_field: Column) -> Column:
    """An int64 amount in minor units; absent (the proto default) is 0."""
    return F.coalesce(money_field.cast("long"), F.lit(0).cast("long"))
