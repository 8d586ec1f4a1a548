"""The model registry: versions, bias and drift reports, served feature bins.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("model_name", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("drift_baseline", JSONB(), nullable=True),
        sa.Column("create_time", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_versions"),
        sa.UniqueConstraint("model_name", "version", name="uq_model_versions_model_name_version"),
    )
    for table in ("bias_reports", "drift_reports"):
        op.create_table(
            table,
            sa.Column("id", UUID(as_uuid=True), nullable=False),
            sa.Column("model_version_id", UUID(as_uuid=True), nullable=False),
            sa.Column("body", sa.LargeBinary(), nullable=False),
            sa.Column("generate_time", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_model_version_id", table, ["model_version_id"])
    op.create_table(
        "served_feature_bins",
        sa.Column("model_version_id", UUID(as_uuid=True), nullable=False),
        sa.Column("feature_name", sa.Text(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("first_served_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_served_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("model_version_id", "feature_name", "bucket", name="pk_served_feature_bins"),
    )


def downgrade() -> None:
    op.drop_table("served_feature_bins")
    op.drop_table("drift_reports")
    op.drop_table("bias_reports")
    op.drop_table("model_versions")
