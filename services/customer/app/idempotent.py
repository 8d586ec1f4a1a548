"""The customer's idempotent writes (AIP-155) over the runtime's keys: per caller, operation and request_id.

A key's outcome is the resource the first call made or changed (`resource_id`): a retry answers with
that resource as it is now, as the service always did. The response itself is not stored: it holds
personal data in clear, which this database keeps only sealed. A call that fails leaves nothing
behind (the key is released), so its retry is processed afresh.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.runtime import idempotency
from services.runtime.access import Principal
from services.runtime.db import Database
from services.runtime.errors import FailedPrecondition
from services.runtime.idempotency import Scope

T = TypeVar("T")


@dataclass(frozen=True)
class Retry:
    """A write's idempotency key (the request's `request_id`) and the hash of the request's parameters."""

    key: str
    request_hash: str


async def once(
    database: Database,
    principal: Principal,
    operation: str,
    retry: Retry,
    work: Callable[[Scope], Awaitable[T]],
    replay: Callable[[uuid.UUID], Awaitable[T]],
) -> T:
    """`work(scope)` for the first call with this key, `replay(resource_id)` for its retries."""
    scope = Scope(principal.subject, operation, retry.key)
    stored = await idempotency.claim(database, scope, retry.request_hash)
    if stored is not None:
        stored.raise_error()
        if stored.resource_id is None:  # only ever recorded with its resource: not a customer write's key
            raise FailedPrecondition("the request_id's first call recorded nothing to answer with")
        return await replay(stored.resource_id)
    try:
        return await work(scope)
    except Exception:
        await idempotency.release(database, scope)  # nothing recorded when it failed: a retry starts afresh
        raise


async def record(session: AsyncSession, scope: Scope, resource_id: uuid.UUID) -> None:
    """The key's outcome, in the transaction that writes the resource."""
    await idempotency.recorded(session, scope, resource_id)
    await idempotency.complete(session, scope)
