"""Computed feature values: one entity's features as of an instant (libs.featurespec.compute over its events)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fintech.features.v1 import entity_pb2

from libs.featurespec.compute import Event
from libs.featurespec.compute import values as computed_values
from libs.featurespec.definitions import Agg, Feature


@dataclass(frozen=True)
class Value:
    """A computed value: None when the feature has no value (MISSING)."""

    feature: Feature
    value: int | float | timedelta | None
    occur_time: datetime | None


@dataclass(frozen=True)
class Read:
    """One entity's features to compute as of `as_of` (None: the database's now, the online read)."""

    entity_type: int
    entity_id: uuid.UUID
    features: Sequence[Feature]
    as_of: datetime | None = None


@dataclass(frozen=True)
class Result:
    as_of: datetime
    values: list[Value]


def result(read: Read, as_of: datetime, last_time: datetime | None, events: list[Event]) -> Result:
    """The read's values from its entity's events in the longest window ending at `as_of` and its latest event."""
    computed = computed_values(
        read.features, as_of.timestamp(), events, last_time.timestamp() if last_time is not None else None
    )
    values = [
        Value(
            feature,
            timedelta(seconds=value) if value is not None and feature.aggregation == Agg.TIME_SINCE_LAST else value,
            last_time,
        )
        for feature, value in zip(read.features, computed, strict=True)
    ]
    return Result(as_of, values)


@dataclass(frozen=True)
class Erased:
    """What erasing an entity removed: its online values and its history values."""

    entity: entity_pb2.EntityKey
    online_value_count: int
    history_value_count: int
