"""Accounts and the double-entry ledger, the payment event store, the payment history read model,
idempotency keys and the data keys that seal personal data in payment events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now() -> sa.sql.functions.now:
    return sa.func.now()


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("account_type", sa.Integer(), nullable=False),
        sa.Column("currency_code", sa.Text(), nullable=False),
        sa.Column("overdraft_limit_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("state_reason", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("state_note", sa.LargeBinary(), nullable=True),
        sa.Column("balance_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("reserved_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_entry_sequence", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("open_time", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("close_time", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name="pk_accounts"),
        sa.CheckConstraint("overdraft_limit_minor >= 0", name="overdraft_limit_not_negative"),
        sa.CheckConstraint("reserved_minor >= 0", name="reserved_not_negative"),
    )
    op.create_index("ix_accounts_customer_id_open_time", "accounts", ["customer_id", "open_time", "account_id"])

    op.create_table(
        "ledger_postings",
        sa.Column("ledger_posting_id", UUID(as_uuid=True), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=True),
        sa.Column("settlement_batch_id", UUID(as_uuid=True), nullable=True),
        sa.Column("currency_code", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("booking_time", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("ledger_posting_id", name="pk_ledger_postings"),
    )
    op.create_index(
        "uq_ledger_postings_payment_id", "ledger_postings", ["payment_id"], unique=True,
        postgresql_where=sa.text("payment_id IS NOT NULL"),
    )  # fmt: skip
    op.create_index("ix_ledger_postings_settlement_batch_id", "ledger_postings", ["settlement_batch_id"])

    op.create_table(
        "ledger_entries",
        sa.Column("ledger_entry_id", UUID(as_uuid=True), nullable=False),
        sa.Column("ledger_posting_id", UUID(as_uuid=True), nullable=False),
        sa.Column("account_id", UUID(as_uuid=True), nullable=False),
        sa.Column("entry_sequence", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency_code", sa.Text(), nullable=False),
        sa.Column("balance_after_minor", sa.BigInteger(), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=True),
        sa.Column("booking_time", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.PrimaryKeyConstraint("ledger_entry_id", name="pk_ledger_entries"),
        sa.ForeignKeyConstraint(
            ["ledger_posting_id"],
            ["ledger_postings.ledger_posting_id"],
            name="fk_ledger_entries_ledger_posting_id_ledger_postings",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], name="fk_ledger_entries_account_id_accounts"),
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        sa.CheckConstraint("direction IN (1, 2)", name="direction_defined"),
    )
    op.create_index("ix_ledger_entries_ledger_posting_id", "ledger_entries", ["ledger_posting_id"])
    op.create_index(
        "uq_ledger_entries_account_id_entry_sequence", "ledger_entries", ["account_id", "entry_sequence"], unique=True
    )

    op.create_table(
        "payment_events",
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("occur_time", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", "version", name="pk_payment_events"),
        sa.UniqueConstraint("position", name="uq_payment_events_position"),
        sa.UniqueConstraint("event_id", name="uq_payment_events_event_id"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    op.create_table(
        "payment_history",
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("debtor_account_id", UUID(as_uuid=True), nullable=False),
        sa.Column("creditor_account_id", UUID(as_uuid=True), nullable=True),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("settlement_batch_id", UUID(as_uuid=True), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payment", sa.LargeBinary(), nullable=False),
        sa.Column("sealed", JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name="pk_payment_history"),
    )
    for column in ("customer_id", "debtor_account_id", "creditor_account_id", "state"):
        op.create_index(
            f"ix_payment_history_{column}_create_time", "payment_history", [column, "create_time", "payment_id"]
        )

    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.Text(), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("resource_id", UUID(as_uuid=True), nullable=True),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.LargeBinary(), nullable=True),
        sa.Column("complete_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("create_time", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "operation", "idempotency_key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_create_time", "idempotency_keys", ["create_time"])

    op.create_table(
        "payment_data_keys",
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kek_id", sa.Text(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "version", name="pk_payment_data_keys"),
    )


def downgrade() -> None:
    for table in ("payment_data_keys", "idempotency_keys", "payment_history", "payment_events", "ledger_entries",
                  "ledger_postings", "accounts"):  # fmt: skip
        op.drop_table(table)
