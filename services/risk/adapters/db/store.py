"""How the risk service keeps its records: one row per decision, its message in `body`, written once per key.

Every decision (screening, AML and fraud assessment, credit assessment, report) is idempotent on a key
(the request id or the payment id): a repeated request answers the stored message, and of two concurrent
ones the first insert wins and the other answers what it stored. Lists page newest first by (time, id),
with the runtime's signed page tokens (services.runtime.paging).

The statements of the payment path (EvaluateTransactionFraud and EvaluateTransactionAml, called for every
payment) are built once and executed with parameters: building them per call was a visible share of risk's CPU.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from google.protobuf.message import Message
from sqlalchemy import Executable, Row, Select, Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk.app.ports import Page
from services.runtime import paging
from services.runtime.db import Database
from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.validation import Violation

M = TypeVar("M", bound=Message)


@cache
def body_of(table: Table, column: str) -> Select[Any]:
    """The body of the record whose `column` is the parameter `value`."""
    return select(table.c.body).where(table.c[column] == bindparam("value"))


async def read(database: Database, statement: Executable, parameters: Mapping[str, Any]) -> list[Row[Any]]:
    """The rows of one read-only statement, outside a transaction: one statement sees one consistent snapshot
    by itself, and autocommit spares the BEGIN and ROLLBACK round trips a session would add."""
    async with database.engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return list(await connection.execute(statement, parameters))


async def stored(session: AsyncSession, table: Table, message: type[M], column: str, value: Any) -> M | None:
    """The message of the record whose `column` is `value`, if there is one."""
    body = await session.scalar(body_of(table, column), {"value": value})
    return message.FromString(body) if body is not None else None


async def find(database: Database, table: Table, message: type[M], column: str, value: Any) -> M | None:
    rows = await read(database, body_of(table, column), {"value": value})
    return message.FromString(rows[0].body) if rows else None


async def retrieve(database: Database, table: Table, message: type[M], what: str, record_id: str) -> M:
    """The record with this id, or NOT_FOUND naming it."""
    found = await find(database, table, message, "id", uuid.UUID(record_id))
    if found is None:
        raise NotFound(f"{what} {record_id} not found")
    return found


@cache
def _insert_once(table: Table, along: Table | None) -> Executable:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id; with `along`, one statement that also inserts the `along`
    row (parameters prefixed `along_`) only when the record was inserted: a data-modifying CTE, always run."""
    if along is None:
        return insert(table).on_conflict_do_nothing().returning(table.c.id)
    record = insert(table).values({c.key: bindparam(c.key) for c in table.c}).on_conflict_do_nothing()
    inserted = record.returning(table.c.id).cte("inserted")
    values = select(*(bindparam(f"along_{c.key}", type_=c.type) for c in along.c)).select_from(inserted)
    also = insert(along).from_select([c.key for c in along.c], values).on_conflict_do_nothing().cte("along")
    return select(inserted.c.id).add_cte(also)


async def insert_once(
    session: AsyncSession,
    table: Table,
    message: type[M],
    key: str,
    values: dict[str, Any],
    *,
    along: tuple[Table, dict[str, Any]] | None = None,
) -> M | None:
    """Insert the record unless one with the same `key` exists: None when inserted, else the existing message.

    `along` is (table, values) of a row that belongs to the record (ON CONFLICT DO NOTHING too), inserted in the
    same statement when the record is."""
    parameters = dict(values)
    if along is not None:
        parameters |= {f"along_{name}": value for name, value in along[1].items()}
    inserted = await session.scalar(_insert_once(table, along and along[0]), parameters)
    return None if inserted is not None else await stored(session, table, message, key, values[key])


@dataclass(frozen=True)
class Record:
    """A row to insert once (ON CONFLICT DO NOTHING) and the row that belongs to it, if any: (table, values)."""

    table: Table
    values: dict[str, Any]
    along: tuple[Table, dict[str, Any]] | None = None


Shape = tuple[tuple[Table, Table | None], ...]


@cache
def _insert_each(shape: Shape) -> Executable:
    """One statement for several records: each an INSERT ... ON CONFLICT DO NOTHING RETURNING id in a
    data-modifying CTE (parameters prefixed `r<i>_`), with its `along` row (`r<i>_along_`) inserted only when the
    record was; one row of the inserted ids, `id_<i>`, NULL where a record with that key existed."""
    ids, alongs = [], []
    for i, (table, along) in enumerate(shape):
        values = {c.key: bindparam(f"r{i}_{c.key}", type_=c.type) for c in table.c}
        inserted = insert(table).values(values).on_conflict_do_nothing().returning(table.c.id).cte(f"inserted_{i}")
        ids.append(select(inserted.c.id).scalar_subquery().label(f"id_{i}"))
        if along is not None:
            row = select(*(bindparam(f"r{i}_along_{c.key}", type_=c.type) for c in along.c)).select_from(inserted)
            also = insert(along).from_select([c.key for c in along.c], row).on_conflict_do_nothing()
            alongs.append(also.cte(f"along_{i}"))
    return select(*ids).add_cte(*alongs)


async def insert_each(session: AsyncSession, records: Sequence[Record]) -> list[bool]:
    """Insert every record unless one with its key exists, with its `along` row, in one statement: whether each
    was inserted."""
    parameters: dict[str, Any] = {}
    for i, record in enumerate(records):
        parameters |= {f"r{i}_{name}": value for name, value in record.values.items()}
        if record.along is not None:
            parameters |= {f"r{i}_along_{name}": value for name, value in record.along[1].items()}
    shape = tuple((r.table, r.along[0] if r.along is not None else None) for r in records)
    row = (await session.execute(_insert_each(shape), parameters)).one()
    return [inserted is not None for inserted in row]


async def keyset_page(
    database: Database, query: Select[Any], order: tuple[Any, Any], page: Page, key: bytes, **options: Any
) -> tuple[Sequence[Any], str]:
    """One page of `query` (entities) in `order` (time, id) and the next page's signed token, bound to the request's
    filters and caller (services.runtime.paging). A token this list did not issue is INVALID_ARGUMENT naming the
    field, never a crash."""
    fingerprint = paging.request_fingerprint(page.request, page.caller)
    try:
        async with database.session() as session:
            return await paging.keyset_page(session, query, order, page.request, key, fingerprint, **options)
    except InvalidArgument as error:
        error.violations.append(Violation("page_token", error.message))
        raise
