"""The risk database's migrations: `alembic upgrade head` on an empty database gives what the models say, and
downgrading to base removes it again."""

from __future__ import annotations

import pytest
from alembic import command

from services.risk.adapters.db.models import Base
from services.runtime.config import Settings
from services.runtime.migrations import run_command, upgrade_async
from tests.customer.test_migrations import schema_diff
from tests.databases import fresh_database

pytestmark = pytest.mark.mesh("postgres")


async def test_upgrade_head_on_an_empty_database_has_no_autogenerate_diff_against_the_models(settings: Settings):
    async with fresh_database(settings, "risk_migrations") as url:
        await upgrade_async("risk", url)
        diff, tables, version = await schema_diff(url, Base.metadata)
        assert diff == []
        assert version == "0003" and tables == {*Base.metadata.tables, "alembic_version"}

        await run_command("risk", url, lambda config: command.downgrade(config, "base"))
        _, tables, _ = await schema_diff(url, Base.metadata)
        assert tables == {"alembic_version"}
