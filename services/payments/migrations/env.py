"""Alembic environment of the payments service's database."""

from services.payments.adapters.db import settlement_models as _settlement_models  # noqa: F401 - their tables
from services.payments.adapters.db import webhook_models as _webhook_models  # noqa: F401 - their tables
from services.payments.adapters.db.models import Base
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
