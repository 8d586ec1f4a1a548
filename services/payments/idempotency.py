"""Idempotency keys: the first outcome of a call, per (caller principal, operation, key), replayed.

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
from typing import TypeVar

import grpc
from fintech.common.v1.error_reason_pb2 import ErrorReason
from google.protobuf.message import Message
from google.rpc import status_pb2
from grpc_status import rpc_status
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import IdempotencyRow
from services.runtime.call_pipeline import remaining_timeout
from services.runtime.db import Database
from services.runtime.errors import DeadlineExceeded, DomainError, FailedPrecondition

DOMAIN = "payments.fintech.svc"
STATUS_DETAILS = "grpc-status-details-bin"
POLL_SECONDS = 0.01
# A pending claim this old belongs to a call that died; its key may be taken over.
ABANDONED_AFTER = timedelta(seconds=60)
WAIT_SECONDS = 10.0
T = TypeVar("T")
KEYS = IdempotencyRow.__table__
# Built once (the hot path runs them per payment): the key's row, matched by the scope's parameters.
_KEY = (
    (KEYS.c.principal == bindparam("scope_principal"))
    & (KEYS.c.operation == bindparam("scope_operation"))
    & (KEYS.c.idempotency_key == bindparam("scope_key"))
)
_CLAIM = insert(KEYS).on_conflict_do_nothing().returning(KEYS.c.principal)
_READ = select(IdempotencyRow).where(_KEY)
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
            raise ReplayedError(status_pb2.Status.FromString(self.error))


class ReplayedError(DomainError):
    """A stored error, answered again exactly as the first time."""

    def __init__(self, status: status_pb2.Status) -> None:
        super().__init__(status.message)
        self.status = status
        self.code = _CODES.get(status.code, grpc.StatusCode.UNKNOWN)

    def to_status(self, domain: str) -> grpc.Status:
        return rpc_status.to_status(self.status)


_CODES = {code.value[0]: code for code in grpc.StatusCode}


def request_hash(request: Message, *, ignore: tuple[str, ...] = ()) -> str:
    """A hash of the request's parameters (without the fields in `ignore`)."""
    copy = type(request)()
    copy.CopyFrom(request)
    for name in ignore:
        copy.ClearField(name)
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()


def error_status(error: DomainError) -> bytes:
    """The google.rpc.Status a DomainError is answered with, serialized for storage."""
    status = error.to_status(DOMAIN)
    for key, value in status.trailing_metadata:
        if key == STATUS_DETAILS:
            return value
    return status_pb2.Status(code=status.code.value[0], message=status.details).SerializeToString()


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
            row = await session.scalar(_READ, scope.params())
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
    session: AsyncSession, scope: Scope, *, response: Message | None = None, error: DomainError | None = None
) -> None:
    await session.execute(
        _UPDATE,
        {
            "response": response.SerializeToString(deterministic=True) if response is not None else None,
            "error": error_status(error) if error is not None else None,
            "complete_time": datetime.now(UTC),
            **scope.params(),
        },
    )


async def complete_unfinished(session: AsyncSession, resource_id: uuid.UUID, response: Message) -> None:
    """The outcome of keys whose call recorded `resource_id` and then died: retries answer with `response`."""
    await session.execute(
        update(IdempotencyRow)
        .where(IdempotencyRow.resource_id == resource_id, IdempotencyRow.complete_time.is_(None))
        .values(response=response.SerializeToString(deterministic=True), complete_time=datetime.now(UTC))
    )


async def release(database: Database, scope: Scope) -> None:
    """Forget a pending claim whose call failed before recording anything (its retry starts afresh)."""
    async with database.transaction() as session:
        unfinished = _DELETE.where(KEYS.c.complete_time.is_(None), KEYS.c.resource_id.is_(None))
        await session.execute(unfinished, scope.params())
