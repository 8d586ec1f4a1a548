"""Throwaway databases on the test mesh's PostgreSQL, for tests of migrations."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from services.runtime.config import Settings
from tools.mesh.postgres import SUPERUSER, Postgres


@asynccontextmanager
async def fresh_database(settings: Settings, prefix: str) -> AsyncIterator[str]:
    """A new, empty database owned by the services' role; dropped afterwards.

    Only the superuser (over the server's private Unix socket) may create databases."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(
        host=str(Postgres(settings).socket_dir), port=settings.postgres.port, user=SUPERUSER, database="postgres"
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}" OWNER "{settings.postgres.user}"')
        try:
            yield settings.postgres.url(name)
        finally:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()
