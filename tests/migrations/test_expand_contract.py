"""Zero-downtime migrations: this release's migrations leave the previous release's code working.

For each service, a fresh database is migrated by this release; the previous release's code (unpacked from
git, its models imported in a process of their own) must find every table and column it maps, with the same
types, and no new NOT NULL column it would leave out of its inserts. A planted contract-phase migration shows
that the check can fail, and older code starting on a newer database keeps serving.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from services.runtime.config import ROOT, Settings
from services.runtime.migrations import migrations_dir, upgrade_async
from tests.databases import fresh_database
from tools.migrations.compat import breaks
from tools.migrations.describe import Schema, describe
from tools.migrations.release import mapped_schema, previous_release, services_with_migrations, unpacked

pytestmark = pytest.mark.mesh("postgres")

SERVICES = sorted(p.parent.parent.name for p in ROOT.glob("services/*/migrations/env.py"))


@pytest.fixture(scope="module")
def release() -> Iterator[Path]:
    with unpacked(previous_release()) as tree:
        yield tree


async def migrated_schema(url: str) -> Schema:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            metadata = sa.MetaData()
            await connection.run_sync(metadata.reflect)
            return describe(metadata)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_the_previous_release_runs_on_this_releases_schema(settings: Settings, release: Path, service: str):
    if service not in services_with_migrations(release):
        pytest.skip(f"{service} is new in this release: no earlier code uses its database")
    previous = mapped_schema(release, service)
    async with fresh_database(settings, f"compat_{service}") as url:
        await upgrade_async(service, url)
        migrated = await migrated_schema(url)
    assert previous, "the previous release maps tables"
    assert breaks(previous, migrated) == []


CONTRACT = '''"""Planted: a contract migration that the previous release does not survive."""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("webhook_endpoints", "description")
    op.alter_column("accounts", "state", new_column_name="account_state")
    op.add_column("payment_events", sa.Column("channel", sa.Text(), nullable=False))
    op.alter_column("settlement_batches", "close_time", nullable=False)
    op.alter_column("ledger_entries", "amount_minor", type_=sa.Numeric())


def downgrade() -> None:
    raise NotImplementedError
'''


async def test_a_contract_migration_that_breaks_the_previous_release_is_refused(settings: Settings, tmp_path: Path):
    from services.payments.adapters.db import settlement_models as _settlement_models  # noqa: F401
    from services.payments.adapters.db import webhook_models as _webhook_models  # noqa: F401
    from services.payments.adapters.db.models import Base

    planted = tmp_path / "migrations"
    shutil.copytree(migrations_dir("payments"), planted)
    head = sorted(p.stem.split("_")[0] for p in planted.glob("versions/[0-9]*.py"))[-1]
    (planted / "versions" / "9999_contract.py").write_text(CONTRACT.format(head=head))
    async with fresh_database(settings, "compat_planted") as url:
        await upgrade_async("payments", url, script_location=planted)
        migrated = await migrated_schema(url)
    found = breaks(describe(Base.metadata), migrated)
    assert found == [
        "accounts.state: dropped or renamed, but the previous release maps it",
        "accounts.account_state: new NOT NULL column without a server default; the previous release's inserts "
        "leave it out (add it nullable or with a default first)",
        "ledger_entries.amount_minor: type changed from BIGINT to NUMERIC",
        "payment_events.channel: new NOT NULL column without a server default; the previous release's inserts "
        "leave it out (add it nullable or with a default first)",
        "settlement_batches.close_time: now NOT NULL, but the previous release may insert it empty",
        "webhook_endpoints.description: dropped or renamed, but the previous release maps it",
    ]


async def test_older_code_starts_on_a_database_a_newer_release_migrated(settings: Settings, tmp_path: Path):
    """A canary's migration ran first; the stable pods restarting must not fail on the unknown revision."""
    async with fresh_database(settings, "compat_ahead") as url:
        await upgrade_async("customer", url)
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                await connection.execute(sa.text("UPDATE alembic_version SET version_num = 'from-a-newer-release'"))
        finally:
            await engine.dispose()
        await upgrade_async("customer", url)  # logs migrations.database_ahead and keeps the schema
        migrated = await migrated_schema(url)
    assert "customers" in migrated
