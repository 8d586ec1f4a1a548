"""The risk service's keys: the page-token key of its list RPCs, the KEK, and the per-customer data keys that
seal the personal data it keeps (the screened party of a sanctions screening).

Secrets: in a cluster they come from the environment (a Kubernetes Secret), the same for every replica:

    FINTECH_RISK__PAGE_TOKEN_KEY=<base64 of 32 bytes>   # HMAC key of the list RPCs' page tokens
    FINTECH_RISK__KEK_ID=kek-2026-12                    # id of the active KEK
    FINTECH_RISK__KEK=<base64 of 32 bytes>              # the active KEK (AES-256) that wraps the data keys

Locally each is generated once into `<state_dir>/keys/` (`risk-page-token.key`, `risk-kek.key`; mode 0600,
git-ignored with the rest of var/), shared by the service's processes. No key is ever committed.

Data keys: one per customer (`risk/customers/<id>/keys/1`), AES-256-GCM with the runtime's envelope encryption
(services.runtime.envelope_encryption), wrapped by the risk KEK and stored in `risk_data_keys`. A customer's
erasure (the customer service's `CustomerErased` event, services/risk/adapters/erasure.py) does not destroy the
key at once: what risk keeps of a screening is an AML record the bank must retain (`[risk] aml_retention_days`),
so the key gets a `shred_after` and a periodic task (`DataRetention`, services/risk/adapters/erasure.py) destroys
it when that time has passed (crypto-shredding). Unwrapped keys are not cached: every replica reads the key
table, so none can open what another has shredded.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, overload

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk.adapters.db.models import risk_data_keys
from services.runtime import secret_keys
from services.runtime.config import Settings
from services.runtime.envelope_encryption import DataKey, KeyWrapper, WrappedKey

DATA_KEY_VERSION = 1


def page_token_key(settings: Settings) -> bytes:
    return secret_keys.secret_key(settings, "FINTECH_RISK__PAGE_TOKEN_KEY", "risk-page-token.key")


@dataclass(frozen=True)
class RiskKeys:
    """The risk KEKs (runtime's `Keks` protocol): the active one wraps new data keys."""

    active_kek_id: str
    keks: dict[str, bytes]


def load_keys(settings: Settings) -> RiskKeys:
    configured = secret_keys.configured("FINTECH_RISK__KEK")
    if configured is not None:
        kek_id = os.environ.get("FINTECH_RISK__KEK_ID", "").strip() or "kek-1"
        return RiskKeys(kek_id, {kek_id: configured})
    if settings.mesh.mode == "cluster":  # each pod would make its own: replicas could not open each other's keys
        structlog.get_logger("risk.keys").warning("risk.kek_generated_locally", hint="set FINTECH_RISK__KEK")
    return RiskKeys("local-kek-1", {"local-kek-1": secret_keys.local(settings.state_dir / "keys" / "risk-kek.key")})


def data_key_id(customer_id: str | uuid.UUID) -> str:
    return f"risk/customers/{customer_id}/keys/{DATA_KEY_VERSION}"


class DataKeys:
    """A customer's risk data key: created with the first record that needs it, read (never cached) after."""

    def __init__(self, keys: RiskKeys) -> None:
        self._wrapper = KeyWrapper(keys)

    @overload
    async def key(self, session: AsyncSession, customer_id: uuid.UUID, *, create: Literal[True]) -> DataKey: ...

    @overload
    async def key(self, session: AsyncSession, customer_id: uuid.UUID, *, create: bool = False) -> DataKey | None: ...

    async def key(self, session: AsyncSession, customer_id: uuid.UUID, *, create: bool = False) -> DataKey | None:
        """The customer's data key; None when there is none (never made, or shredded) and `create` is false."""
        t = risk_data_keys.c
        query = select(t.kek_id, t.wrapped_key).where(t.customer_id == customer_id, t.version == DATA_KEY_VERSION)
        row = (await session.execute(query)).first()
        if row is None:
            if not create:
                return None
            _, wrapped = self._wrapper.generate(data_key_id(customer_id))
            statement = insert(risk_data_keys).values(customer_id=customer_id, version=DATA_KEY_VERSION,
                                                      kek_id=wrapped.kek_id, wrapped_key=wrapped.blob)  # fmt: skip
            await session.execute(statement.on_conflict_do_nothing())
            row = (await session.execute(query)).one()  # the winner's key when two first records raced
        return self._wrapper.unwrap(WrappedKey(data_key_id(customer_id), row.kek_id, row.wrapped_key))


async def shred_due(session: AsyncSession, *, now: datetime | None = None, limit: int = 1000) -> list[uuid.UUID]:
    """Destroy the data keys whose `shred_after` has passed (at most `limit`); the customers whose keys went."""
    t = risk_data_keys.c
    due_query = select(t.customer_id, t.version).where(t.shred_after <= (now or func.now())).limit(limit)
    due = due_query.with_for_update(skip_locked=True).subquery()
    statement = delete(risk_data_keys).where(
        t.customer_id == due.c.customer_id, t.version == due.c.version
    ).returning(t.customer_id)  # fmt: skip
    return list(await session.scalars(statement))
