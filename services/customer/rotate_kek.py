"""KEK rotation: re-wrap every customer's data key under the active key-encryption key.

Only the wrapped data keys change; the sealed personal data (database, events, backups) is not
touched, so rotation is cheap and every copy stays readable. Each wrapped key records the id of the
KEK that wraps it (`customer_data_keys.kek_id`, also bound into the wrapping as associated data).

1. Make the new KEK active and keep the old one able to unwrap. In a cluster: set
   FINTECH_CUSTOMER__KEK_ID / __KEK to the new KEK and append the old one to __RETIRED_KEKS. Locally:
   `python -m services.customer.rotate_kek add-kek`. Then restart the customer service: new data keys
   are wrapped by the new KEK from then on, old ones still open.
2. `python -m services.customer.rotate_kek rewrap` re-wraps every data key not wrapped by the active
   KEK, a batch per transaction. It only ever picks keys not yet re-wrapped, so an interrupted run
   resumes where it stopped and a second run finds nothing to do. Exit 1 if a key cannot be unwrapped.
3. `python -m services.customer.rotate_kek status` counts the data keys per KEK. Once the old KEK wraps
   none, remove it (from __RETIRED_KEKS, or locally `drop-kek OLD_ID`, which refuses while any key
   still uses it) and restart the service.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import structlog
import typer
from sqlalchemy import func, select, tuple_

from services.customer.adapters.crypto import key_id
from services.customer.adapters.db.models import DataKeyRow
from services.customer.config import KeysFromEnvironment, add_local_kek, drop_local_kek, load_keys
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.envelope_encryption import CorruptValue, KeyUnavailable, KeyWrapper, WrappedKey
from services.runtime.observability import safe_error

T = TypeVar("T")
log = structlog.get_logger("customer.rotate_kek")
app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.split("\n")[0])


@dataclass
class RewrapReport:
    rewrapped: int = 0
    batches: int = 0
    failed: list[str] = field(default_factory=list)  # ids of data keys that could not be unwrapped


async def rewrap_data_keys(
    database: Database, wrapper: KeyWrapper, *, batch_size: int = 500, max_batches: int | None = None
) -> RewrapReport:
    """Re-wrap, under the active KEK, every data key wrapped by another one; a batch per transaction."""
    report = RewrapReport()
    # Keyset position: a key that fails stays behind it, so a run always ends instead of retrying it.
    after: tuple[uuid.UUID, int] | None = None
    while max_batches is None or report.batches < max_batches:
        async with database.transaction() as session:
            query = select(DataKeyRow).where(DataKeyRow.kek_id != wrapper.active_kek_id)
            if after is not None:
                query = query.where(tuple_(DataKeyRow.customer_id, DataKeyRow.version) > after)
            # Locked until the batch commits: an erasure waits for it, or it waits for the erasure.
            query = query.order_by(DataKeyRow.customer_id, DataKeyRow.version).limit(batch_size).with_for_update()
            rows = (await session.scalars(query)).all()
            if not rows:
                break
            now = datetime.now(UTC)
            for row in rows:
                wrapped = WrappedKey(key_id(str(row.customer_id), row.version), row.kek_id, row.wrapped_key)
                try:
                    rewrapped = wrapper.rewrap(wrapped)
                except (KeyUnavailable, CorruptValue) as error:
                    report.failed.append(wrapped.key_id)
                    log.error("kek.rewrap_failed", key_id=wrapped.key_id, kek_id=row.kek_id, error=safe_error(error))
                    continue
                row.kek_id, row.wrapped_key, row.rewrap_time = rewrapped.kek_id, rewrapped.blob, now
                report.rewrapped += 1
            after = (rows[-1].customer_id, rows[-1].version)
        report.batches += 1
        log.info("kek.rewrap_batch", batch=report.batches, rewrapped=report.rewrapped, failed=len(report.failed))
    return report


async def keys_per_kek(database: Database) -> dict[str, int]:
    async with database.session() as session:
        rows = await session.execute(select(DataKeyRow.kek_id, func.count()).group_by(DataKeyRow.kek_id))
        return {kek_id: count for kek_id, count in rows}


async def _with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    database = Database.for_service("customer", get_settings(), application_name="customer-rotate-kek")
    try:
        return await work(database)
    finally:
        await database.dispose()


@app.command()
def rewrap(
    batch_size: Annotated[int, typer.Option(min=1, help="data keys per transaction")] = 500,
    max_batches: Annotated[int | None, typer.Option(min=1, help="stop after this many batches")] = None,
) -> None:
    """Re-wrap every data key not wrapped by the active KEK (resumable, idempotent)."""
    wrapper = KeyWrapper(load_keys(get_settings()))
    report = asyncio.run(
        _with_database(lambda db: rewrap_data_keys(db, wrapper, batch_size=batch_size, max_batches=max_batches))
    )
    typer.echo(f"re-wrapped {report.rewrapped} data keys under {wrapper.active_kek_id} in {report.batches} batches")
    if report.failed:
        typer.echo(f"{len(report.failed)} could not be unwrapped: {', '.join(report.failed[:20])}", err=True)
        raise typer.Exit(1)


@app.command()
def status() -> None:
    """How many data keys each KEK wraps; the active KEK is marked."""
    active = load_keys(get_settings()).active_kek_id
    counts = asyncio.run(_with_database(keys_per_kek))
    for kek, count in sorted((counts | {active: counts.get(active, 0)}).items()):
        typer.echo(f"{kek}\t{count}" + ("\t(active)" if kek == active else ""))


@app.command("add-kek")
def add_kek(kek_id: Annotated[str, typer.Option(help="default: local-kek-<n>")] = "") -> None:
    """Local key file only: generate a new KEK and make it the active one (restart the service after)."""
    try:
        typer.echo(add_local_kek(get_settings(), kek_id))
    except (KeysFromEnvironment, ValueError) as error:
        raise typer.BadParameter(str(error)) from None


@app.command("drop-kek")
def drop_kek(kek_id: str) -> None:
    """Local key file only: remove a KEK once no data key is wrapped by it."""
    if kek_id == load_keys(get_settings()).active_kek_id:
        raise typer.BadParameter(f"{kek_id} is the active KEK")
    left = asyncio.run(_with_database(keys_per_kek)).get(kek_id, 0)
    if left:
        typer.echo(f"{left} data keys are still wrapped by {kek_id}: run `rewrap` first", err=True)
        raise typer.Exit(1)
    try:
        drop_local_kek(get_settings(), kek_id)
    except (KeysFromEnvironment, ValueError) as error:
        raise typer.BadParameter(str(error)) from None
    typer.echo(f"dropped {kek_id}")


if __name__ == "__main__":
    app()
