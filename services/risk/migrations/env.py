"""Alembic environment of the risk service's database."""

from services.risk.adapters.db.models import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
