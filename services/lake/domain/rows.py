"""What an event becomes in the lake: one row of its domain's `events.<domain>` table.

The payload is the decoded event as JSON with the contract's field names; fields that carry personal data are
SealedValue messages in the event itself, so they stay sealed here (ciphertext under the customer's data key:
erasing the key makes every lake copy unreadable too).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from fintech.common.v1 import event_envelope_pb2
from google.protobuf import json_format
from google.protobuf.message import Message

Row = dict[str, Any]


def event_row(envelope: event_envelope_pb2.EventEnvelope, event: Message, partition: int, offset: int) -> Row:
    occur_time = envelope.occur_time.ToDatetime(tzinfo=UTC) if envelope.HasField("occur_time") else None
    return {
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        "aggregate_type": envelope.aggregate_type,
        "subject": envelope.subject,
        "sequence": envelope.sequence,
        "occur_time": occur_time,
        "source": envelope.source,
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "kafka_partition": partition,
        "kafka_offset": offset,
        "payload": json_format.MessageToJson(event, preserving_proto_field_name=True, indent=None),
    }
