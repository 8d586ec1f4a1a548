"""The drift bins counted in memory and flushed to the real PostgreSQL: after a flush the stored counts are what
the predictions served, bucket by bucket; a failed flush keeps its counts; a stop flushes; the loop flushes on
its own; a drift report asked of the worker includes what it has not flushed yet."""

from __future__ import annotations

import asyncio
import uuid

import numpy as np
import pytest
from fintech.ml.v1 import model_serving_service_pb2 as srv
from sqlalchemy import select

from libs.featurespec.model_inputs import FEATURES
from services.ml.adapters.db.tables import served_feature_bins
from services.ml.adapters.db.versions import ModelStore
from services.ml.adapters.drift_bins import DriftBins
from services.ml.adapters.model_repository import repository_versions
from services.ml.adapters.recording import Recorder
from services.ml.adapters.triton import Triton
from services.ml.app.bootstrap import register_repository
from services.ml.app.ports import Bins
from services.ml.app.registry import Registry
from services.ml.app.serving import PredictCall, Serving
from services.ml.domain import governance
from services.runtime.db import Database
from tests.features.support import counting, eventually, service_database
from tests.ml.support import sample_rows

pytestmark = pytest.mark.mesh("postgres", "triton")
SOURCE = "spiffe://cluster.local/ns/fintech/sa/ml"


async def _stored(database: Database) -> dict[tuple[str, int], int]:
    """(feature, bucket) -> count, as stored."""
    async with database.session() as session:
        rows = await session.execute(
            select(served_feature_bins.c.feature_name, served_feature_bins.c.bucket, served_feature_bins.c.count)
        )
        return {(name, bucket): count for name, bucket, count in rows}


def _call(rows: np.ndarray) -> PredictCall:
    """Predict (by stage, no contributions) of the rows, as the servicer makes it of a PredictRequest."""
    request = srv.PredictRequest(model_name="fraud", request_id=str(uuid.uuid4()))
    for row in rows:
        instance = request.instances.add(entity_id=str(uuid.uuid4()))
        for feature, number in zip(FEATURES["fraud"], row, strict=True):
            instance.features[feature.name].double_value = float(number)
    return PredictCall("fraud", "", request.instances, request.request_id, 5.0, None, False, "tests")


async def test_a_flush_stores_what_the_predictions_served_in_one_statement(settings):
    triton = Triton(settings)
    async with service_database("ml") as database:
        drift = DriftBins(database)
        registry = Registry(ModelStore(database, SOURCE, b"key"), triton.is_ready, flush_served=drift.flush)
        await register_repository(registry, repository_versions())
        serving = Serving(registry, triton, Recorder(database, SOURCE, drift), b"monitoring-key")
        batches = [sample_rows("fraud", n, seed=n) for n in (1, 4, 7)]
        served = await asyncio.gather(*(serving.predict(_call(rows)) for rows in batches))
        assert await _stored(database) == {}  # counted in memory only

        with counting(database) as flush:
            await drift.flush()
        assert len(flush.statements) == 1 and drift.pending == 0
        stored = await _stored(database)

        # The counts equal what was predicted: every input's values and the scores, bucket by bucket.
        version = (await registry.retrieve("fraud", "1")).version
        baseline = await registry.baseline(version.model_version_id)
        assert baseline
        rows = np.concatenate(batches)
        scores = [p.score for s in served for p in s.predictions]
        columns = {f.name: rows[:, j] for j, f in enumerate(FEATURES["fraud"])} | {"score": np.array(scores)}
        expected = {
            (name, bucket): count
            for name, values in columns.items()
            for bucket, count in enumerate(governance.bucket_counts(baseline[name]["edges"], values.tolist()))
            if count
        }  # fmt: skip
        assert stored == expected
        assert all(sum(c for (n, _), c in stored.items() if n == name) == 12 for name in columns)

        # Another flush with nothing new costs nothing; a drift report flushes what this worker counted first.
        with counting(database) as idle:
            await drift.flush()
        assert idle.statements == []
        await serving.predict(_call(sample_rows("fraud", 3, seed=3)))
        report = await registry.drift_report("fraud", "1")
        assert report.current_count == 15 and drift.pending == 0
    await triton.stop()


async def test_a_failed_flush_keeps_its_counts_for_the_next(settings):
    version = uuid.uuid4()
    async with service_database("ml") as database:
        away = Database(settings.postgres.url("ml"), schema=f"t_missing_{uuid.uuid4().hex[:8]}")  # no such table
        drift = DriftBins(away)
        drift.add(score_bins(version, {0: 2, 3: 1}))
        with pytest.raises(Exception, match="served_feature_bins"):
            await drift.flush()
        await away.dispose()
        drift.add(score_bins(version, {3: 4}))  # counted meanwhile
        assert drift.pending == 7
        drift.database = database
        await drift.flush()
        assert await _stored(database) == {("score", 0): 2, ("score", 3): 5} and drift.pending == 0


async def test_the_loop_flushes_on_its_own_and_a_stop_flushes_the_rest():
    version = uuid.uuid4()
    async with service_database("ml") as database:
        drift = DriftBins(database, interval=0.2)
        await drift.start()
        drift.add(score_bins(version, {1: 3}))
        flushed = await eventually(lambda: _stored(database), lambda stored: bool(stored), timeout=10)
        assert flushed == {("score", 1): 3}
        drift.add(score_bins(version, {1: 1, 2: 2}))
        drift.interval = 3600.0  # no round before the stop: the stop's flush writes them
        await asyncio.sleep(0.3)
        await drift.stop()
        assert await _stored(database) == {("score", 1): 4, ("score", 2): 2} and drift.pending == 0


def score_bins(version: uuid.UUID, counts: dict[int, int]) -> Bins:
    return Bins({(version, "score", bucket): count for bucket, count in counts.items()})
