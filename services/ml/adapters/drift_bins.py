"""The drift bins of served values, counted in memory per worker and added to PostgreSQL every few seconds.

Every prediction falls in one bucket per model input and one for its score: 18 rows for a fraud prediction.
Upserting them with each call made ml's prediction path update 18 rows per payment; counted here, a worker
writes one statement per FLUSH_SECONDS whatever the load (the counts of every call since the last flush, summed).

What this trades: drift statistics only. The calls' PredictionServed events still commit before each call
returns (recording.py); a graceful stop flushes what is counted; a flush that fails keeps its counts for the
next one. A crash (kill -9, OOM) loses the counts of at most the last FLUSH_SECONDS of that worker, so a drift
report undercounts those few seconds; no money, event or decision depends on them. A drift report asked of
this worker flushes first, so it includes all this worker served; other workers' last seconds come with their
next flush. `first_served_at` and `last_served_at` are flush times: up to FLUSH_SECONDS late.
"""

from __future__ import annotations

import structlog
from sqlalchemy import text

from services.ml.app.ports import Bins
from services.runtime.db import Database
from services.runtime.observability import safe_error
from services.runtime.periodic import PeriodicTask

log = structlog.get_logger("ml.drift")
FLUSH_SECONDS = 5.0

# Arrays keep the text one whatever the number of bins, so it is prepared once per connection. Rows are
# sorted, so concurrent writers (other workers) lock them in one order.
ADD_BINS = text("""
INSERT INTO served_feature_bins AS b (model_version_id, feature_name, bucket, count)
SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:names AS text[]), CAST(:buckets AS integer[]),
                     CAST(:counts AS bigint[]))
ON CONFLICT (model_version_id, feature_name, bucket) DO UPDATE
    SET count = b.count + excluded.count, last_served_at = now()
""")


class DriftBins(PeriodicTask):
    """This worker's counts not yet in the database; flushed every `interval` seconds and on stop."""

    def __init__(self, database: Database, interval: float = FLUSH_SECONDS) -> None:
        super().__init__("ml-drift-bins", interval)
        self.database = database
        self._pending = Bins()

    def add(self, bins: Bins) -> None:
        """Count a call's bins (written by the next flush)."""
        self._pending.update(bins)

    @property
    def pending(self) -> int:
        """How many served values are counted here and not yet in the database."""
        return sum(self._pending.values())

    async def flush(self) -> None:
        """Add the counts to the database in one statement (an autocommit upsert: atomic by itself); on failure
        they stay counted here for the next flush."""
        if not self._pending:
            return
        batch, self._pending = self._pending, Bins()
        keys = sorted(batch)
        parameters = {
            "ids": [k[0] for k in keys],
            "names": [k[1] for k in keys],
            "buckets": [k[2] for k in keys],
            "counts": [batch[k] for k in keys],
        }
        try:
            async with self.database.engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(ADD_BINS, parameters)
        except BaseException:
            self._pending.update(batch)  # with whatever was counted meanwhile
            raise

    async def tick(self) -> bool:
        await self.flush()
        return False

    async def closing(self) -> None:
        """On stop: the last flush (the server has drained its calls by then)."""
        try:
            await self.flush()
        except Exception as error:  # noqa: BLE001 - the database is away: the counts are lost, say how many
            log.warning("drift.unflushed", served_values=self.pending, error=safe_error(error))
