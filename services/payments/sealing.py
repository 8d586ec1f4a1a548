"""Personal data in payment events, sealed with a per-customer data key (crypto-shredding ready).

Payments keeps its own data key per customer (`payments/customers/<id>/keys/<n>`, AES-256-GCM,
wrapped by the payments KEK), created on the customer's first payment. The envelope encryption is the
runtime's (`services.runtime.envelope_encryption`), as in the customer service; the key ids differ, so
neither service mistakes the other's sealed values for its own.
"""

from __future__ import annotations

import uuid

from fintech.common.v1.event_envelope_pb2 import SealedValue
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.config import PaymentsKeys
from services.payments.models import DataKeyRow
from services.runtime.envelope_encryption import DataKey, KeyUnavailable, KeyWrapper, WrappedKey, open_sealed, seal

VERSION = 1


def key_id(customer_id: str, version: int = VERSION) -> str:
    return f"payments/customers/{customer_id}/keys/{version}"


class Sealer:
    """Seals and opens one customer's personal payment data; unwrapped keys are cached per process."""

    def __init__(self, keys: PaymentsKeys, cache_size: int = 10_000) -> None:
        self._wrapper = KeyWrapper(keys)
        self._cache: dict[str, DataKey] = {}
        self._cache_size = cache_size

    async def key(self, session: AsyncSession, customer_id: str, *, create: bool = False) -> DataKey | None:
        wanted = key_id(customer_id)
        cached = self._cache.get(wanted)
        if cached is not None:
            return cached
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
            row = await session.scalar(query)  # the winner's key when two first payments raced
        data_key = self._wrapper.unwrap(WrappedKey(wanted, row.kek_id, row.wrapped_key))
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[wanted] = data_key
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
        self._cache.pop(key_id(customer_id), None)
