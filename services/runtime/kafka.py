"""Kafka clients built from the mesh settings, topic creation and W3C trace context in record headers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, for_code
from fintech.common.v1 import event_envelope_pb2
from opentelemetry import context as otel_context
from opentelemetry import propagate

from services.runtime.config import Settings, get_settings

# Record headers every published event carries (values are UTF-8).
EVENT_ID = "event-id"
EVENT_TYPE = "event-type"
CONTENT_TYPE = "content-type"
ENVELOPE_CONTENT_TYPE = "application/x-protobuf; messageType=fintech.common.v1.EventEnvelope"
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"

DLQ_SUFFIX = ".dlq"
_TOPIC_ALREADY_EXISTS = 36

Headers = Sequence[tuple[str, bytes]]


def dlq_topic(topic: str) -> str:
    """The dead-letter twin of a topic: `fintech.payments.events.v1.dlq`."""
    return topic + DLQ_SUFFIX


def producer_options(settings: Settings | None = None, *, client_id: str, **overrides: Any) -> dict[str, Any]:
    """Options of an idempotent producer: acks from every in-sync replica, no duplicates on retry."""
    settings = settings or get_settings()
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka.bootstrap_servers,
        "client_id": client_id,
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "request_timeout_ms": 10_000,
        "retry_backoff_ms": 200,
    }
    options.update(overrides)
    return options


def make_producer(client_id: str, *, settings: Settings | None = None, **overrides: Any) -> AIOKafkaProducer:
    """A new (not yet started) idempotent producer."""
    return AIOKafkaProducer(**producer_options(settings, client_id=client_id, **overrides))


def make_consumer(
    group_id: str,
    *topics: str,
    client_id: str | None = None,
    settings: Settings | None = None,
    **overrides: Any,
) -> AIOKafkaConsumer:
    """A new (not yet started) consumer that commits offsets only when told to."""
    settings = settings or get_settings()
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka.bootstrap_servers,
        "client_id": client_id or group_id,
        "group_id": group_id,
        "enable_auto_commit": False,
        # A new group starts from the oldest retained event, so nothing published before it is missed.
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "request_timeout_ms": 10_000,
        "retry_backoff_ms": 200,
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


def make_admin(client_id: str = "fintech-admin", *, settings: Settings | None = None) -> AIOKafkaAdminClient:
    settings = settings or get_settings()
    return AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka.bootstrap_servers, client_id=client_id, request_timeout_ms=10_000
    )


async def ensure_topics(
    admin: AIOKafkaAdminClient,
    topics: Iterable[str],
    *,
    partitions: int = 3,
    replication_factor: int = 1,
    configs: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> list[str]:
    """Create the topics that do not exist yet and wait until each has a leader; returns those created."""
    wanted = list(dict.fromkeys(topics))
    missing = [topic for topic in wanted if topic not in set(await admin.list_topics())]
    created: list[str] = []
    if missing:
        response = await admin.create_topics(
            [NewTopic(t, partitions, replication_factor, topic_configs=dict(configs or {})) for t in missing]
        )
        for topic, code, *rest in response.topic_errors:
            if code == 0:
                created.append(topic)
            elif code != _TOPIC_ALREADY_EXISTS:  # another process won the race: fine
                raise for_code(code)(f"creating topic {topic}: {rest[0] if rest else ''}")
    await _wait_for_leaders(admin, wanted, timeout)
    return created


async def _wait_for_leaders(admin: AIOKafkaAdminClient, topics: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        described = await admin.describe_topics(topics)
        if all(
            t["error_code"] == 0 and t["partitions"] and all(p["leader"] >= 0 for p in t["partitions"])
            for t in described
        ):
            return
        if time.monotonic() > deadline:
            raise KafkaError(f"topics {topics} have no leader after {timeout}s")
        await asyncio.sleep(0.1)


def encode_headers(headers: Mapping[str, str]) -> list[tuple[str, bytes]]:
    return [(name, value.encode()) for name, value in headers.items() if value]


def header(headers: Headers | None, name: str) -> str | None:
    """The last value of a record header, decoded, or None."""
    value = None
    for key, raw in headers or ():
        if key == name and raw is not None:
            value = raw.decode(errors="replace")
    return value


def trace_headers(context: otel_context.Context | None = None) -> dict[str, str]:
    """The W3C trace context (traceparent, tracestate) of `context` (default: the current one)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=context)
    return {k: v for k, v in carrier.items() if k in (TRACEPARENT, TRACESTATE)}


def current_trace_context() -> event_envelope_pb2.TraceContext | None:
    """The current span's trace context for an event envelope, or None outside any trace."""
    carrier = trace_headers()
    if TRACEPARENT not in carrier:
        return None
    return event_envelope_pb2.TraceContext(traceparent=carrier[TRACEPARENT], tracestate=carrier.get(TRACESTATE, ""))


def extract_context(headers: Headers | None) -> otel_context.Context:
    """The trace context a record carries, to continue its trace in the consumer."""
    carrier = {name: value for name in (TRACEPARENT, TRACESTATE) if (value := header(headers, name))}
    return propagate.extract(carrier)


# The real-time aggregates (proto/fintech/analytics/v1/aggregates.proto), written by services/analytics: one compacted
# topic per kind, keyed as the contract says, so a reader from the start holds the latest value of every key.
ANALYTICS_TOPICS = {
    "flow": "fintech.analytics.payment_flow.v1",
    "fraud": "fintech.analytics.fraud_decisions.v1",
    "review": "fintech.analytics.review_queue.v1",
    "position": "fintech.analytics.settlement_positions.v1",
    "kyc": "fintech.analytics.kyc_outcomes.v1",
}
ANALYTICS_PARTITIONS = 3
ANALYTICS_TOPIC_CONFIG = {"cleanup.policy": "compact"}
