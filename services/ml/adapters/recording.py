"""What Predict served, stored: its PredictionServed events (outbox), and its drift bins counted (drift_bins.py).

Calls that finish while a write is in flight are stored together by the next one (group commit): a burst of
predictions costs one statement, not one each. The events of a write are one INSERT on an autocommit
connection: one statement is atomic by itself, so it needs no BEGIN and COMMIT round trips. A call still
returns only after the statement holding its events has committed, so no served prediction lacks its event;
its drift bins are counted once it has.
"""

from __future__ import annotations

import asyncio

from fintech.common.v1 import event_envelope_pb2
from fintech.ml.v1 import events_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from services.ml.adapters.drift_bins import DriftBins
from services.ml.app.ports import Bins
from services.runtime import outbox
from services.runtime.db import Database


class Recorder:
    def __init__(self, database: Database, source: str, drift: DriftBins) -> None:
        self.database = database
        self.source = source
        self.drift = drift
        self._waiting: list[tuple[list[event_envelope_pb2.EventEnvelope], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record_served(self, events: list[events_pb2.PredictionServed], bins: Bins) -> None:
        """Store one call's PredictionServed events (each its own subject) and count its drift bins."""
        source = self.source
        await self.record([outbox.wrap(e, subject=e.prediction_id, sequence=1, source=source) for e in events], bins)

    async def record(self, envelopes: list[event_envelope_pb2.EventEnvelope], bins: Bins) -> None:
        """Store one call's events; returns once they are committed, its bins counted."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((envelopes, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await done
        self.drift.add(bins)

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._store([envelope for call, _ in batch for envelope in call])
            except BaseException as error:
                for _, done in batch:
                    if done.done():  # its caller was cancelled
                        continue
                    if isinstance(error, asyncio.CancelledError):
                        done.cancel()
                    else:
                        done.set_exception(error)
                if not isinstance(error, Exception):
                    raise
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _store(self, envelopes: list[event_envelope_pb2.EventEnvelope]) -> None:
        async with self.database.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            async with AsyncSession(bind=connection) as session:
                await outbox.add_events(session, envelopes)
        self.database.outbox_committed.set()  # wakes this process's relay, as a committed transaction does
