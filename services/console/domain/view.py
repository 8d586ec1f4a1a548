"""The materialized view of the aggregate topics: the latest value of every key, a tombstone deletes it.

Values are the contract's messages as JSON objects (protobuf's JSON mapping: enum names, int64 as strings, RFC 3339
times), which the page reads as they are. Windows older than the horizon are dropped: the compacted topics keep every
window, the page shows the recent ones, and the console's memory stays bounded however long it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fintech.analytics.v1 import aggregates_pb2
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message

from services.console.domain.panels import PANEL_TOPICS, TOPIC_PANELS, Panel

MESSAGES: dict[Panel, type[Message]] = {
    Panel.PAYMENTS: aggregates_pb2.PaymentFlowWindow,
    Panel.FRAUD: aggregates_pb2.FraudDecisionWindow,
    Panel.REVIEW: aggregates_pb2.ReviewQueueEntry,
    Panel.SETTLEMENT: aggregates_pb2.SettlementPosition,
    Panel.KYC: aggregates_pb2.KycOutcomeWindow,
}
assert set(MESSAGES) == set(PANEL_TOPICS)

Value = dict[str, Any]


class BadAggregate(ValueError):
    """A record that is not its topic's message: skipped and counted, never fatal (the view goes on)."""


@dataclass(frozen=True)
class Change:
    """One key's new value (None: deleted) in one panel."""

    panel: Panel
    key: str
    value: Value | None

    def as_json(self) -> dict[str, Any]:
        return {"panel": self.panel.value, "key": self.key, "value": self.value}


def decode(topic: str, value: bytes) -> tuple[Panel, Value]:
    """The panel and JSON object of a record's value; BadAggregate when the topic or bytes are not the contract's."""
    panel = TOPIC_PANELS.get(topic)
    if panel is None:
        raise BadAggregate(f"{topic} is not an aggregate topic")
    message = MESSAGES[panel]()
    try:
        message.ParseFromString(value)
    except DecodeError as error:
        raise BadAggregate(f"{topic}: not a {message.DESCRIPTOR.full_name}") from error
    return panel, json_format.MessageToDict(message, preserving_proto_field_name=True)


def _window_start(value: Value) -> datetime | None:
    start = value.get("window_start")
    return datetime.fromisoformat(start) if isinstance(start, str) else None  # Python 3.11 reads the "Z"


class View:
    """Every panel's live keys. apply() takes records in topic order and says what changed."""

    def __init__(self, history: timedelta) -> None:
        self.history = history
        self.panels: dict[Panel, dict[str, Value]] = {panel: {} for panel in PANEL_TOPICS}

    def apply(self, topic: str, key: str, value: bytes | None, now: datetime) -> Change | None:
        """A record: its value replaces the key's, a tombstone (None) deletes it. None when nothing changed
        (a tombstone for an unknown key, a window past the horizon)."""
        panel = TOPIC_PANELS.get(topic)
        if panel is None:
            raise BadAggregate(f"{topic} is not an aggregate topic")
        keys = self.panels[panel]
        if value is None:
            return Change(panel, key, None) if keys.pop(key, None) is not None else None
        panel, decoded = decode(topic, value)
        start = _window_start(decoded)
        if start is not None and start < now - self.history:
            return Change(panel, key, None) if keys.pop(key, None) is not None else None
        keys[key] = decoded
        return Change(panel, key, decoded)

    def expire(self, now: datetime) -> list[Change]:
        """Drop the windows that passed the horizon since they arrived."""
        horizon = now - self.history
        changes = []
        for panel, keys in self.panels.items():
            for key in [k for k, v in keys.items() if (s := _window_start(v)) is not None and s < horizon]:
                del keys[key]
                changes.append(Change(panel, key, None))
        return changes

    def snapshot(self, panels: frozenset[Panel]) -> dict[str, dict[str, Value]]:
        """The panels' keys and values (a copy), for a viewer who may see `panels`."""
        return {panel.value: dict(keys) for panel, keys in self.panels.items() if panel in panels}
