"""What Predict served, stored: its PredictionServed events (outbox) and the drift bins of its rows.

Calls that finish while a write is committing are stored together by the next one (group commit): a
burst of predictions costs one transaction of two statements, not one transaction each. A call still
returns only after the transaction holding its records has committed, so no served prediction lacks
its event.
"""

from __future__ import annotations

import asyncio

from fintech.common.v1 import event_envelope_pb2
from fintech.ml.v1 import events_pb2
from sqlalchemy import text

from services.ml.app.ports import Bins
from services.runtime import outbox
from services.runtime.db import Database

# Arrays keep the text one whatever the number of bins, so it is prepared once per connection. Rows are
# sorted, so concurrent writers (other processes) lock them in one order.
ADD_BINS = text("""
INSERT INTO served_feature_bins AS b (model_version_id, feature_name, bucket, count)
SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:names AS text[]), CAST(:buckets AS integer[]),
                     CAST(:counts AS bigint[]))
ON CONFLICT (model_version_id, feature_name, bucket) DO UPDATE
    SET count = b.count + excluded.count, last_served_at = now()
""")


class Recorder:
    def __init__(self, database: Database, source: str) -> None:
        self.database = database
        self.source = source
        self._waiting: list[tuple[list[event_envelope_pb2.EventEnvelope], Bins, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record_served(self, events: list[events_pb2.PredictionServed], bins: Bins) -> None:
        """Store one call's PredictionServed events (each its own subject) and drift bins."""
        source = self.source
        await self.record([outbox.wrap(e, subject=e.prediction_id, sequence=1, source=source) for e in events], bins)

    async def record(self, envelopes: list[event_envelope_pb2.EventEnvelope], bins: Bins) -> None:
        """Store one call's events and bins; returns once they are committed."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((envelopes, bins, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await done

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            envelopes = [envelope for call, _, _ in batch for envelope in call]
            bins = sum((call for _, call, _ in batch), Bins())
            try:
                await self._store(envelopes, bins)
            except BaseException as error:
                for _, _, done in batch:
                    if done.done():  # its caller was cancelled
                        continue
                    if isinstance(error, asyncio.CancelledError):
                        done.cancel()
                    else:
                        done.set_exception(error)
                if not isinstance(error, Exception):
                    raise
            else:
                for _, _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _store(self, envelopes: list[event_envelope_pb2.EventEnvelope], bins: Bins) -> None:
        async with self.database.transaction() as session:
            await outbox.add_events(session, envelopes)
            if bins:
                keys = sorted(bins)
                await session.execute(
                    ADD_BINS,
                    {
                        "ids": [k[0] for k in keys],
                        "names": [k[1] for k in keys],
                        "buckets": [k[2] for k in keys],
                        "counts": [bins[k] for k in keys],
                    },
                )
