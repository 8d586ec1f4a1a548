"""Read the mesh's events off Kafka, decoded: `python -m tools.events [--subject ID] [--topic T] [--last N]`.

Events are protobuf envelopes (fintech.common.v1.EventEnvelope), so kcat shows bytes; this reads each
domain topic from its beginning without a consumer group (nothing committed, no offsets disturbed),
unwraps every envelope through the event registry and prints a table. The demo uses `read_events`.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from fintech.common.v1 import event_envelope_pb2
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from rich.console import Console
from rich.table import Table

from services.runtime.config import Settings, get_settings
from services.runtime.event_registry import EventContractError, EventRegistry
from services.runtime.kafka import make_admin


@dataclass(frozen=True)
class Event:
    topic: str
    key: str
    envelope: event_envelope_pb2.EventEnvelope
    payload: dict[str, Any]

    @property
    def short_type(self) -> str:
        return self.envelope.event_type.rsplit(".", 1)[-1]

    @property
    def time(self) -> datetime:
        return self.envelope.occur_time.ToDatetime()


def domain_topics(registry: EventRegistry) -> list[str]:
    return sorted({event_type.topic for event_type in registry})


async def read_events(
    settings: Settings, topics: list[str] | None = None, subjects: set[str] | None = None
) -> list[Event]:
    """Every event now on the topics (optionally only those about `subjects`), oldest first."""
    registry = EventRegistry.discover()
    topics = topics or domain_topics(registry)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        enable_auto_commit=False,
        isolation_level="read_committed",
        client_id="fintech-events-reader",
    )
    await consumer.start()
    try:
        partitions = await _partitions(settings, topics)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        events: list[Event] = []
        while [p for p, end in ends.items() if await consumer.position(p) < end]:
            batches = await consumer.getmany(*partitions, timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    try:
                        envelope = event_envelope_pb2.EventEnvelope.FromString(record.value or b"")
                        if subjects and envelope.subject not in subjects:
                            continue
                        event = registry.unwrap(envelope)
                    except (DecodeError, EventContractError):
                        continue  # not an event of the contracts (a poison record the consumers sent to the DLQ)
                    payload = json_format.MessageToDict(event, preserving_proto_field_name=True)
                    key = record.key.decode() if record.key else ""
                    events.append(Event(record.topic, key, envelope, payload))
        return sorted(events, key=lambda event: (event.time, event.envelope.sequence))
    finally:
        await consumer.stop()


async def _partitions(settings: Settings, topics: list[str]) -> list[TopicPartition]:
    admin = make_admin("fintech-events-reader", settings=settings)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [
        TopicPartition(t["topic"], p["partition"]) for t in described if t["error_code"] == 0 for p in t["partitions"]
    ]


def events_table(events: list[Event], title: str = "Events on Kafka (key = aggregate id)") -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("time (UTC)", no_wrap=True, min_width=12)
    table.add_column("event", no_wrap=True, min_width=36)
    table.add_column("key", no_wrap=True, min_width=8)
    table.add_column("seq", justify="right", min_width=3)
    table.add_column("payload")
    for event in events:
        fields = (f"{name}={_short(value)}" for name, value in event.payload.items() if value != event.key)
        table.add_row(
            event.time.strftime("%H:%M:%S.%f")[:-3],
            f"{event.topic.split('.')[1]}/{event.short_type}",
            _short(event.key),
            str(event.envelope.sequence),
            _clip(" ".join(fields), 64),
        )
    return table


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _short(value: object) -> str:
    """UUIDs cut to their first 8 characters and nested messages elided: a table row stays one line."""
    if isinstance(value, dict | list):
        return "{…}"
    text = str(value)
    return text[:8] if len(text) == 36 and text.count("-") == 4 else text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", action="append", help="a topic (default: every domain topic)")
    parser.add_argument("--subject", action="append", help="only events about this aggregate id")
    parser.add_argument("--last", type=int, default=30, help="show the newest N (default 30)")
    args = parser.parse_args(argv)
    events = asyncio.run(read_events(get_settings(), args.topic, set(args.subject or ()) or None))
    Console().print(events_table(events[-args.last :]))


if __name__ == "__main__":
    main()
