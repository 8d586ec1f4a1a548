"""Feature values from the event table: the same computation (libs.featurespec.compute) online (as of
now) and point in time.

A window is (as_of - window, as_of]; only events that occurred at or before `as_of` are read, so a
historical read never sees a later event, whenever it arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.featurespec.compute import Event, longest_window
from services.features.domain.values import Read, Result, result
from services.runtime.db import Database

PIPELINE = "payments"


# Every entity of a request in one statement: per entity (in request order) its latest event at or before
# as_of and its events in (as_of - longest window, as_of], oldest first; one row with no event when it has
# none in the window. The watermark comes along (an uncorrelated subquery: evaluated once).
READ = text("""
SELECT k.ord, k.as_of, l.last_time, e.occur_time, e.amount_minor, e.currency_code, e.counterparty_id,
       (SELECT watermark_time FROM pipeline_progress WHERE pipeline = :pipeline) AS watermark
FROM (
    SELECT ord, entity_type, entity_id, window_seconds, coalesce(as_of, now()) AS as_of
    FROM unnest(CAST(:types AS smallint[]), CAST(:ids AS uuid[]), CAST(:windows AS float8[]),
                CAST(:as_of AS timestamptz[])) WITH ORDINALITY AS u (entity_type, entity_id, window_seconds, as_of, ord)
) k
CROSS JOIN LATERAL (
    SELECT max(occur_time) AS last_time FROM feature_events f
    WHERE f.entity_type = k.entity_type AND f.entity_id = k.entity_id AND f.occur_time <= k.as_of
) l
LEFT JOIN LATERAL (
    SELECT f.occur_time, f.amount_minor, f.currency_code, f.counterparty_id FROM feature_events f
    WHERE l.last_time IS NOT NULL AND f.entity_type = k.entity_type AND f.entity_id = k.entity_id
      AND f.occur_time > k.as_of - make_interval(secs => k.window_seconds) AND f.occur_time <= k.as_of
) e ON true
ORDER BY k.ord, e.occur_time
""").bindparams(pipeline=PIPELINE)


async def compute(session: AsyncSession, reads: Sequence[Read]) -> tuple[list[Result], datetime | None]:
    """The values of each read's features (all of its entity's type), and the pipeline's watermark."""
    if not reads:
        return [], None
    rows = await session.execute(
        READ,
        {
            "types": [read.entity_type for read in reads],
            "ids": [read.entity_id for read in reads],
            "windows": [longest_window(read.features) for read in reads],
            "as_of": [read.as_of for read in reads],
        },
    )
    found: dict[int, tuple[datetime, datetime | None, list[Event]]] = {}
    mark = None
    for row in rows:  # at least one row per read
        mark = row.watermark
        _, _, events = found.setdefault(row.ord, (row.as_of, row.last_time, []))
        if row.occur_time is not None:
            counterparty = str(row.counterparty_id) if row.counterparty_id else None
            events.append(Event(row.occur_time.timestamp(), row.amount_minor, row.currency_code, counterparty))
    return [result(read, *found[i]) for i, read in enumerate(reads, start=1)], mark


class FeatureReads:
    """Reads of computed feature values, each in its own session."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def compute(self, reads: Sequence[Read]) -> tuple[list[Result], datetime | None]:
        async with self.database.session() as session:
            return await compute(session, reads)
