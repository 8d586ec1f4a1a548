"""Feature values from the event table: the same computation online (as of now) and point in time.

A window is (as_of - window, as_of]; only events that occurred at or before `as_of` are read, so a
historical read never sees a later event, whenever it arrived.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.features.definitions import CURRENCY, SMALL_AMOUNT_MINOR, Agg, Feature

PIPELINE = "payments"


@dataclass(frozen=True)
class Value:
    """A computed value: None when the feature has no value (MISSING)."""

    feature: Feature
    value: int | float | timedelta | None
    occur_time: datetime | None


def _expression(feature: Feature, index: int) -> str:
    window = f"occur_time > :since_{index}" if feature.window else "TRUE"
    if feature.small_only:
        window += f" AND amount_minor <= {SMALL_AMOUNT_MINOR}"
    if feature.source_field == "amount":
        window += " AND currency_code = :currency"
    match feature.aggregation:
        case Agg.COUNT:
            return f"count(*) FILTER (WHERE {window})"
        case Agg.SUM:
            return f"coalesce(sum(amount_minor) FILTER (WHERE {window}), 0)"
        case Agg.MEAN:
            return f"avg(amount_minor) FILTER (WHERE {window})"
        case Agg.STDDEV:
            return f"stddev_pop(amount_minor) FILTER (WHERE {window})"
        case Agg.MAX:
            return f"max(amount_minor) FILTER (WHERE {window})"
        case Agg.DISTINCT_COUNT:
            return f"count(DISTINCT counterparty_id) FILTER (WHERE {window})"
        case Agg.TIME_SINCE_LAST:
            return "max(occur_time)"
    raise ValueError(f"no computation for {feature.aggregation}")


async def compute(
    session: AsyncSession, entity_type: int, entity_id: uuid.UUID, features: Sequence[Feature], as_of: datetime
) -> list[Value]:
    """The values of `features` (all of the entity's type) for one entity, as of `as_of`."""
    if not features:
        return []
    params: dict[str, object] = {"t": entity_type, "id": entity_id, "as_of": as_of, "currency": CURRENCY}
    columns = []
    for index, feature in enumerate(features):
        if feature.window:
            params[f"since_{index}"] = as_of - feature.window
        columns.append(f"{_expression(feature, index)} AS f{index}")
    sql = (
        f"SELECT max(occur_time) AS last_time, {', '.join(columns)} FROM feature_events "
        "WHERE entity_type = :t AND entity_id = :id AND occur_time <= :as_of"
    )
    row = (await session.execute(text(sql), params)).one()
    last_time = row.last_time
    values = []
    for index, feature in enumerate(features):
        raw = row[index + 1]
        if last_time is None:
            value = None
        elif feature.aggregation == Agg.TIME_SINCE_LAST:
            value = as_of - raw
        elif raw is None:
            value = None
        elif isinstance(raw, Decimal):
            value = float(raw)
        else:
            value = raw
        values.append(Value(feature, value, last_time))
    return values


async def watermark(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        text("SELECT watermark_time FROM pipeline_progress WHERE pipeline = :p"), {"p": PIPELINE}
    )
