"""The analytics database's tables that Alembic owns: the runtime's (outbox, processed events). The aggregates
themselves are kept by the stream processor (RocksDB, restored from its changelog topics), not here."""

from __future__ import annotations

from services.runtime.db import declarative_base

Base = declarative_base()
