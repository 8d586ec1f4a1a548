"""The service database layer and per-service migrations, against the mesh's PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from services.runtime.db import Database, declarative_base
from services.runtime.migrations import run_command, upgrade_async
from tests.runtime.events_support import SAMPLE_MIGRATIONS, database_url, sample_database, unique
from tests.runtime.sample_service.models import Base, Entry

pytestmark = pytest.mark.mesh("postgres")


async def test_ready_when_the_database_answers():
    database = Database(database_url())
    try:
        assert await database.ready()
    finally:
        await database.dispose()


async def test_not_ready_and_fast_when_the_database_is_unreachable():
    database = Database("postgresql+asyncpg://nobody:x@127.0.0.1:1/none", connect_timeout=0.5)
    started = time.monotonic()
    try:
        assert not await database.ready(timeout=1.0)
    finally:
        await database.dispose()
    assert time.monotonic() - started < 2


async def test_transaction_commits_on_success_and_rolls_back_on_error():
    async with sample_database() as database:
        async with database.transaction() as session:
            session.add(Entry(subject="kept", sequence=1))
        with pytest.raises(RuntimeError):
            async with database.transaction() as session:
                session.add(Entry(subject="discarded", sequence=1))
                await session.flush()
                raise RuntimeError("abort")
        async with database.session() as session:
            assert (await session.scalars(select(Entry.subject))).all() == ["kept"]


def test_each_service_has_its_own_metadata_with_the_runtime_tables():
    first, second = declarative_base(), declarative_base()
    assert first.metadata is not second.metadata
    assert {"outbox_events", "processed_events"} <= set(first.metadata.tables)
    assert "sample_entries" not in first.metadata.tables
    assert set(declarative_base(runtime_tables=False).metadata.tables) == set()


async def test_migrations_create_what_the_models_declare():
    async with sample_database() as database, database.engine.connect() as connection:

        def check(sync_connection):
            tables = set(inspect(sync_connection).get_table_names())
            diff = compare_metadata(MigrationContext.configure(sync_connection), Base.metadata)
            return tables, diff

        tables, diff = await connection.run_sync(check)
        version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    assert {"outbox_events", "processed_events", "sample_entries", "alembic_version"} <= tables
    # The frozen DDL of the runtime's tables and the sample's revision match the current models.
    assert diff == []
    assert version == "0001"


async def test_upgrade_is_idempotent_and_safe_when_processes_start_together():
    url = database_url()
    schema = unique("t")

    async def migrate():
        await upgrade_async("sample", url, schema=schema, script_location=SAMPLE_MIGRATIONS)

    try:
        await asyncio.gather(migrate(), migrate(), migrate())
        await migrate()
        database = Database(url, schema=schema)
        async with database.session() as session:
            assert await session.scalar(select(func.count()).select_from(text("alembic_version"))) == 1
        await database.dispose()
        # And a downgrade removes the runtime's tables with the service's.
        await run_command(
            "sample",
            url,
            lambda config: command.downgrade(config, "base"),
            schema=schema,
            script_location=SAMPLE_MIGRATIONS,
        )
        database = Database(url, schema=schema)
        async with database.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        await database.dispose()
        assert tables == {"alembic_version"}
    finally:
        admin = Database(url)
        async with admin.transaction() as session:
            await session.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()
