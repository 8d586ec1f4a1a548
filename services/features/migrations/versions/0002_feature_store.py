"""The feature store: append-only feature events, the online table, the pipeline's watermark, erasures.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feature_events",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("entity_type", sa.SmallInteger, nullable=False),
        sa.Column("entity_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=True),
        sa.Column("source_event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=True), nullable=False),
        sa.Column("occur_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency_code", sa.Text, nullable=False),
        sa.Column("counterparty_id", UUID(as_uuid=True), nullable=True),
        sa.Column("ingest_time", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_feature_events"),
        sa.UniqueConstraint(
            "entity_type",
            "entity_id",
            "source_event_id",
            name="uq_feature_events_entity_type_entity_id_source_event_id",
        ),
    )
    op.create_index("ix_feature_events_entity_time", "feature_events", ["entity_type", "entity_id", "occur_time"])
    op.create_index("ix_feature_events_customer_id", "feature_events", ["customer_id"])
    op.create_table(
        "online_features",
        sa.Column("entity_type", sa.SmallInteger, nullable=False),
        sa.Column("entity_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=True),
        sa.Column("payment_count", sa.BigInteger, nullable=False),
        sa.Column("amount_count", sa.BigInteger, nullable=False),
        sa.Column("amount_sum", sa.Numeric, nullable=False),
        sa.Column("amount_sum_squares", sa.Numeric, nullable=False),
        sa.Column("first_occur_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_occur_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("entity_type", "entity_id", name="pk_online_features"),
    )
    op.create_table(
        "pipeline_progress",
        sa.Column("pipeline", sa.Text, nullable=False),
        sa.Column("watermark_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("pipeline", name="pk_pipeline_progress"),
    )
    op.create_table(
        "feature_erasures",
        sa.Column("erasure_request_id", UUID(as_uuid=True), nullable=False),
        sa.Column("entity_type", sa.SmallInteger, nullable=False),
        sa.Column("entity_id", UUID(as_uuid=True), nullable=False),
        sa.Column("online_value_count", sa.BigInteger, nullable=False),
        sa.Column("history_value_count", sa.BigInteger, nullable=False),
        sa.Column("erase_time", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("erasure_request_id", "entity_type", "entity_id", name="pk_feature_erasures"),
    )


def downgrade() -> None:
    for table in ("feature_erasures", "pipeline_progress", "online_features", "feature_events"):
        op.drop_table(table)
