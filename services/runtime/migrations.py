"""Alembic migrations of each service's database, and the DDL of the runtime's own tables.

A service keeps its migrations in `services/<name>/migrations/` (env.py, script.py.mako, versions/);
`python -m services.runtime.migrations init <name> <module:Base>` lays them out. Its env.py is:

    from services.payments.models import Base
    from services.runtime.migrations import run_migrations

    run_migrations(Base.metadata)

Its first revision calls `create_runtime_tables()` (and `drop_runtime_tables()` on downgrade), which
create the outbox and processed-event tables as they were in that version of the runtime: a revision
must always produce the same schema, so a later change to those tables comes as a new helper that a
new revision calls. The tables' current definition is in every `db.declarative_base()` metadata, so
autogenerate compares against it.

Services upgrade at startup (`await upgrade_async(service, url)`), the mesh launcher with
`upgrade(service, url)`; an advisory lock lets several processes of one service start together.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import alembic
import sqlalchemy as sa
import structlog
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from services.runtime.config import ROOT, get_settings

log = structlog.get_logger("migrations")


def migrations_dir(service: str) -> Path:
    return ROOT / "services" / service / "migrations"


def alembic_config(service: str, url: str, *, script_location: Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location or migrations_dir(service)))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["service"] = service
    return config


def run_migrations(target_metadata: sa.MetaData) -> None:
    """The body of a service's env.py: offline (SQL script) or online over the given or a new connection."""
    from alembic import context

    options: dict[str, Any] = {"target_metadata": target_metadata, "compare_type": True}
    if context.is_offline_mode():
        context.configure(
            url=context.config.get_main_option("sqlalchemy.url"),
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
            **options,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
    else:  # the alembic command line: no caller's connection
        url = context.config.get_main_option("sqlalchemy.url")
        assert url is not None, "alembic.ini names the database (sqlalchemy.url)"
        asyncio.run(_with_connection(url, None, run))


async def _with_connection(
    url: str, schema: str | None, work: Callable[[Connection], Any], *, lock: str | None = None
) -> Any:
    connect_args = {"server_settings": {"search_path": schema}} if schema else {}
    engine = create_async_engine(url, poolclass=NullPool, connect_args=connect_args, hide_parameters=True)
    try:
        async with engine.begin() as connection:
            if lock:
                # Several processes of a service may start at once: one migrates, the others find it done.
                await connection.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(lock))))
            if schema:
                await connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


async def run_command(
    service: str,
    url: str,
    action: Callable[[Config], Any],
    *,
    schema: str | None = None,
    script_location: Path | None = None,
) -> Any:
    """Run an Alembic command on one connection, holding the service's migration lock."""
    config = alembic_config(service, url, script_location=script_location)
    script = config.get_main_option("script_location")
    assert script is not None  # alembic_config sets it
    location = Path(script)
    if not (location / "env.py").exists():
        raise FileNotFoundError(
            f"{location} has no env.py: lay it out with `python -m services.runtime.migrations init {service} ...`"
        )

    def work(connection: Connection) -> Any:
        config.attributes["connection"] = connection
        return action(config)

    return await _with_connection(url, schema, work, lock=f"migrate:{service}")


async def upgrade_async(
    service: str,
    url: str,
    *,
    revision: str = "head",
    schema: str | None = None,
    script_location: Path | None = None,
) -> None:
    """Upgrade a service's database to `revision` (from a running event loop, e.g. service startup).

    A database already at a revision this code does not know was migrated by a newer release (a canary, the
    other colour of a blue-green pair): migrations are expand/contract (tools/migrations checks it in CI), so
    this older code keeps serving on that schema instead of failing to start."""

    def upgrade_unless_ahead(config: Config) -> None:
        unknown = unknown_revisions(config)
        if unknown:
            log.warning("migrations.database_ahead", service=service, revisions=sorted(unknown))
            return
        command.upgrade(config, revision)

    await run_command(service, url, upgrade_unless_ahead, schema=schema, script_location=script_location)


def unknown_revisions(config: Config) -> set[str]:
    """The database's current revisions that this code's migrations do not have."""
    connection = config.attributes["connection"]
    current = MigrationContext.configure(connection).get_current_heads()
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    return set(current) - known


def upgrade(service: str, url: str | None = None, **options: Any) -> None:
    """Upgrade a service's database to head (from synchronous code, e.g. the mesh launcher)."""
    asyncio.run(upgrade_async(service, url or get_settings().postgres.url(service), **options))


# The runtime's tables as of version 1. Never edit: add create_runtime_tables_v2 for a change.
def create_runtime_tables() -> None:
    """Create `outbox_events` and `processed_events`; call from a service's first revision."""
    from alembic import op

    unpublished = sa.text("published_at IS NULL")
    op.create_table(
        "outbox_events",
        sa.Column("id", UUID(as_uuid=True), nullable=False),
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("headers", JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_events"),
    )
    op.create_index("ix_outbox_events_unpublished", "outbox_events", ["position"], postgresql_where=unpublished)
    op.create_index(
        "ix_outbox_events_unpublished_key", "outbox_events", ["key", "position"], postgresql_where=unpublished
    )
    op.create_table(
        "processed_events",
        sa.Column("consumer_group", sa.Text(), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("consumer_group", "event_id", name="pk_processed_events"),
    )


def drop_runtime_tables() -> None:
    from alembic import op

    op.drop_table("processed_events")
    op.drop_table("outbox_events")


ENV_PY = '''"""Alembic environment of the {service} service's database."""

{imports}

run_migrations({attribute}.metadata)
'''


def init(service: str, base: str, *, directory: Path | None = None) -> Path:
    """Lay out a service's migrations directory; `base` is the `module:Base` whose metadata it follows."""
    module, attribute = base.split(":")
    target = directory or migrations_dir(service)
    (target / "versions").mkdir(parents=True, exist_ok=True)
    imports = sorted([f"from {module} import {attribute}", "from services.runtime.migrations import run_migrations"])
    (target / "env.py").write_text(ENV_PY.format(service=service, imports="\n".join(imports), attribute=attribute))
    template = Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako"
    shutil.copyfile(template, target / "script.py.mako")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.runtime.migrations", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    for name in ("upgrade", "revision", "current"):
        p = sub.add_parser(name)
        p.add_argument("service")
        p.add_argument("--url", help="database URL (default: the service's database from mesh.toml)")
        if name == "upgrade":
            p.add_argument("--revision", default="head")
        if name == "revision":
            p.add_argument("-m", "--message", required=True)
            p.add_argument("--empty", action="store_true", help="do not autogenerate from the metadata")
    p = sub.add_parser("init")
    p.add_argument("service")
    p.add_argument("base", help="module:Base of the service's declarative base")
    p.add_argument("--directory", type=Path, help="default: services/<service>/migrations")
    args = parser.parse_args(argv)

    if args.action == "init":
        print(init(args.service, args.base, directory=args.directory))
        return
    url = args.url or get_settings().postgres.url(args.service)
    actions: dict[str, Callable[[Config], Any]] = {
        "upgrade": lambda config: command.upgrade(config, args.revision),
        "current": lambda config: command.current(config, verbose=True),
        "revision": lambda config: command.revision(config, message=args.message, autogenerate=not args.empty),
    }
    asyncio.run(run_command(args.service, url, actions[args.action]))


if __name__ == "__main__":
    main()
