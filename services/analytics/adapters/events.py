"""Domain topics' records as the processor reads them: the envelope checked and its event unpacked.

A record that is not an envelope, or whose envelope lies about its payload, is logged and counted
(`analytics_events_total{outcome="undecodable"}`) and changes no aggregate; it stays in its topic (the lake's sink
dead-letters the same record for whoever repairs it). Events of types no aggregate uses are counted as ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from fintech.common.v1 import event_envelope_pb2
from google.protobuf.message import DecodeError, Message
from prometheus_client import Counter
from quixstreams.models import Deserializer, SerializationContext

from services.runtime.event_registry import EventContractError, EventRegistry

log = structlog.get_logger(__name__)

EVENTS = Counter(
    "analytics_events_total",
    "Domain events the analytics processor read, by topic and outcome (applied, ignored, undecodable).",
    ["topic", "outcome"],
)


@dataclass(frozen=True)
class Decoded:
    event: Message
    occur_time: datetime
    sequence: int


class EnvelopeDeserializer(Deserializer):
    """Bytes of a `fintech.common.v1.EventEnvelope` -> `Decoded`, or None for what no aggregate uses."""

    def __init__(self, registry: EventRegistry, wanted: frozenset[str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._registry = registry
        self._wanted = wanted

    def __call__(self, value: bytes, ctx: SerializationContext) -> Decoded | None:
        envelope = event_envelope_pb2.EventEnvelope()
        try:
            envelope.ParseFromString(value)
            if envelope.event_type not in self._wanted:
                EVENTS.labels(ctx.topic, "ignored").inc()
                return None
            event = self._registry.unwrap(envelope)
        except (DecodeError, EventContractError, KeyError, TypeError) as exc:
            EVENTS.labels(ctx.topic, "undecodable").inc()
            log.error("analytics.undecodable_event", topic=ctx.topic, error=f"{type(exc).__name__}: {exc}")
            return None
        if not envelope.HasField("occur_time"):
            EVENTS.labels(ctx.topic, "undecodable").inc()
            log.error("analytics.undecodable_event", topic=ctx.topic, error="envelope without occur_time")
            return None
        EVENTS.labels(ctx.topic, "applied").inc()
        return Decoded(event, envelope.occur_time.ToDatetime(tzinfo=UTC), envelope.sequence)


def present(value: Any) -> bool:
    return value is not None
