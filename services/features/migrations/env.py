"""Alembic environment of the features service's database."""

from services.features.adapters.db.tables import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
