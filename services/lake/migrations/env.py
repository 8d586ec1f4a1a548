"""Alembic environment of the lake service's database."""

from services.lake.adapters.db.tables import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
