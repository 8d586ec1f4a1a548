"""Alembic environment of the payments service's database."""

from services.payments.models import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
