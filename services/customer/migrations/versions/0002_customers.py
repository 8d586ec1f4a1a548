"""Customers with sealed PII, data keys, KYC checks, idempotency keys, payment activity.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Frozen DDL: this revision always creates the same schema, whatever services/customer/models.py
says later; a change to the models comes as a new revision (tests/customer/test_migrations.py
checks that head matches the models).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The customer's sealed PII columns (serialized SealedValues), NULL when unset or erased.
SEALED_COLUMNS = (
    "given_names", "family_name", "birth_family_name", "date_of_birth", "place_of_birth", "country_of_birth",
    "nationality", "additional_nationalities", "residential_address", "identity_document", "email", "phone_number",
    "postal_address",
)  # fmt: skip


def _now(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _default(name: str, type_: sa.types.TypeEngine[Any], value: str) -> sa.Column[Any]:
    return sa.Column(name, type_, server_default=sa.text(value), nullable=False)


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_number", sa.Text(), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("branch_id", UUID(as_uuid=True), nullable=False),
        _default("onboarding_channel", sa.Integer(), "0"),
        _default("version", sa.Integer(), "1"),
        _default("event_sequence", sa.BigInteger(), "0"),
        *(sa.Column(name, sa.LargeBinary(), nullable=True) for name in SEALED_COLUMNS),
        sa.Column("preferences", sa.LargeBinary(), nullable=True),
        _default("profile_version", sa.Integer(), "1"),
        _now("profile_update_time"),
        sa.Column("document_index", sa.Text(), nullable=True),
        sa.Column("name_birth_index", sa.Text(), nullable=True),
        sa.Column("latest_kyc_check_id", UUID(as_uuid=True), nullable=True),
        sa.Column("state_kyc_check_id", UUID(as_uuid=True), nullable=True),
        _default("registered_by", sa.Text(), "''"),
        _default("identity_changed_by", sa.Text(), "''"),
        sa.Column("verify_time", sa.DateTime(timezone=True), nullable=True),
        _now("state_change_time"),
        _now("create_time"),
        _now("update_time"),
        sa.Column("erase_time", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", name="pk_customers"),
        sa.UniqueConstraint("customer_number", name="uq_customers_customer_number"),
    )
    for column in ("branch_id", "document_index", "name_birth_index"):
        op.create_index(f"ix_customers_{column}", "customers", [column])
    op.create_index("ix_customers_create_time_customer_id", "customers", ["create_time", "customer_id"])

    op.create_table(
        "customer_data_keys",
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kek_id", sa.Text(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        _now("create_time"),
        sa.Column("rewrap_time", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name="fk_customer_data_keys_customer_id_customers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "version", name="pk_customer_data_keys"),
    )
    op.create_index("ix_customer_data_keys_kek_id", "customer_data_keys", ["kek_id"])

    op.create_table(
        "kyc_checks",
        sa.Column("kyc_check_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        _default("version", sa.Integer(), "1"),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        _now("create_time"),
        sa.PrimaryKeyConstraint("kyc_check_id", name="pk_kyc_checks"),
    )
    op.create_index("ix_kyc_checks_customer_id", "kyc_checks", ["customer_id"])
    op.create_index("ix_kyc_checks_state", "kyc_checks", ["state"])

    op.create_table(
        "idempotency_keys",
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("request_id", UUID(as_uuid=True), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=True),
        sa.Column("result_id", sa.Text(), nullable=False),
        _now("create_time"),
        sa.PrimaryKeyConstraint("method", "request_id", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_customer_id", "idempotency_keys", ["customer_id"])

    op.create_table(
        "payment_activity",
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency_code", sa.Text(), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("counterparty_key", sa.Text(), nullable=False),
        _default("counterparty_account_id", sa.Text(), "''"),
        _default("masked_account_identifier", sa.Text(), "''"),
        sa.Column("initiate_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("execute_time", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("payment_id", name="pk_payment_activity"),
    )
    op.create_index("ix_payment_activity_customer_id", "payment_activity", ["customer_id"])


def downgrade() -> None:
    for table in ("payment_activity", "idempotency_keys", "kyc_checks", "customer_data_keys", "customers"):
        op.drop_table(table)  # drops the table's indexes and constraints with it
