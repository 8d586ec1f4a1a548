"""A service's PostgreSQL database: async engine, sessions, declarative base and the runtime's own tables.

Every service owns one database (`settings.postgres.url(service)`) and one `MetaData`; the runtime's
tables (the transactional outbox and the consumers' processed-event ids) live in each service's
database, so a state change, its events and the ids of the events it consumed commit together.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from services.runtime.config import Settings, get_settings

# Deterministic constraint names, so Alembic can later alter or drop what it created.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _runtime_tables(metadata: MetaData) -> tuple[Table, Table]:
    outbox = Table(
        "outbox_events",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),  # the envelope's event_id
        # Insertion order: created_at is the transaction's start time, equal for every event of it.
        Column("position", BigInteger, Identity(always=True), nullable=False),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),  # the envelope's subject (aggregate id): the record key
        Column("event_type", Text, nullable=False),
        Column("payload", LargeBinary, nullable=False),  # the serialized EventEnvelope
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        # What the relay scans: unpublished rows in order, and per aggregate.
        Index("ix_outbox_events_unpublished", "position", postgresql_where=text("published_at IS NULL")),
        Index(
            "ix_outbox_events_unpublished_key",
            "key",
            "position",
            postgresql_where=text("published_at IS NULL"),
        ),
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("consumer_group", Text, primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    return outbox, processed


RUNTIME_METADATA = MetaData(naming_convention=NAMING_CONVENTION)
outbox_events, processed_events = _runtime_tables(RUNTIME_METADATA)


def attach_runtime_tables(metadata: MetaData) -> None:
    """Add the runtime's tables to a service's metadata, so Alembic autogenerate sees them."""
    for table in RUNTIME_METADATA.tables.values():
        if table.key not in metadata.tables:
            table.to_metadata(metadata)


def declarative_base(*, runtime_tables: bool = True) -> type[DeclarativeBase]:
    """A new declarative base with its own metadata: one per service."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    if runtime_tables:
        attach_runtime_tables(metadata)
    return type("Base", (DeclarativeBase,), {"metadata": metadata, "__abstract__": True})


OUTBOX_WRITTEN = "outbox.written"  # session.info: the transaction added outbox rows (see Database.transaction)

# Read at scrape time from the pool itself (no bookkeeping per checkout): tools/observability/rules.py alerts
# when a service holds nearly all of its connections, so calls queue for one.
POOL_CHECKED_OUT = Gauge("db_pool_connections_checked_out", "Database connections in use, by database.", ["database"])
POOL_CAPACITY = Gauge(
    "db_pool_connections_max", "Database connections the pool may hold (size + overflow), by database.", ["database"]
)


class Database:
    """One service's database: a pooled asyncpg engine and its sessions."""

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        application_name: str = "fintech",
        pool_size: int = 5,
        max_overflow: int = 10,
        pool_timeout: float = 10.0,
        pool_recycle: float = 1800.0,
        connect_timeout: float = 5.0,
        echo: bool = False,
        **engine_options: Any,
    ) -> None:
        server_settings = {"application_name": application_name}
        if schema:
            # Tests isolate themselves in a schema; services use their database's public schema.
            server_settings["search_path"] = schema
        self.url = url
        self.schema = schema
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
            pool_recycle=pool_recycle,
            # No ping per checkout (a round trip per transaction): a connection the server dropped (restart,
            # failover) fails its statement, which SQLAlchemy sees as a disconnect and so replaces every
            # pooled connection older than it; the call answers UNAVAILABLE (call_pipeline) and is retried.
            pool_pre_ping=False,
            # An error's text never carries a statement's bound values (personal data) into logs and headers.
            hide_parameters=True,
            echo=echo,
            connect_args={"timeout": connect_timeout, "server_settings": server_settings},
            **engine_options,
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        pool = self.engine.pool
        if hasattr(pool, "checkedout"):  # a NullPool (no pooling) has nothing to saturate
            database = url.rsplit("/", 1)[-1]
            POOL_CHECKED_OUT.labels(database).set_function(pool.checkedout)
            POOL_CAPACITY.labels(database).set(pool_size + max_overflow)
        # Set when a `transaction()` that wrote outbox rows has committed: wakes this process's relay at
        # once instead of at its next poll (rows committed elsewhere wait for the poll).
        self.outbox_committed = asyncio.Event()

    @classmethod
    def for_service(cls, service: str, settings: Settings | None = None, **options: Any) -> Database:
        settings = settings or get_settings()
        options.setdefault("application_name", service)
        options.setdefault("pool_size", settings.postgres.pool_size)
        options.setdefault("max_overflow", settings.postgres.max_overflow)
        return cls(settings.postgres.url(service), **options)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits (or uses `session.begin()`)."""
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on an exception."""
        async with self.sessionmaker.begin() as session:
            yield session
        if session.info.pop(OUTBOX_WRITTEN, False):
            self.outbox_committed.set()

    async def ready(self, timeout: float = 1.0) -> bool:
        """Whether the database answers a trivial query within `timeout` seconds (for health checks)."""
        try:
            async with asyncio.timeout(timeout), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
