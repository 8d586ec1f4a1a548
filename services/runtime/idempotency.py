"""Idempotency keys, one design for every service: the first outcome of a call, per (caller principal,
operation, key), replayed (AIP-155). A service that takes keys adds the table to its metadata
(`attach(Base.metadata)`) and creates it in a migration (`create_table()`).

    stored = await idempotency.claim(database, scope, request_hash)   # None: this call does the work
    ...   # in the transaction that records the result:
    await idempotency.complete(session, scope, response=...)          # or error=DomainError

A key is claimed by inserting a pending row (the primary key makes one caller the winner). A retry
with another request hash is refused (IDEMPOTENCY_KEY_REUSED); a retry of a completed call gets the
stored response or error; a retry while the first call still runs waits for its outcome. A call
that ends with a transient error before its resource was recorded releases the key (`release`), so
its retry is processed afresh.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from fintech.common.v1.error_reason_pb2 import ErrorReason
from google.protobuf.message import Message
from google.rpc import status_pb2
from sqlalchemy import (
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    Table,
    Text,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.runtime.call_pipeline import remaining_timeout
from services.runtime.db import NAMING_CONVENTION, Database
from services.runtime.errors import DeadlineExceeded, DomainError, FailedPrecondition, Replayed

POLL_SECONDS = 0.01
# A pending claim this old belongs to a call that died; its key may be taken over.
ABANDONED_AFTER = timedelta(seconds=60)
WAIT_SECONDS = 10.0
T = TypeVar("T")


def _columns() -> list[Column[Any]]:
    """The table's columns, made afresh for each table that holds them (a Column belongs to one table)."""
    return [
        Column("principal", Text, primary_key=True),  # the caller: a key is only ever the same caller's
        Column("operation", Text, primary_key=True),  # e.g. "InitiatePayment"
        Column("idempotency_key", Text, primary_key=True),
        Column("request_hash", Text, nullable=False),
        Column("resource_id", UUID(as_uuid=True)),  # the call's resource once recorded
        Column("response", LargeBinary),  # the serialized response message
        Column("error", LargeBinary),  # the serialized google.rpc.Status
        Column("complete_time", DateTime(timezone=True)),
        Column("create_time", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


KEYS = Table(
    "idempotency_keys",
    MetaData(naming_convention=NAMING_CONVENTION),
    *_columns(),
    Index("ix_idempotency_keys_create_time", "create_time"),
)


def attach(metadata: MetaData) -> Table:
    """The idempotency table in a service's metadata (so Alembic autogenerate compares it)."""
    return metadata.tables.get(KEYS.key) or KEYS.to_metadata(metadata)


def create_table() -> None:
    """Create `idempotency_keys`; call from a migration of a service that takes keys."""
    from alembic import op

    op.create_table(KEYS.name, *_columns())
    op.create_index("ix_idempotency_keys_create_time", KEYS.name, ["create_time"])


# Built once (the hot path runs them per payment): the key's row, matched by the scope's parameters.
_KEY = (
    (KEYS.c.principal == bindparam("scope_principal"))
    & (KEYS.c.operation == bindparam("scope_operation"))
    & (KEYS.c.idempotency_key == bindparam("scope_key"))
)
_CLAIM = insert(KEYS).on_conflict_do_nothing().returning(KEYS.c.principal)
_READ = select(KEYS).where(_KEY)
_UPDATE = update(KEYS).where(_KEY)  # SET: the columns in the parameters
_DELETE = delete(KEYS).where(_KEY)


@dataclass(frozen=True)
class Scope:
    principal: str
    operation: str
    key: str

    def params(self) -> dict[str, str]:
        return {"scope_principal": self.principal, "scope_operation": self.operation, "scope_key": self.key}


@dataclass(frozen=True)
class Stored:
    """A previous call's outcome: a serialized response, an error, or only its recorded resource."""

    response: bytes | None = None
    error: bytes | None = None
    resource_id: uuid.UUID | None = None

    def raise_error(self) -> None:
        if self.error is not None:
            raise Replayed(status_pb2.Status.FromString(self.error))


def request_hash(request: Message, *, ignore: tuple[str, ...] = ()) -> str:
    """A hash of the request's parameters (without the fields in `ignore`)."""
    copy = type(request)()
    copy.CopyFrom(request)
    for name in ignore:
        copy.ClearField(name)
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()


def error_status(error: DomainError, domain: str) -> bytes:
    """The google.rpc.Status a DomainError is answered with, serialized for storage."""
    stored: bytes = error.rpc_status(domain).SerializeToString()  # google.rpc ships no types
    return stored


def _reused(scope: Scope) -> FailedPrecondition:
    return FailedPrecondition(
        "the idempotency key was used with other parameters",
        reason=ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
        metadata={"idempotency_key": scope.key},
    )


async def claim(database: Database, scope: Scope, digest: str) -> Stored | None:
    """None when this call owns the key; else the previous call's outcome (after waiting for it)."""
    return (await claim_and_read(database, scope, digest, None))[0]


async def claim_and_read(
    database: Database, scope: Scope, digest: str, read: Callable[[AsyncSession], Awaitable[T]] | None
) -> tuple[Stored | None, T | None]:
    """`claim`, and when this call owns the key, `read(session)` in the claiming transaction (one
    transaction fewer for a call that needs a read first). `read` must not raise what is the call's outcome:
    the claim rolls back with it."""
    deadline = time.monotonic() + remaining_timeout(WAIT_SECONDS)
    values = {"principal": scope.principal, "operation": scope.operation, "idempotency_key": scope.key,
              "request_hash": digest}  # fmt: skip
    while True:
        async with database.transaction() as session:
            if await session.scalar(_CLAIM, values) is not None:
                return None, (await read(session) if read is not None else None)
            row = (await session.execute(_READ, scope.params())).one_or_none()
            if row is None:
                continue  # released meanwhile: try to claim again
            if row.request_hash != digest:
                raise _reused(scope)
            if row.complete_time is not None:
                return Stored(row.response, row.error, row.resource_id), None
            abandoned = row.create_time < datetime.now(UTC) - ABANDONED_AFTER
            if abandoned and row.resource_id is not None:
                return Stored(resource_id=row.resource_id), None
            if abandoned:
                await session.execute(_DELETE, scope.params())
                continue
        if time.monotonic() >= deadline:
            raise DeadlineExceeded("the first call with this idempotency key is still running; retry later")
        await asyncio.sleep(POLL_SECONDS)


async def recorded(session: AsyncSession, scope: Scope, resource_id: uuid.UUID) -> None:
    """The call's resource exists now: from here on a retry returns it, whatever happens next."""
    await session.execute(_UPDATE, {"resource_id": resource_id, **scope.params()})


async def complete(
    session: AsyncSession,
    scope: Scope,
    *,
    response: Message | None = None,
    error: DomainError | None = None,
    domain: str = "",
) -> None:
    """Store the call's outcome: its response, or its error as answered by the service of `domain`."""
    await session.execute(
        _UPDATE,
        {
            "response": response.SerializeToString(deterministic=True) if response is not None else None,
            "error": error_status(error, domain) if error is not None else None,
            "complete_time": datetime.now(UTC),
            **scope.params(),
        },
    )


async def complete_unfinished(session: AsyncSession, resource_id: uuid.UUID, response: Message) -> None:
    """The outcome of keys whose call recorded `resource_id` and then died: retries answer with `response`."""
    await session.execute(
        update(KEYS)
        .where(KEYS.c.resource_id == resource_id, KEYS.c.complete_time.is_(None))
        .values(response=response.SerializeToString(deterministic=True), complete_time=datetime.now(UTC))
    )


async def release(database: Database, scope: Scope) -> None:
    """Forget a pending claim whose call failed before recording anything (its retry starts afresh)."""
    async with database.transaction() as session:
        unfinished = _DELETE.where(KEYS.c.complete_time.is_(None), KEYS.c.resource_id.is_(None))
        await session.execute(unfinished, scope.params())
