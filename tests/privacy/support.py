"""Helpers of the privacy tests: the raw bytes the mesh keeps on disk (PostgreSQL's files and WAL, Kafka's log
segments), the logs it writes, and PostgreSQL as its superuser (CHECKPOINT, so pages reach the files)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg

from services.runtime.config import Settings
from tools.mesh.postgres import SUPERUSER


def postgres_dir(settings: Settings) -> Path:
    return settings.state_dir / "postgres" / "data"


def superuser(settings: Settings, sql: str, database: str = "postgres") -> list:
    """Rows of `sql` run as PostgreSQL's superuser over the mesh's local socket."""

    async def run() -> list:
        connection = await asyncpg.connect(host=str(settings.state_dir / "postgres" / "run"),
                                           port=settings.postgres.port, user=SUPERUSER, database=database)  # fmt: skip
        try:
            return list(await connection.fetch(sql))
        finally:
            await connection.close()

    return asyncio.run(run())


def checkpoint(settings: Settings) -> None:
    """Every dirty page written to the table files (and the WAL flushed)."""
    superuser(settings, "CHECKPOINT")


def relation_files(settings: Settings, database: str, table: str) -> list[Path]:
    """A table's files on disk (heap, TOAST, their forks and segments)."""
    rows = superuser(settings, "SELECT pg_relation_filepath(c.oid) AS heap, pg_relation_filepath(c.reltoastrelid) "
                     f"AS toast FROM pg_class c WHERE c.relname = '{table}' AND c.relkind = 'r'", database)  # fmt: skip
    found = []
    for path in (p for row in rows for p in (row["heap"], row["toast"]) if p):
        found.extend(f for f in postgres_dir(settings).glob(f"{path}*") if f.is_file())
    return found


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (path for path in sorted(root.rglob("*")) if path.is_file())


def occurrences(needles: dict[str, bytes], paths: Iterator[Path]) -> dict[str, list[str]]:
    """needle's label -> the files (as given) whose raw bytes contain it."""
    found: dict[str, list[str]] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, PermissionError):
            continue
        for label, needle in needles.items():
            if needle in data:
                found.setdefault(label, []).append(str(path))
    return found


def execute(settings: Settings, database: str, sql: str, **params) -> None:
    """One committed statement on a service's database, as the service's user (tests that set up or move time)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def run() -> None:
        engine = create_async_engine(settings.postgres.url(database))
        try:
            async with engine.begin() as connection:
                await connection.execute(text(sql), params)
        finally:
            await engine.dispose()

    asyncio.run(run())


def table_of(settings: Settings, path: str) -> str:
    """`database.table` (the table whose heap or TOAST a file under base/ is), or the path when it is no table's."""
    parts = Path(path).parts
    if "base" not in parts or len(parts) < parts.index("base") + 3:
        return path
    oid, node = parts[parts.index("base") + 1], parts[parts.index("base") + 2].split("_")[0].split(".")[0]
    database = superuser(settings, f"SELECT datname FROM pg_database WHERE oid = {int(oid)}")
    if not database:
        return path
    name = database[0]["datname"]
    rows = superuser(settings, "SELECT coalesce((SELECT c.relname FROM pg_class c WHERE c.reltoastrelid = r.oid), "
                     f"r.relname) AS relname FROM pg_class r WHERE r.relfilenode = {int(node)}", name)  # fmt: skip
    return f"{name}.{rows[0]['relname']}" if rows else f"{name}:{node}"
