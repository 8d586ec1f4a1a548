"""Risk: fraud, AML, credit assessments, screenings, reports, AML history, known counterparties, audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from services.risk.models import metadata

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "fraud_assessments", "aml_assessments", "credit_assessments", "screenings", "known_counterparties",
    "aml_transactions", "regulatory_reports", "audit_records",
)  # fmt: skip


def upgrade() -> None:
    # The tables as revision 0002 defines them; a later change to them comes as a new revision.
    metadata.create_all(op.get_bind(), tables=[metadata.tables[name] for name in TABLES])


def downgrade() -> None:
    metadata.drop_all(op.get_bind(), tables=[metadata.tables[name] for name in reversed(TABLES)])
