"""Feature values from the event table: the same computation (services.features.compute) online (as of
now) and point in time.

A window is (as_of - window, as_of]; only events that occurred at or before `as_of` are read, so a
historical read never sees a later event, whenever it arrived.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.features.compute import Event, longest_window
from services.features.compute import values as computed_values
from services.features.definitions import Agg, Feature

PIPELINE = "payments"


@dataclass(frozen=True)
class Value:
    """A computed value: None when the feature has no value (MISSING)."""

    feature: Feature
    value: int | float | timedelta | None
    occur_time: datetime | None


async def compute(
    session: AsyncSession, entity_type: int, entity_id: uuid.UUID, features: Sequence[Feature], as_of: datetime
) -> list[Value]:
    """The values of `features` (all of the entity's type) for one entity, as of `as_of`."""
    if not features:
        return []
    key = {"t": entity_type, "id": entity_id, "as_of": as_of}
    last_time = await session.scalar(
        text("SELECT max(occur_time) FROM feature_events WHERE entity_type = :t AND entity_id = :id "
             "AND occur_time <= :as_of"),
        key,
    )  # fmt: skip
    rows = []
    if last_time is not None:
        since = as_of - timedelta(seconds=longest_window(features))
        rows = await session.execute(
            text("SELECT occur_time, amount_minor, currency_code, counterparty_id FROM feature_events "
                 "WHERE entity_type = :t AND entity_id = :id AND occur_time > :since AND occur_time <= :as_of "
                 "ORDER BY occur_time"),
            {**key, "since": since},
        )  # fmt: skip
    events = [
        Event(row.occur_time.timestamp(), row.amount_minor, row.currency_code,
                      str(row.counterparty_id) if row.counterparty_id else None)
        for row in rows
    ]  # fmt: skip
    computed = computed_values(
        features, as_of.timestamp(), events, last_time.timestamp() if last_time is not None else None
    )
    return [
        Value(
            feature,
            timedelta(seconds=value) if value is not None and feature.aggregation == Agg.TIME_SINCE_LAST else value,
            last_time,
        )
        for feature, value in zip(features, computed, strict=True)
    ]


async def watermark(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        text("SELECT watermark_time FROM pipeline_progress WHERE pipeline = :p"), {"p": PIPELINE}
    )
