"""Indexes for the online store's resync: the rows changed and the entities erased since a time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_online_features_update_time", "online_features", ["update_time"])
    op.create_index("ix_feature_erasures_erase_time", "feature_erasures", ["erase_time"])


def downgrade() -> None:
    op.drop_index("ix_feature_erasures_erase_time", "feature_erasures")
    op.drop_index("ix_online_features_update_time", "online_features")
