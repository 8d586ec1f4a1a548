"""The online store's layout and codec (libs.featurespec.online), pure: keys, events and rows read back as written,
to the bit, and a row read as of an instant sees what the PostgreSQL read would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from libs.featurespec.compute import Event, values
from libs.featurespec.definitions import FEATURES, Entity
from libs.featurespec.online import (
    LAST,
    NO_EVENTS,
    VERSION,
    OnlineRow,
    as_of,
    decode_event,
    decode_row,
    encode_event,
    encode_row,
    event_field,
    key,
    row_values,
)

ACCOUNT_FEATURES = [f for f in FEATURES if f.entity == Entity.ACCOUNT]


def test_a_key_carries_the_version_prefix_and_the_canonical_id():
    entity_id = uuid.uuid4()
    assert key(Entity.ACCOUNT, str(entity_id).upper()) == f"fs:v1:2:{entity_id}"
    assert key(int(Entity.CUSTOMER), entity_id) == f"fs:v1:1:{entity_id}"
    with pytest.raises(ValueError):
        key(Entity.ACCOUNT, "not-a-uuid")


def test_an_event_reads_back_as_written_to_the_bit():
    at = datetime(2026, 12, 6, 10, 11, 12, 345_678, tzinfo=UTC).timestamp()
    for event in (Event(at, 1234, "EUR", str(uuid.uuid4())), Event(at + 1e-6, 0, "USD", None)):
        assert decode_event(encode_event(event)) == event


def test_a_row_reads_back_sorted_and_one_without_its_version_is_none():
    events = [Event(30.5, 300, "EUR", None), Event(10.25, 100, "EUR", "a"), Event(20.0, 200, "EUR", "b")]
    ids = [uuid.uuid4() for _ in events]
    pairs = encode_row(OnlineRow(3, 30.5, events), ids)
    fields = dict(zip(pairs[::2], pairs[1::2], strict=True))
    assert fields[event_field(ids[1])] == encode_event(events[1])
    row = decode_row({VERSION: b"3", **fields})
    assert row == OnlineRow(3, 30.5, sorted(events, key=lambda e: e.time))
    assert decode_row({}) == NO_EVENTS  # no row: no events
    assert decode_row({b"s": b"1"}) is None  # marked stale: not to be served
    assert decode_row({VERSION: b"3", **fields, b"s": b"1"}) is None
    assert decode_row({k: v for k, v in fields.items() if k != LAST} | {VERSION: b"3"}) is None


def test_a_row_as_of_an_instant_sees_only_the_events_until_then():
    events = [Event(100.0, 100, "EUR", "a"), Event(200.0, 200, "EUR", "b"), Event(300.0, 300, "EUR", "c")]
    row = OnlineRow(3, 300.0, events)
    assert as_of(row, 250.0) == (events[:2], 200.0)
    assert as_of(row, 300.0) == (events, 300.0)
    assert as_of(row, 50.0) == ([], None)
    assert row_values(ACCOUNT_FEATURES, 250.0, row) == values(ACCOUNT_FEATURES, 250.0, events[:2], 200.0)
    assert row_values(ACCOUNT_FEATURES, 50.0, row) == [None] * len(ACCOUNT_FEATURES)
    assert row_values(ACCOUNT_FEATURES, 50.0, NO_EVENTS) == [None] * len(ACCOUNT_FEATURES)
