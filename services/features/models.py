"""The features service's database schema (one database per service; the runtime's tables included)."""

from services.runtime.db import declarative_base

Base = declarative_base()
