"""Sanctions screenings as stored: the party's personal data only sealed.

`body` is the screening with the party reduced to its id and type (domain.sanctions.redacted), `sealed_party`
the whole party as a SealedValue under the customer's risk data key (adapters/keys.py), bound to the field's name.
Reading it back (`stored`) opens the party while the key exists; once the key is shredded the screening reads
without it.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC

from fintech.common.v1.event_envelope_pb2 import SealedValue
from fintech.risk.v1 import sanctions_screening_pb2 as s
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk.adapters import events
from services.risk.adapters.audit import AuditLog
from services.risk.adapters.db import store
from services.risk.adapters.db.models import screenings
from services.risk.adapters.keys import DataKeys
from services.risk.domain.sanctions import redacted
from services.runtime.db import Database
from services.runtime.envelope_encryption import DataKey, KeyUnavailable, open_sealed, seal

ACTION = "/fintech.risk.v1.RegulatoryComplianceService/ScreenParty"
PARTY_FIELD = "fintech.risk.v1.SanctionsScreening.party"  # the associated data of a sealed party
_STORED = select(screenings.c.body, screenings.c.sealed_party, screenings.c.customer_id).where(
    screenings.c.request_id == bindparam("request_id")
)


def sealed_columns(data_key: DataKey, screening: s.SanctionsScreening) -> dict[str, bytes]:
    """The `body` and `sealed_party` columns of a screening: the party only sealed."""
    sealed = seal(data_key, PARTY_FIELD, screening.party.SerializeToString())
    return {"body": redacted(screening).SerializeToString(), "sealed_party": sealed.SerializeToString()}


def opened(body: bytes, sealed_party: bytes | None, data_key: DataKey | None) -> s.SanctionsScreening:
    """A stored screening with its party opened, or without the party's personal data when the key is gone."""
    screening = s.SanctionsScreening.FromString(body)
    if sealed_party and data_key is not None:
        with contextlib.suppress(KeyUnavailable):  # sealed with another key: read as if shredded
            party = open_sealed(data_key, PARTY_FIELD, SealedValue.FromString(sealed_party))
            screening.party.CopyFrom(s.ScreenedParty.FromString(party))
    return screening


async def stored(session: AsyncSession, keys: DataKeys, request_id: uuid.UUID) -> s.SanctionsScreening | None:
    """The screening stored for this request, its party opened while the customer's key exists."""
    row = (await session.execute(_STORED, {"request_id": request_id})).first()
    if row is None:
        return None
    data_key = await keys.key(session, row.customer_id) if row.sealed_party and row.customer_id else None
    return opened(row.body, row.sealed_party, data_key)


async def seal_legacy(session: AsyncSession, keys: DataKeys, *, limit: int = 100) -> int:
    """Seal up to `limit` screenings stored before parties were sealed (no `sealed_party`, the party in `body`);
    returns how many. Several replicas share the work (SKIP LOCKED)."""
    t = screenings.c
    rows = (
        await session.execute(
            select(t.id, t.body, t.customer_id)
            .where(t.sealed_party.is_(None))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        screening = s.SanctionsScreening.FromString(row.body)
        customer_id = row.customer_id or uuid.UUID(screening.party.party_id)
        columns = sealed_columns(await keys.key(session, customer_id, create=True), screening)
        await session.execute(update(screenings).where(t.id == row.id).values(**columns))
    return len(rows)


class ScreeningStore:
    def __init__(self, database: Database, keys: DataKeys, audit: AuditLog, source: str) -> None:
        self.database = database
        self.keys = keys
        self.audit = audit
        self.source = source

    async def stored(self, request_id: uuid.UUID) -> s.SanctionsScreening | None:
        async with self.database.session() as session:  # the party is sealed: opened with the customer's key
            return await stored(session, self.keys, request_id)

    async def record(
        self, request_id: uuid.UUID, screening: s.SanctionsScreening, actor: str
    ) -> s.SanctionsScreening | None:
        party = screening.party
        async with self.database.transaction() as session:
            data_key = await self.keys.key(session, uuid.UUID(party.party_id), create=True)
            inserted = await store.insert_once(session, screenings, s.SanctionsScreening, "request_id", {
                "id": uuid.UUID(screening.screening_id), "request_id": request_id,
                "customer_id": uuid.UUID(party.party_id), "decision": screening.match_status,
                "evaluate_time": screening.screen_time.ToDatetime(tzinfo=UTC), **sealed_columns(data_key, screening),
            })  # fmt: skip
            if inserted is not None:  # a concurrent request stored it first: its screening, party opened
                return await stored(session, self.keys, request_id)
            await events.publish(
                session, events.screening_completed(screening), subject=screening.screening_id, sequence=1,
                source=self.source,
            )  # fmt: skip
            await self.audit.record(
                session, actor=actor, action=ACTION, resource_type="screening", subject=screening.screening_id,
                customer_id=party.party_id,
                details={"match_status": s.SanctionsMatchStatus.Name(screening.match_status),
                         "match_count": len(screening.matches),
                         "entries": ",".join(m.list_entry_id for m in screening.matches)},
            )  # fmt: skip
        return None
