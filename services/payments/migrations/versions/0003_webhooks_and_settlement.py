"""Webhook endpoints and deliveries; settlement batches and their payments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, *, now: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now() if now else None, nullable=not now)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("webhook_endpoint_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_types", ARRAY(sa.Text()), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("sealed_secret", sa.LargeBinary(), nullable=False),
        sa.Column("secret_hint", sa.Text(), nullable=False),
        _time("create_time", now=True),
        _time("update_time", now=True),
        sa.PrimaryKeyConstraint("webhook_endpoint_id", name="pk_webhook_endpoints"),
    )
    op.create_index(
        "ix_webhook_endpoints_customer_id_create_time",
        "webhook_endpoints",
        ["customer_id", "create_time", "webhook_endpoint_id"],
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("webhook_delivery_id", UUID(as_uuid=True), nullable=False),
        sa.Column("webhook_endpoint_id", UUID(as_uuid=True), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("subject_id", UUID(as_uuid=True), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("attempt_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_http_status_code", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), server_default=sa.text("''"), nullable=False),
        _time("first_attempt_time"),
        _time("last_attempt_time"),
        _time("next_attempt_time"),
        _time("create_time", now=True),
        _time("deliver_time"),
        sa.PrimaryKeyConstraint("webhook_delivery_id", name="pk_webhook_deliveries"),
        sa.ForeignKeyConstraint(
            ["webhook_endpoint_id"],
            ["webhook_endpoints.webhook_endpoint_id"],
            name="fk_webhook_deliveries_webhook_endpoint_id_webhook_endpoints",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "webhook_endpoint_id", "event_id", name="uq_webhook_deliveries_webhook_endpoint_id_event_id"
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_webhook_endpoint_id_create_time",
        "webhook_deliveries",
        ["webhook_endpoint_id", "create_time"],
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["next_attempt_time"], postgresql_where=sa.text("state = 1")
    )
    op.create_index(
        "ix_webhook_deliveries_pending_subject",
        "webhook_deliveries",
        ["webhook_endpoint_id", "subject_id", "sequence"],
        postgresql_where=sa.text("state = 1"),
    )

    op.create_table(
        "settlement_batches",
        sa.Column("settlement_batch_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency_code", sa.Text(), nullable=False),
        sa.Column("participant_bic", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("window_start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("payment_count", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("gross_debit_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("gross_credit_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=True),
        sa.Column("positions", JSONB(), nullable=True),
        sa.Column("ledger_posting_id", UUID(as_uuid=True), nullable=True),
        sa.Column("settlement_reference", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("failure_reason", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        _time("create_time", now=True),
        _time("close_time"),
        _time("net_time"),
        _time("settle_time"),
        _time("update_time", now=True),
        sa.PrimaryKeyConstraint("settlement_batch_id", name="pk_settlement_batches"),
    )
    op.create_index(
        "ix_settlement_batches_window_start_time", "settlement_batches", ["window_start_time", "settlement_batch_id"]
    )
    op.create_index(
        "ix_settlement_batches_open", "settlement_batches", ["window_end_time"], postgresql_where=sa.text("state = 1")
    )
    op.create_table(
        "settlement_batch_payments",
        sa.Column("settlement_batch_id", UUID(as_uuid=True), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("participant_bic", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("execute_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.PrimaryKeyConstraint("settlement_batch_id", "payment_id", name="pk_settlement_batch_payments"),
        sa.ForeignKeyConstraint(
            ["settlement_batch_id"],
            ["settlement_batches.settlement_batch_id"],
            name="fk_settlement_batch_payments_batch",
        ),
    )
    # A payment is in at most one batch that has not failed: never settled twice.
    op.create_index(
        "uq_settlement_batch_payments_payment_id",
        "settlement_batch_payments",
        ["payment_id"],
        unique=True,
        postgresql_where=sa.text("active"),
    )


def downgrade() -> None:
    op.drop_table("settlement_batch_payments")
    op.drop_table("settlement_batches")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
