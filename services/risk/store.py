"""How the risk service keeps its records: one row per decision, its message in `body`, written once per key.

Every decision (screening, AML and fraud assessment, credit assessment, report) is idempotent on a key
(the request id or the payment id): a repeated request answers the stored message, and of two concurrent
ones the first insert wins and the other answers what it stored. Lists page newest first by
(time, id), with the page token of services.risk.common.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from google.protobuf.message import Message
from sqlalchemy import Select, Table, and_, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk.common import decode_token, encode_token
from services.runtime.db import Database
from services.runtime.errors import NotFound

M = TypeVar("M", bound=Message)


async def stored(session: AsyncSession, table: Table, message: type[M], column: str, value: Any) -> M | None:
    """The message of the record whose `column` is `value`, if there is one."""
    body = await session.scalar(select(table.c.body).where(table.c[column] == value))
    return message.FromString(body) if body is not None else None


async def find(database: Database, table: Table, message: type[M], column: str, value: Any) -> M | None:
    async with database.session() as session:
        return await stored(session, table, message, column, value)


async def retrieve(database: Database, table: Table, message: type[M], what: str, record_id: str) -> M:
    """The record with this id, or NOT_FOUND naming it."""
    found = await find(database, table, message, "id", uuid.UUID(record_id))
    if found is None:
        raise NotFound(f"{what} {record_id} not found")
    return found


async def insert_once(session: AsyncSession, table: Table, message: type[M], key: str, values: dict) -> M | None:
    """Insert the record unless one with the same `key` exists: None when inserted, else the existing message."""
    inserted = await session.scalar(insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id))
    return None if inserted is not None else await stored(session, table, message, key, values[key])


def after_token(query: Select, table: Table, time_column: str, page_token: str) -> Select:
    """The query's rows after the page token, newest first by (time, id)."""
    time, id_ = table.c[time_column], table.c.id
    if page_token:
        after_time, after_id = decode_token(page_token, uuid.UUID, timed=True)
        query = query.where(or_(time < after_time, and_(time == after_time, id_ < after_id)))
    return query.order_by(time.desc(), id_.desc())


def next_token(rows: list, size: int, time_column: str) -> str:
    """The token of the page after `rows[:size]`, empty when it was the last page."""
    if len(rows) <= size:
        return ""
    last = rows[size - 1]
    return encode_token(getattr(last, time_column), str(last.id))
