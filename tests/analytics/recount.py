"""The aggregates recounted by the test itself from the domain topics (read from the beginning with a plain
consumer, each event once by its id), in the same comparable shape as what the processor wrote.

Written apart from services/analytics/domain on purpose: a shared mistake would not show.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from fintech.common.v1 import event_envelope_pb2
from fintech.customer.v1 import kyc_check_pb2 as kyc
from fintech.payments.v1 import payment_pb2 as p
from fintech.risk.v1 import fraud_assessment_pb2 as fraud

from services.runtime.config import Settings
from services.runtime.event_registry import EventRegistry
from tools import aggregates

Shape = dict[str, dict[str, tuple[Any, ...]]]
STATES = {
    "PaymentInitiated": "INITIATED",
    "PaymentHeld": "HELD_FOR_REVIEW",
    "PaymentExecuted": "EXECUTED",
    "PaymentRejected": "REJECTED",
    "PaymentCancelled": "CANCELLED",
    "PaymentSettled": "SETTLED",
}


def _events(settings: Settings, domain: str) -> list[tuple[event_envelope_pb2.EventEnvelope, Any]]:
    registry = EventRegistry.discover()
    topic = f"fintech.{domain}.events.v1"

    async def read() -> list[tuple[event_envelope_pb2.EventEnvelope, Any]]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False,
            isolation_level="read_committed", client_id="analytics-recount",
        )  # fmt: skip
        await consumer.start()
        try:
            await consumer._client.force_metadata_update()  # noqa: SLF001
            partitions = [TopicPartition(topic, n) for n in sorted(consumer.partitions_for_topic(topic) or ())]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            seen: set[str] = set()
            found = []
            while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
                for batch in (await consumer.getmany(*partitions, timeout_ms=1000)).values():
                    for record in batch:
                        envelope = event_envelope_pb2.EventEnvelope.FromString(record.value)
                        if envelope.event_id in seen:
                            continue
                        seen.add(envelope.event_id)
                        found.append((envelope, registry.unwrap(envelope)))
            return found
        finally:
            await consumer.stop()

    return asyncio.run(read())


def _minute(envelope: event_envelope_pb2.EventEnvelope) -> str:
    return envelope.occur_time.ToDatetime(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:00Z")


def recount(settings: Settings) -> Shape:
    flow: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    position: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    queue: dict[str, tuple[Any, ...]] = {}
    initiations: dict[str, Any] = {}
    payments = _events(settings, "payments")
    for _, event in payments:
        if type(event).__name__ == "PaymentInitiated":
            initiations[event.payment_id] = event
    for envelope, event in payments:
        name = type(event).__name__
        if name not in STATES and name != "PaymentReleased":
            continue
        first = initiations[event.payment_id]
        channel = p.PaymentChannel.Name(first.channel).removeprefix("PAYMENT_CHANNEL_")
        currency, amount = first.amount.currency_code, first.amount.amount_minor
        if name in STATES:
            counted = flow[f"{_minute(envelope)}|{STATES[name]}|{channel}|{currency}"]
            counted[0] += 1
            counted[1] += amount
        internal = first.WhichOneof("creditor") == "creditor_account_id" or not first.creditor_bic
        participant = "INTERNAL" if internal else first.creditor_bic[:8]
        if name in ("PaymentExecuted", "PaymentSettled"):
            sign = 1 if name == "PaymentExecuted" else -1
            held = position[f"{participant}|{currency}"]
            held[0] += sign
            held[1] += sign * amount
        if name == "PaymentHeld":
            queue[event.payment_id] = (event.hold_reason, amount, currency, first.channel)
        elif name in ("PaymentReleased", "PaymentRejected", "PaymentCancelled"):
            queue.pop(event.payment_id, None)

    decisions: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0.0])
    for envelope, event in _events(settings, "risk"):
        if type(event).__name__ != "FraudEvaluated":
            continue
        counted = decisions[f"{_minute(envelope)}|{event.model.model_name}|{event.model.model_version}"]
        index = {fraud.FRAUD_DECISION_APPROVE: 0, fraud.FRAUD_DECISION_REVIEW: 1, fraud.FRAUD_DECISION_DECLINE: 2}
        if event.decision in index:
            counted[index[event.decision]] += 1
        counted[3] += int(event.model_unavailable)
        counted[4] += event.fraud_score

    outcomes: dict[str, int] = defaultdict(int)
    for envelope, event in _events(settings, "customer"):
        if type(event).__name__ in ("KycCheckCompleted", "KycCheckManuallyResolved") and event.state in (
            kyc.KYC_CHECK_STATE_VERIFIED, kyc.KYC_CHECK_STATE_REJECTED, kyc.KYC_CHECK_STATE_MANUAL_REVIEW,
        ):  # fmt: skip
            outcomes[f"{_minute(envelope)}|{kyc.KycCheckState.Name(event.state).removeprefix('KYC_CHECK_STATE_')}"] += 1

    return {
        "flow": {key: tuple(value) for key, value in flow.items()},
        "position": {key: tuple(value) for key, value in position.items()},
        "review": queue,
        "fraud": {key: (*value[:4], round(value[4], 6)) for key, value in decisions.items()},
        "kyc": {key: (value,) for key, value in outcomes.items()},
    }


def written(settings: Settings) -> Shape:
    """What the processor's topics hold now (latest value per key), in the recount's shape."""
    found = {kind: asyncio.run(aggregates.latest(settings, kind)) for kind in aggregates.MESSAGES}
    return {
        "flow": {k: (v.payment_count, v.total_amount.amount_minor) for k, v in found["flow"].items()},
        "position": {k: (v.payment_count, v.unsettled_amount.amount_minor) for k, v in found["position"].items()},
        "review": {
            k: (v.hold_reason, v.amount.amount_minor, v.amount.currency_code, v.channel)
            for k, v in found["review"].items()
        },
        "fraud": {
            k: (
                v.approve_count,
                v.review_count,
                v.decline_count,
                v.model_unavailable_count,
                round(v.fraud_score_sum, 6),
            )
            for k, v in found["fraud"].items()
        },
        "kyc": {k: (v.check_count,) for k, v in found["kyc"].items()},
    }


def differences(expected: Shape, actual: Shape) -> dict[str, dict[str, tuple[Any, Any]]]:
    """Per kind, the keys whose values differ (None: absent on that side)."""
    out: dict[str, dict[str, tuple[Any, Any]]] = {}
    for kind in expected:
        keys = set(expected[kind]) | set(actual[kind])
        diff = {
            k: (expected[kind].get(k), actual[kind].get(k))
            for k in keys
            if expected[kind].get(k) != actual[kind].get(k)
        }
        if diff:
            out[kind] = diff
    return out
