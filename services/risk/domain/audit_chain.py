"""The audit trail's hash chain: each record's hash covers its content and the previous record's hash, so
changing, removing or reordering any record breaks the chain from there on (stored by adapters/audit.py)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

GENESIS = b"\x00" * 32

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


def verify_chain(records: Sequence[Mapping[str, Any]]) -> tuple[bool, str]:
    """Whether the records (in append order) form an unbroken chain; else which record breaks it and how."""
    previous = GENESIS
    for record in records:
        if bytes(record["previous_record_hash"]) != previous:
            return False, f"record {record['id']} (position {record['position']}): link to the previous record broken"
        if chain_hash(previous, record) != bytes(record["record_hash"]):
            return False, f"record {record['id']} (position {record['position']}): content changed"
        previous = bytes(record["record_hash"])
    return True, f"{len(records)} records, chain intact"
