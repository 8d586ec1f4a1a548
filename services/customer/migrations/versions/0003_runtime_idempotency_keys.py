"""The runtime's idempotency keys (services/runtime/idempotency.py) replace the customer service's own.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

The old table was keyed on (method, request_id) and kept the result's id; the runtime's is keyed on
(caller principal, operation, key) and keeps the first outcome. The old rows cannot be carried over:
they do not record which principal made the call, so they are dropped. A retry of a call made before
this revision is processed afresh (duplicates are still refused by the customer's blind indexes and
the one-open-check rule). The downgrade recreates the old table empty, for the same reason.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from services.runtime import idempotency

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("idempotency_keys")  # with its index ix_idempotency_keys_customer_id
    idempotency.create_table()


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.create_table(
        "idempotency_keys",
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("request_id", UUID(as_uuid=True), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=True),
        sa.Column("result_id", sa.Text(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("method", "request_id", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_customer_id", "idempotency_keys", ["customer_id"])
