"""Read the real-time aggregates off their compacted topics: `python -m tools.aggregates [KIND ...] [--follow]`.

Each topic (services/runtime/kafka.py ANALYTICS_TOPICS) holds the contract's messages
(proto/fintech/analytics/v1/aggregates.proto) keyed as it says; the latest record of a key is its value, a record
without a value (a tombstone) deletes it. This reads from the beginning without a consumer group, read_committed
(only what the processor's transactions committed), and prints the latest value of every key; `--follow` goes on
printing each update as it arrives.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from fintech.analytics.v1 import aggregates_pb2 as agg
from google.protobuf import json_format
from google.protobuf.message import Message

from services.runtime.config import Settings, get_settings
from services.runtime.kafka import ANALYTICS_TOPICS, make_admin

MESSAGES: dict[str, type[Message]] = {
    "flow": agg.PaymentFlowWindow,
    "fraud": agg.FraudDecisionWindow,
    "review": agg.ReviewQueueEntry,
    "position": agg.SettlementPosition,
    "kyc": agg.KycOutcomeWindow,
}


async def records(settings: Settings, kind: str) -> list[tuple[str, Message | None]]:
    """Every record now on one aggregate topic, as (key, value or None for a tombstone), in each key's order."""
    return [record async for record in _records(settings, kind, follow=False)]


async def latest(settings: Settings, kind: str) -> dict[str, Message]:
    """Every live key of one aggregate topic and its latest value (tombstoned keys are absent)."""
    values: dict[str, Message] = {}
    for key, value in await records(settings, kind):
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return values


async def _records(settings: Settings, kind: str, *, follow: bool) -> AsyncIterator[tuple[str, Message | None]]:
    topic, message = ANALYTICS_TOPICS[kind], MESSAGES[kind]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        enable_auto_commit=False,
        isolation_level="read_committed",
        client_id="fintech-aggregates-reader",
    )
    await consumer.start()
    try:
        partitions = await _partitions(settings, topic)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while follow or [p for p, end in ends.items() if await consumer.position(p) < end]:
            batches = await consumer.getmany(*partitions, timeout_ms=1000)
            for batch in batches.values():
                for record in batch:
                    key = record.key.decode() if record.key else ""
                    yield key, (message.FromString(record.value) if record.value is not None else None)
    finally:
        await consumer.stop()


async def _partitions(settings: Settings, topic: str) -> list[TopicPartition]:
    admin = make_admin("fintech-aggregates-reader", settings=settings)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]


async def processor_progress(settings: Settings) -> dict[TopicPartition, tuple[int, int]]:
    """(committed offset, end offset) of every partition the processor's consumer group has committed offsets for:
    the domain topics it reads and its repartition topics."""
    admin = make_admin("fintech-aggregates-progress", settings=settings)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, client_id="fintech-aggregates")
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(settings.analytics.consumer_group)
        ends = await consumer.end_offsets(list(committed))
        return {tp: (meta.offset, ends[tp]) for tp, meta in committed.items()}
    finally:
        await consumer.stop()
        await admin.close()


def lag(progress: dict[TopicPartition, tuple[int, int]]) -> int:
    """Records the processor has not committed yet. The repartition topics are written in transactions: their last
    offset may be a commit marker, which no consumer commits past."""
    return sum(
        max(0, end - committed - tp.topic.startswith("repartition__")) for tp, (committed, end) in progress.items()
    )


def _line(kind: str, key: str, value: Message | None) -> str:
    if value is None:
        return f"{kind:8} {key}  (deleted)"
    fields = json_format.MessageToDict(value, preserving_proto_field_name=True)
    return f"{kind:8} {key}  {fields}"


async def _print(settings: Settings, kinds: Iterable[str], follow: bool) -> None:
    if not follow:
        for kind in kinds:
            for key, value in sorted((await latest(settings, kind)).items()):
                print(_line(kind, key, value))
        return

    async def follow_one(kind: str) -> None:
        async for key, value in _records(settings, kind, follow=True):
            print(_line(kind, key, value), flush=True)

    await asyncio.gather(*(follow_one(kind) for kind in kinds))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", help=f"some of {', '.join(ANALYTICS_TOPICS)} (default: every kind)")
    parser.add_argument("--follow", action="store_true", help="keep printing updates as they arrive")
    args = parser.parse_args(argv)
    if unknown := set(args.kinds) - set(ANALYTICS_TOPICS):
        parser.error(f"no such aggregate: {', '.join(sorted(unknown))}")
    asyncio.run(_print(get_settings(), args.kinds or list(ANALYTICS_TOPICS), args.follow))


if __name__ == "__main__":
    main()
