"""What a Predict costs PostgreSQL, counted (statements and transactions are deterministic): the serving
service in this process on a schema of the mesh's ml database, with the repository's models registered, in
front of the mesh's Triton. And how long a promotion takes to reach routing."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest
from fintech.ml.v1 import events_pb2
from fintech.ml.v1 import model_serving_service_pb2 as srv
from fintech.ml.v1 import model_serving_service_pb2_grpc as srv_grpc
from fintech.ml.v1 import model_version_pb2 as mv
from sqlalchemy import func, select

from libs.featurespec.model_inputs import FEATURES
from services.ml.adapters.db.tables import served_feature_bins
from services.ml.adapters.db.versions import ModelStore
from services.ml.adapters.drift_bins import DriftBins
from services.ml.adapters.model_repository import repository_versions, version_from_record
from services.ml.adapters.recording import Recorder
from services.ml.adapters.triton import Triton
from services.ml.api.serving import ModelServing
from services.ml.app import serving
from services.ml.app.bootstrap import register_repository
from services.ml.app.registry import ReadyCheck, Registry
from services.ml.app.serving import Serving
from services.runtime import outbox
from services.runtime.config import ROOT
from services.runtime.db import Database, outbox_events
from tests.features.support import counting, local_server, service_database
from tests.ml.support import record, sample_rows

pytestmark = pytest.mark.mesh("postgres", "triton")
SOURCE = "spiffe://cluster.local/ns/fintech/sa/ml"


def _registry(database: Database, is_ready: ReadyCheck) -> Registry:
    return Registry(ModelStore(database, SOURCE, b"test-page-token-key"), is_ready)


def _serving(registry: Registry, triton: Triton, database: Database, drift: DriftBins | None = None) -> Serving:
    recorder = Recorder(database, SOURCE, drift or DriftBins(database))
    return Serving(registry, triton, recorder, b"test-monitoring-key")


def _request(count: int = 1) -> srv.PredictRequest:
    request = srv.PredictRequest(model_name="fraud", request_id=str(uuid.uuid4()))
    for row in sample_rows("fraud", count):
        instance = request.instances.add(entity_id=str(uuid.uuid4()))
        for feature, number in zip(FEATURES["fraud"], row, strict=True):
            instance.features[feature.name].double_value = float(number)
    return request


async def test_a_predict_costs_one_statement_and_no_transaction(settings):
    triton = Triton(settings)
    async with service_database("ml") as database:
        registry = _registry(database, triton.is_ready)
        await register_repository(registry, repository_versions())
        add = srv_grpc.add_ModelServingServiceServicer_to_server
        drift = DriftBins(database)
        async with local_server(add, ModelServing(_serving(registry, triton, database, drift), settings)) as ch:
            stub = srv_grpc.ModelServingServiceStub(ch)
            with counting(database) as first:
                await stub.Predict(_request(), timeout=10)
            with counting(database) as counts:
                response = await stub.Predict(_request(3), timeout=10)
    await triton.stop()
    # The first call reads the routes and the drift baseline (cached: ROUTE_TTL, immutable); was 3 reads.
    assert len(first.statements) == 3 and first.commits == 0, first.statements
    # Then: the PredictionServed events in one insert (was one each) on an autocommit connection (SQLAlchemy
    # counts a begin, PostgreSQL gets no BEGIN nor COMMIT); the drift bins are counted in memory (drift_bins.py).
    # Was one transaction of two statements (the bins' upsert: 18 rows per prediction).
    assert counts.statements == [first.statements[-1]] and (counts.begins, counts.commits) == (1, 0)
    assert counts.statements[0].startswith("INSERT INTO outbox_events")
    assert len(response.predictions) == 3 and drift.pending == (1 + 3) * (len(FEATURES["fraud"]) + 1)  # and score


async def test_concurrent_calls_share_a_statement_and_each_returns_after_its_commit():
    async with service_database("ml") as database:
        drift = DriftBins(database)
        recorder = Recorder(database, SOURCE, drift)
        version = uuid.uuid4()
        calls = [
            (
                [
                    outbox.wrap(
                        events_pb2.PredictionServed(prediction_id=str(uuid.uuid4()), model_name="m"),
                        subject=str(uuid.uuid4()),
                        sequence=1,
                        source=SOURCE,
                    )
                ],  # fmt: skip
                Counter({(version, "score", i % 3): 1, (version, "x", 0): 2}),
            )
            for i in range(6)
        ]
        with counting(database) as counts:
            await asyncio.gather(*(recorder.record(*call) for call in calls))
        async with database.session() as session:
            events = await session.scalar(select(func.count()).select_from(outbox_events))
        assert len(counts.statements) == 1 and counts.commits == 0 and events == 6
        assert drift.pending == 18 and await _bins(database) == {}  # counted, not yet written
        with counting(database) as flushed:
            await drift.flush()
        assert len(flushed.statements) == 1 and drift.pending == 0
        assert await _bins(database) == {("score", 0): 2, ("score", 1): 2, ("score", 2): 2, ("x", 0): 12}


async def _bins(database: Database) -> dict[tuple[str, int], int]:
    async with database.session() as session:
        rows = await session.execute(
            select(served_feature_bins.c.feature_name, served_feature_bins.c.bucket, served_feature_bins.c.count)
        )
        return {(name, bucket): count for name, bucket, count in rows}


async def test_a_promotion_routes_at_once_here_and_within_the_ttl_elsewhere(settings, monkeypatch):
    async with service_database("ml") as database:
        here = _registry(database, lambda name, version: _ready())
        await register_repository(here, repository_versions())
        elsewhere = _serving(_registry(database, here.is_ready), Triton(settings), database)
        local = _serving(here, Triton(settings), database)
        second, baseline, bias = version_from_record(record("fraud"), ROOT / "models" / "fraud" / "1")
        second.version = "3"  # 2 is the repository's challenger (CANARY at 0 %: served only when named)
        await here.register("fraud", second, "tests", baseline=baseline, bias=bias)
        request = ("fraud", "", "r")  # model, version (none: by stage), request id
        assert (await local.route(*request))[1] == [] and (await elsewhere.route(*request))[1] == []
        await here.promote("fraud", "3", mv.MODEL_STAGE_SHADOW, reason="test", promoted_by="tests")
        assert [v.version for v in (await local.route(*request))[1]] == ["3"]  # this process: at once
        assert (await elsewhere.route(*request))[1] == []  # another process: its cache, until ROUTE_TTL
        monkeypatch.setattr(serving, "ROUTE_TTL", 0.0)
        assert [v.version for v in (await elsewhere.route(*request))[1]] == ["3"]


async def _ready() -> bool:
    return True
