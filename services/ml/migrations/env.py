"""Alembic environment of the ml service's database."""

from services.ml.adapters.db.tables import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
