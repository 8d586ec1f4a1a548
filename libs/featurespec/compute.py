"""The one computation of the feature definitions: an entity's events in, its feature values out. Pure.

The feature store runs it on the events it reads from PostgreSQL (online: as of now; historical: as of a
past instant) and model training runs it on the generated history as of each training example, so both
see the same values by construction. Times are UTC epoch seconds.

Point in time: a value as of `as_of` reads only events at or before `as_of`; a windowed feature reads
the events in (as_of - window, as_of].
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from libs.featurespec.definitions import CURRENCY, SMALL_AMOUNT_MINOR, Agg, Feature


@dataclass(frozen=True)
class Event:
    """One payment as an entity's history holds it."""

    time: float
    amount_minor: int
    currency_code: str
    counterparty: str | None  # for payers: the creditor account at this bank; for merchants: the payer


def longest_window(features: Sequence[Feature]) -> float:
    """Seconds of history that `features` read (time since last reads only the latest event's time)."""
    return max((f.window.total_seconds() for f in features if f.window), default=0.0)


def values(
    features: Sequence[Feature], as_of: float, events: Sequence[Event], last_time: float | None
) -> list[float | None]:
    """The features' values for one entity.

    `events`: the entity's events in (as_of - longest_window, as_of], oldest first (older ones are
    ignored); `last_time`: the time of its latest event at or before `as_of`, None when it has none.
    An entity without events has no value for any feature; MEAN, STDDEV and MAX have none over an
    empty window; counts and sums are 0 there.
    """
    if last_time is None:
        return [None] * len(features)
    times = [event.time for event in events]
    result: list[float | None] = []
    for feature in features:
        if feature.aggregation == Agg.TIME_SINCE_LAST:
            result.append(as_of - last_time)
            continue
        start = bisect.bisect_right(times, as_of - feature.window.total_seconds()) if feature.window else 0
        selected = events[start:]
        if feature.small_only:
            selected = [e for e in selected if e.amount_minor <= SMALL_AMOUNT_MINOR]
        amounts = [e.amount_minor for e in selected if e.currency_code == CURRENCY]
        value: float | None
        match feature.aggregation:
            case Agg.COUNT:
                value = len(selected)
            case Agg.SUM:
                value = sum(amounts)
            case Agg.MEAN:
                value = statistics.fmean(amounts) if amounts else None
            case Agg.STDDEV:
                value = statistics.pstdev(amounts) if amounts else None
            case Agg.MAX:
                value = max(amounts) if amounts else None
            case Agg.DISTINCT_COUNT:
                value = len({e.counterparty for e in selected if e.counterparty})
            case _:
                raise ValueError(f"no computation for {feature.aggregation}")
        result.append(value)
    return result
