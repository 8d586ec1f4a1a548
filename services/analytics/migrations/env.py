"""Alembic environment of the analytics service's database."""

from services.analytics.adapters.db.tables import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
