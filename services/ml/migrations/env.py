"""Alembic environment of the ml service's database."""

from services.ml.models import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
