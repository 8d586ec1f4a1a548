"""The tamper-evident audit trail: append-only records chained by SHA-256.

Each record's hash covers its content and the previous record's hash, so changing, removing or
reordering any record breaks the chain from there on. Appends are serialised by a transaction-scoped
advisory lock, in the transaction of the decision they record (held from the append to the commit).

    python -m services.risk.audit verify     # exit 0: the chain holds; exit 1: the first broken record
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fintech.risk.v1 import audit_record_pb2
from sqlalchemy import LargeBinary, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk.models import audit_records

GENESIS = b"\x00" * 32
_LOCK = 0x5249534B  # "RISK": the advisory lock that orders appends

CONTENT = ("id", "actor", "actor_type", "action", "resource_type", "subject", "customer_id", "outcome",
           "status_code", "request_id", "trace_id", "recorder", "occur_time", "details")  # fmt: skip


def canonical(record: Mapping[str, Any]) -> bytes:
    """The bytes a record's hash covers: its content fields as canonical JSON."""
    content = {}
    for name in CONTENT:
        value = record[name]
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        elif isinstance(value, uuid.UUID):
            value = str(value)
        content[name] = value
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(previous: bytes, record: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(previous + canonical(record)).digest()


def verify_chain(records: list[Mapping[str, Any]]) -> tuple[bool, str]:
    """Whether the records (in append order) form an unbroken chain; else which record breaks it and how."""
    previous = GENESIS
    for record in records:
        if bytes(record["previous_record_hash"]) != previous:
            return False, f"record {record['id']} (position {record['position']}): link to the previous record broken"
        if chain_hash(previous, record) != bytes(record["record_hash"]):
            return False, f"record {record['id']} (position {record['position']}): content changed"
        previous = bytes(record["record_hash"])
    return True, f"{len(records)} records, chain intact"


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
    record = {
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
    await session.execute(_LOCK_STATEMENT, {"lock": _LOCK})
    await session.execute(_APPEND, {**record, "genesis": GENESIS, "content": canonical(record)})
    return record["id"]


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


async def verify(database) -> tuple[bool, str]:
    async with database.session() as session:
        rows = (await session.execute(select(audit_records).order_by(audit_records.c.position))).mappings().all()
    return verify_chain(list(rows))


def main(argv: list[str]) -> int:
    if argv != ["verify"]:
        print("usage: python -m services.risk.audit verify", file=sys.stderr)
        return 2
    from services.runtime.db import Database

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
