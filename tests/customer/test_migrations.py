"""The customer database's migrations: `alembic upgrade head` on an empty database gives what the models say."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from services.customer.adapters.db.models import Base
from services.runtime.config import Settings
from services.runtime.migrations import run_command, upgrade_async
from tests.databases import fresh_database

pytestmark = pytest.mark.mesh("postgres")


async def schema_diff(url: str, metadata: sa.MetaData) -> tuple[list, set[str], str | None]:
    """Autogenerate's differences between the database and `metadata`, its tables and its Alembic revision."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:

            def inspect(sync_connection) -> tuple[list, set[str]]:
                context = MigrationContext.configure(
                    sync_connection, opts={"compare_type": True, "compare_server_default": True}
                )
                return compare_metadata(context, metadata), set(sa.inspect(sync_connection).get_table_names())

            diff, tables = await connection.run_sync(inspect)
            version = None
            if "alembic_version" in tables:
                version = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
            return diff, tables, version
    finally:
        await engine.dispose()


async def test_upgrade_head_on_an_empty_database_has_no_autogenerate_diff_against_the_models(settings: Settings):
    async with fresh_database(settings, "customer_migrations") as url:
        diff, tables, _ = await schema_diff(url, Base.metadata)
        assert tables == set() and len(diff) > 5  # empty: every table of the models is missing

        await upgrade_async("customer", url)
        diff, tables, version = await schema_diff(url, Base.metadata)
        assert diff == []
        assert version == "0003" and tables == {*Base.metadata.tables, "alembic_version"}

        # The comparison sees a difference the migrations would not have made.
        changed = sa.MetaData(naming_convention=Base.metadata.naming_convention)
        for table in Base.metadata.tables.values():
            table.to_metadata(changed)
        sa.Index("ix_customers_erase_time", changed.tables["customers"].c.erase_time)
        diff, _, _ = await schema_diff(url, changed)
        assert [entry[0] for entry in diff] == ["add_index"]

        await run_command("customer", url, lambda config: command.downgrade(config, "base"))
        _, tables, _ = await schema_diff(url, Base.metadata)
        assert tables == {"alembic_version"}
