"""Alembic environment of the customer service's database."""

from services.customer.adapters.db.models import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
