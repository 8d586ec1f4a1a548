"""The tamper-evident audit trail: append-only records chained by SHA-256 (services/risk/domain/audit_chain.py).

Appends are serialised by a transaction-scoped advisory lock, in the transaction of the decision they record
(held from the append to the commit).

    python -m services.risk.adapters.audit verify     # exit 0: the chain holds; exit 1: the first broken record
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from fintech.risk.v1 import audit_record_pb2
from opentelemetry import trace
from sqlalchemy import Executable, LargeBinary, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk.adapters.db.models import AuditRecordRow, audit_records
from services.risk.adapters.db.store import keyset_page
from services.risk.app.ports import AuditFilter, Page
from services.risk.domain.audit_chain import CONTENT, GENESIS, canonical, verify_chain
from services.runtime import call_pipeline
from services.runtime.db import Database
from services.runtime.errors import NotFound

_LOCK = 0x5249534B  # "RISK": the advisory lock that orders appends

# The append after the lock, in one statement: the previous record's hash read and the new one computed by
# PostgreSQL (sha256(previous || canonical content), what `chain_hash` computes). The lock comes first, in a
# statement of its own: a READ COMMITTED statement reads the snapshot taken when it starts, so the previous hash
# must be read by a statement that starts after the lock is held (an append committed meanwhile is then seen).
_LOCK_STATEMENT = select(func.pg_advisory_xact_lock(bindparam("lock")))
_PREVIOUS = func.coalesce(
    select(audit_records.c.record_hash).order_by(audit_records.c.position.desc()).limit(1).scalar_subquery(),
    bindparam("genesis", type_=LargeBinary),
)
_previous = select(_PREVIOUS.label("hash")).subquery("previous")
_APPEND = insert(audit_records).from_select(
    [*CONTENT, "previous_record_hash", "record_hash"],
    select(
        *(bindparam(name, type_=audit_records.c[name].type) for name in CONTENT),
        _previous.c.hash,
        func.sha256(_previous.c.hash.op("||")(bindparam("content", type_=LargeBinary)), type_=LargeBinary),
    ),
)


@cache
def _append_chain(count: int) -> Executable:
    """The append of `count` records after the lock, in one statement: each record an INSERT in a data-modifying
    CTE (parameters prefixed `r<i>_`) whose previous hash is the record before it (RETURNING record_hash), the
    first's the trail's last. Each insert reads the one before, so their positions follow the chain."""
    previous: Any = _previous.c.hash
    source: Any = _previous
    for i in range(count):
        row = select(
            *(bindparam(f"r{i}_{name}", type_=audit_records.c[name].type) for name in CONTENT),
            previous,
            func.sha256(previous.op("||")(bindparam(f"r{i}_content", type_=LargeBinary)), type_=LargeBinary),
        ).select_from(source)
        step = insert(audit_records).from_select([*CONTENT, "previous_record_hash", "record_hash"], row)
        source = step.returning(audit_records.c.record_hash).cte(f"appended_{i}")
        previous = source.c.record_hash
    return select(previous)


@dataclass(frozen=True)
class AuditEntry:
    """What a record says of one action (the recorder, request and trace are the call's)."""

    actor: str
    action: str
    resource_type: str
    subject: str
    customer_id: str = ""
    details: Mapping[str, Any] | None = None


async def append(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    resource_type: str,
    subject: str,
    recorder: str,
    customer_id: str = "",
    outcome: int = audit_record_pb2.AUDIT_OUTCOME_SUCCEEDED,
    status_code: int = 0,
    request_id: str = "",
    trace_id: str = "",
    details: Mapping[str, Any] | None = None,
) -> uuid.UUID:
    """Append one record in the caller's transaction (two statements); returns its id."""
    record = _record(
        actor=actor, action=action, resource_type=resource_type, subject=subject, recorder=recorder,
        customer_id=customer_id, outcome=outcome, status_code=status_code, request_id=request_id,
        trace_id=trace_id, details=details,
    )  # fmt: skip
    await append_all(session, [record])
    return cast(uuid.UUID, record["id"])


async def append_all(session: AsyncSession, records: Sequence[dict[str, Any]]) -> None:
    """Append several records (`_record`s), in their order, in the caller's transaction: the lock and one
    statement, whatever their number."""
    if not records:
        return
    statement: Executable = _APPEND
    parameters: dict[str, Any] = {**records[0], "genesis": GENESIS, "content": canonical(records[0])}
    if len(records) > 1:
        statement, parameters = _append_chain(len(records)), {"genesis": GENESIS}
        for i, record in enumerate(records):
            parameters |= {f"r{i}_{name}": value for name, value in record.items()}
            parameters[f"r{i}_content"] = canonical(record)
    await session.execute(_LOCK_STATEMENT, {"lock": _LOCK})
    await session.execute(statement, parameters)


def _record(
    *,
    actor: str,
    action: str,
    resource_type: str,
    subject: str,
    recorder: str,
    customer_id: str = "",
    outcome: int = audit_record_pb2.AUDIT_OUTCOME_SUCCEEDED,
    status_code: int = 0,
    request_id: str = "",
    trace_id: str = "",
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A record's content (CONTENT), with a new id and the time now."""
    return {
        "id": uuid.uuid4(),
        "actor": actor,
        "actor_type": audit_record_pb2.ACTOR_TYPE_WORKLOAD
        if actor.startswith("spiffe://")
        else audit_record_pb2.ACTOR_TYPE_USER,
        "action": action,
        "resource_type": resource_type,
        "subject": subject,
        "customer_id": customer_id,
        "outcome": outcome,
        "status_code": status_code,
        "request_id": request_id,
        "trace_id": trace_id,
        "recorder": recorder,
        "occur_time": datetime.now(UTC),
        "details": {key: str(value) for key, value in (details or {}).items()},
    }


def trace_id() -> str:
    span = trace.get_current_span().get_span_context()
    return f"{span.trace_id:032x}" if span.is_valid else ""


class AuditLog:
    """Appends the records of the calls this service answers: the caller as actor, the call's request and trace."""

    def __init__(self, recorder: str) -> None:
        self.recorder = recorder

    async def record(
        self,
        session: AsyncSession,
        *,
        actor: str,
        action: str,
        resource_type: str,
        subject: str,
        customer_id: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        await append(
            session, actor=actor, action=action, resource_type=resource_type, subject=subject,
            customer_id=customer_id, recorder=self.recorder, request_id=call_pipeline.request_id.get(),
            trace_id=trace_id(), details=details,
        )  # fmt: skip

    async def record_all(self, session: AsyncSession, entries: Sequence[AuditEntry]) -> None:
        """One record per entry, in order, appended together (the lock and one statement)."""
        request, trace = call_pipeline.request_id.get(), trace_id()
        await append_all(session, [
            _record(actor=e.actor, action=e.action, resource_type=e.resource_type, subject=e.subject,
                    customer_id=e.customer_id, details=e.details, recorder=self.recorder, request_id=request,
                    trace_id=trace)
            for e in entries
        ])  # fmt: skip


class AuditRecords:
    """The audit trail as the compliance queries read it (app.ports.AuditTrail)."""

    def __init__(self, database: Database, page_key: bytes) -> None:
        self.database = database
        self.page_key = page_key

    async def retrieve(self, audit_record_id: str) -> audit_record_pb2.AuditRecord:
        async with self.database.session() as session:
            query = select(audit_records).where(audit_records.c.id == uuid.UUID(audit_record_id))
            row = (await session.execute(query)).mappings().first()
        if row is None:
            raise NotFound(f"audit record {audit_record_id} not found")
        return to_message(dict(row))

    async def page(self, filters: AuditFilter, page: Page) -> tuple[list[audit_record_pb2.AuditRecord], str]:
        column = audit_records.c
        query = select(AuditRecordRow)
        if filters.start_time is not None:
            query = query.where(column.occur_time >= filters.start_time)
        if filters.end_time is not None:
            query = query.where(column.occur_time < filters.end_time)
        for name in ("subject", "actor", "customer_id", "outcome"):
            if getattr(filters, name):
                query = query.where(column[name] == getattr(filters, name))
        rows, token = await keyset_page(
            self.database, query, (column.occur_time, column.position), page, self.page_key,
            default_size=100, parse_id=int,
        )  # fmt: skip
        return [to_message({c.key: getattr(r, c.key) for c in audit_records.c}) for r in rows], token


def to_message(row: Mapping[str, Any]) -> audit_record_pb2.AuditRecord:
    record = audit_record_pb2.AuditRecord(
        audit_record_id=str(row["id"]),
        actor=row["actor"],
        actor_type=row["actor_type"],
        action=row["action"],
        resource_type=row["resource_type"],
        subject=row["subject"],
        customer_id=row["customer_id"],
        outcome=row["outcome"],
        status_code=row["status_code"],
        request_id=row["request_id"],
        trace_id=row["trace_id"],
        recorder=row["recorder"],
        record_hash=bytes(row["record_hash"]),
        previous_record_hash=bytes(row["previous_record_hash"]),
    )
    record.occur_time.FromDatetime(row["occur_time"])
    return record


async def verify(database: Database) -> tuple[bool, str]:
    async with database.session() as session:
        rows = (await session.execute(select(audit_records).order_by(audit_records.c.position))).mappings().all()
    return verify_chain([dict(row) for row in rows])


def main(argv: list[str]) -> int:
    if argv != ["verify"]:
        print("usage: python -m services.risk.adapters.audit verify", file=sys.stderr)
        return 2

    async def run() -> tuple[bool, str]:
        database = Database.for_service("risk")
        try:
            return await verify(database)
        finally:
            await database.dispose()

    intact, message = asyncio.run(run())
    print(("OK: " if intact else "TAMPERED: ") + message)
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
