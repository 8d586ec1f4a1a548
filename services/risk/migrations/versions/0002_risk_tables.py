"""Risk: fraud, AML, credit assessments, screenings, reports, AML history, known counterparties, audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Frozen DDL: this revision always creates the same schema, whatever services/risk/adapters/db/models.py says later; a
change to the models comes as a new revision (tests/risk/test_migrations.py checks that head matches the models).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "fraud_assessments", "aml_assessments", "credit_assessments", "screenings", "known_counterparties",
    "aml_transactions", "regulatory_reports", "audit_records",
)  # fmt: skip


def _text(*names: str) -> list[sa.Column[Any]]:
    return [sa.Column(name, sa.Text(), nullable=False) for name in names]


def _assessment(name: str, key: str, *extra: sa.Column[Any]) -> None:
    """A stored decision: its message in `body`, written once per `key`."""
    op.create_table(
        name,
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column(key, UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=True),
        sa.Column("decision", sa.SmallInteger(), nullable=False),
        sa.Column("evaluate_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        *extra,
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.UniqueConstraint(key, name=f"uq_{name}_{key}"),
    )
    op.create_index(f"ix_{name}_evaluate_time", name, ["evaluate_time"])


def upgrade() -> None:
    _assessment("fraud_assessments", "payment_id")
    _assessment("aml_assessments", "payment_id")
    _assessment("credit_assessments", "request_id", sa.Column("fingerprint", sa.Text(), nullable=False))
    _assessment("screenings", "request_id")

    op.create_table(
        "known_counterparties",
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("counterparty_key", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "counterparty_key", name="pk_known_counterparties"),
    )

    op.create_table(
        "aml_transactions",
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("account_id", UUID(as_uuid=True), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("transaction_type", sa.SmallInteger(), nullable=False),
        sa.Column("direction", sa.SmallInteger(), nullable=False),
        sa.Column("transaction_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name="pk_aml_transactions"),
    )
    op.create_index("ix_aml_transactions_account_time", "aml_transactions", ["account_id", "transaction_time"])

    op.create_table(
        "regulatory_reports",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("request_id", UUID(as_uuid=True), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_regulatory_reports"),
        sa.UniqueConstraint("request_id", name="uq_regulatory_reports_request_id"),
    )

    op.create_table(
        "audit_records",
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        *_text("actor"),
        sa.Column("actor_type", sa.SmallInteger(), nullable=False),
        *_text("action", "resource_type", "subject", "customer_id"),
        sa.Column("outcome", sa.SmallInteger(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        *_text("request_id", "trace_id", "recorder"),
        sa.Column("occur_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", JSONB(), nullable=False),
        sa.Column("record_hash", sa.LargeBinary(), nullable=False),
        sa.Column("previous_record_hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_audit_records"),
        sa.UniqueConstraint("id", name="uq_audit_records_id"),
    )
    op.create_index("ix_audit_records_occur_time", "audit_records", ["occur_time"])
    op.create_index("ix_audit_records_subject", "audit_records", ["subject"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)  # drops the table's indexes and constraints with it
