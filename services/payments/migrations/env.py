"""Alembic environment of the payments service's database."""

from services.payments.models import Base
from services.payments.settlement import models as _settlement_models  # noqa: F401 - their tables
from services.payments.webhooks import models as _webhook_models  # noqa: F401 - their tables
from services.runtime.migrations import run_migrations

run_migrations(Base.metadata)
