"""What the fraud decision reads of a transaction: its counterparty, its amount, the model's view of it."""

from __future__ import annotations

from datetime import UTC, datetime

from fintech.risk.v1 import transaction_pb2 as txn

from libs.featurespec.model_inputs import Payment


def counterparty_key(t: txn.Transaction) -> str | None:
    if t.creditor_account_id:
        return f"account:{t.creditor_account_id}"
    if t.counterparty.counterparty_id:
        return f"counterparty:{t.counterparty.counterparty_id}"
    if t.counterparty.account_number:
        return f"iban:{t.counterparty.account_number}"
    return None


def amount_minor(t: txn.Transaction) -> int:
    """The amount in the reporting currency when the payment carries it, else in its own."""
    return t.reporting_amount.amount_minor if t.HasField("reporting_amount") else t.amount.amount_minor


def payment_of(t: txn.Transaction, new_counterparty: bool) -> Payment:
    """What the fraud model reads of the transaction itself."""
    initiated = t.transaction_time.ToDatetime(tzinfo=UTC) if t.HasField("transaction_time") else datetime.now(UTC)
    return Payment(initiated.timestamp(), amount_minor(t), new_counterparty)
