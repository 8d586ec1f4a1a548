"""Migration 0003 (webhooks and settlement): on an empty database it creates exactly what the models say,
and its downgrade removes it again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from services.payments.adapters.db import settlement_models, webhook_models
from services.payments.adapters.db.models import Base
from services.runtime.config import Settings
from services.runtime.migrations import run_command, upgrade_async
from tests.customer.test_migrations import schema_diff
from tests.databases import fresh_database

pytestmark = pytest.mark.mesh("postgres")
OURS = {
    model.__tablename__
    for model in (webhook_models.WebhookEndpointRow, webhook_models.WebhookDeliveryRow,
                  settlement_models.SettlementBatchRow, settlement_models.SettlementBatchPaymentRow)
}  # fmt: skip


def table_of(entry) -> str | None:
    """The table an autogenerate difference is about."""
    if isinstance(entry, list):  # column modifications: (op, schema, table, column, ...)
        return entry[0][2]
    target = entry[1]
    if isinstance(target, sa.Table):
        return target.name
    if hasattr(target, "table"):
        return target.table.name
    return entry[2] if len(entry) > 2 and isinstance(entry[2], str) else None


async def test_revision_0003_creates_what_the_webhook_and_settlement_models_declare(settings: Settings):
    async with fresh_database(settings, "payments_migrations") as url:
        await upgrade_async("payments", url)
        diff, tables, version = await schema_diff(url, Base.metadata)
        assert version == "0003" and tables >= OURS
        assert [entry for entry in diff if table_of(entry) in OURS] == []

        # The comparison sees a difference in our tables that the migration would not have made.
        changed = sa.MetaData(naming_convention=Base.metadata.naming_convention)
        for table in Base.metadata.tables.values():
            table.to_metadata(changed)
        sa.Index("ix_webhook_deliveries_event_type", changed.tables["webhook_deliveries"].c.event_type)
        diff, _, _ = await schema_diff(url, changed)
        assert [entry[0] for entry in diff if table_of(entry) in OURS] == ["add_index"]

        await run_command("payments", url, lambda config: command.downgrade(config, "0002"))
        _, tables, version = await schema_diff(url, Base.metadata)
        assert version == "0002" and not OURS & tables
