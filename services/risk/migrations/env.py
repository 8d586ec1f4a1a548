"""Alembic environment of the risk service's database."""

from services.risk.models import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
