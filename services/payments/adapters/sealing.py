"""Personal data in payment events, sealed with a per-customer data key (crypto-shredding ready).

Payments keeps its own data key per customer (`payments/customers/<id>/keys/<n>`, AES-256-GCM,
wrapped by the payments KEK), created on the customer's first payment. The envelope encryption is the
runtime's (`services.runtime.envelope_encryption`), as in the customer service; the key ids differ, so
neither service mistakes the other's sealed values for its own.

Each process caches unwrapped keys, so an erasure must reach every process, not only the one whose consumer
destroyed the key: every process runs its own `KeyEviction` consumer (services/payments/adapters/background.py), which
`forget`s the customer as the `CustomerErased` event arrives; a forgotten customer's key is never cached again
in that process (a read that raced the erasure cannot put it back), and a cached key expires after `ttl`
seconds anyway, so a process that missed the event re-reads the key table within that time.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from typing import Literal, overload

from fintech.common.v1.event_envelope_pb2 import SealedValue
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters.db.models import DataKeyRow
from services.payments.config import PaymentsKeys
from services.runtime.envelope_encryption import DataKey, KeyUnavailable, KeyWrapper, WrappedKey, open_sealed, seal

VERSION = 1


def key_id(customer_id: str, version: int = VERSION) -> str:
    return f"payments/customers/{customer_id}/keys/{version}"


# How long a process may use an unwrapped key before it reads the key table again: the bound on how long a
# process that missed an erasure event can still open the customer's data.
CACHE_TTL = 60.0


class Sealer:
    """Seals and opens one customer's personal payment data; unwrapped keys are cached per process for `ttl`
    seconds, and never for a customer this process was told is erased (`forget`)."""

    def __init__(self, keys: PaymentsKeys, cache_size: int = 10_000, ttl: float = CACHE_TTL) -> None:
        self._wrapper = KeyWrapper(keys)
        self._cache: dict[str, tuple[DataKey, float]] = {}  # key id -> (key, monotonic time it expires)
        self._cache_size = cache_size
        self._ttl = ttl
        self._forgotten: OrderedDict[str, None] = OrderedDict()  # key ids of erased customers (the latest)

    @overload
    async def key(self, session: AsyncSession, customer_id: str, *, create: Literal[True]) -> DataKey: ...

    @overload
    async def key(self, session: AsyncSession, customer_id: str, *, create: bool = False) -> DataKey | None: ...

    async def key(self, session: AsyncSession, customer_id: str, *, create: bool = False) -> DataKey | None:
        """The customer's data key; with `create`, made on first use (None only without `create`)."""
        wanted = key_id(customer_id)
        cached = self._cache.get(wanted)
        if cached is not None:
            if cached[1] > time.monotonic():
                return cached[0]
            del self._cache[wanted]
        query = select(DataKeyRow).where(DataKeyRow.customer_id == uuid.UUID(customer_id),
                                         DataKeyRow.version == VERSION)  # fmt: skip
        row = await session.scalar(query)
        if row is None:
            if not create:
                return None
            _, wrapped = self._wrapper.generate(wanted)
            statement = insert(DataKeyRow).values(customer_id=uuid.UUID(customer_id), version=VERSION,
                                                  kek_id=wrapped.kek_id, wrapped_key=wrapped.blob)  # fmt: skip
            await session.execute(statement.on_conflict_do_nothing())
            row = (await session.scalars(query)).one()  # the winner's key when two first payments raced
        data_key = self._wrapper.unwrap(WrappedKey(wanted, row.kek_id, row.wrapped_key))
        if wanted in self._forgotten:  # erased: the row is going (this read may predate the delete's commit)
            return data_key
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[wanted] = (data_key, time.monotonic() + self._ttl)
        return data_key

    @staticmethod
    def seal(data_key: DataKey, field: str, plaintext: bytes) -> SealedValue:
        return seal(data_key, field, plaintext)

    @staticmethod
    def open(data_key: DataKey | None, field: str, sealed: SealedValue) -> bytes | None:
        """The clear value, or None when the key is gone (customer erased) or not this service's."""
        if data_key is None:
            return None
        try:
            return open_sealed(data_key, field, sealed)
        except KeyUnavailable:
            return None

    def forget(self, customer_id: str) -> None:
        """Drop the customer's cached key and never cache it again (the customer is erased)."""
        forgotten = key_id(customer_id)
        self._cache.pop(forgotten, None)
        self._forgotten[forgotten] = None
        self._forgotten.move_to_end(forgotten)
        if len(self._forgotten) > self._cache_size:
            self._forgotten.popitem(last=False)
