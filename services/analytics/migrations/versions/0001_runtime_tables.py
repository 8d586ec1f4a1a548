"""The runtime's tables: the transactional outbox and the consumers' processed-event ids.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from services.runtime.migrations import create_runtime_tables, drop_runtime_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_runtime_tables()


def downgrade() -> None:
    drop_runtime_tables()
