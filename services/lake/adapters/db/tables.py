"""The lake database's tables that Alembic owns: the runtime's (outbox, processed events).

The Iceberg SQL catalog's tables (iceberg_tables, iceberg_namespace_properties) live in the same database;
pyiceberg creates and owns them (adapters/catalog.py), so they are not declared here.
"""

from __future__ import annotations

from services.runtime.db import declarative_base

Base = declarative_base()
