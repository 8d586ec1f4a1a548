"""Alembic environment of the sample service's database."""

from services.runtime.migrations import run_migrations
from tests.runtime.sample_service.models import Base

run_migrations(Base.metadata)
