"""Risk: screened parties sealed under per-customer data keys; the keys, with when they may be shredded.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

`screenings.sealed_party` holds the party (name, aliases, birth date, nationality) as a SealedValue; `body`
keeps the screening without them. Rows written before this revision have no `sealed_party` and their party in
`body`: the risk service seals them in batches when it starts (services/risk/adapters/db/screenings.py `seal_legacy`).
Frozen DDL, as every revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("screenings", sa.Column("sealed_party", sa.LargeBinary(), nullable=True))
    op.create_table(
        "risk_data_keys",
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kek_id", sa.Text(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("erase_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shred_after", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", "version", name="pk_risk_data_keys"),
    )
    op.create_index(
        "ix_risk_data_keys_shred_after",
        "risk_data_keys",
        ["shred_after"],
        postgresql_where=sa.text("shred_after IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_risk_data_keys_shred_after", table_name="risk_data_keys")
    op.drop_table("risk_data_keys")
    op.drop_column("screenings", "sealed_party")
