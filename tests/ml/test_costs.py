"""What a Predict costs PostgreSQL, counted (statements and transactions are deterministic): the serving
service in this process on a schema of the mesh's ml database, with the repository's models registered, in
front of the mesh's Triton. And how long a promotion takes to reach routing."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest
from fintech.ml.v1 import events_pb2
from fintech.ml.v1 import model_registry_service_pb2 as reg
from fintech.ml.v1 import model_serving_service_pb2 as srv
from fintech.ml.v1 import model_serving_service_pb2_grpc as srv_grpc
from fintech.ml.v1 import model_version_pb2 as mv
from sqlalchemy import func, select

from libs.featurespec.model_inputs import FEATURES
from services.ml import serving
from services.ml.models import served_feature_bins
from services.ml.recording import Recorder
from services.ml.registry import Registry, register_repository, version_from_record
from services.ml.serving import ModelServing, Triton
from services.runtime import outbox
from services.runtime.config import ROOT
from services.runtime.db import outbox_events
from tests.features.support import counting, local_server, service_database
from tests.ml.support import record, sample_rows

pytestmark = pytest.mark.mesh("postgres", "triton")
SOURCE = "spiffe://cluster.local/ns/fintech/sa/ml"


def _request(count: int = 1) -> srv.PredictRequest:
    request = srv.PredictRequest(model_name="fraud", request_id=str(uuid.uuid4()))
    for row in sample_rows("fraud", count):
        instance = request.instances.add(entity_id=str(uuid.uuid4()))
        for feature, number in zip(FEATURES["fraud"], row, strict=True):
            instance.features[feature.name].double_value = float(number)
    return request


async def test_a_predict_costs_one_transaction_of_two_statements(settings):
    triton = Triton(settings)
    async with service_database("ml") as database:
        registry = Registry(database, settings, triton.is_ready)
        await register_repository(registry)
        add = srv_grpc.add_ModelServingServiceServicer_to_server
        async with local_server(add, ModelServing(registry, triton)) as ch:
            stub = srv_grpc.ModelServingServiceStub(ch)
            with counting(database) as first:
                await stub.Predict(_request(), timeout=10)
            with counting(database) as counts:
                response = await stub.Predict(_request(3), timeout=10)
    await triton.close()
    # The first call reads the routes and the drift baseline (cached: ROUTE_TTL, immutable); was 3 reads.
    assert len(first.statements) == 4 and first.commits == 1, first.statements
    # Then: the PredictionServed events in one insert (was one each), the drift bins in one upsert.
    assert len(counts.statements) == 2 and counts.begins == counts.commits == 1, counts.statements
    assert len(response.predictions) == 3


async def test_concurrent_calls_share_a_transaction_and_each_returns_after_its_commit():
    async with service_database("ml") as database:
        recorder = Recorder(database)
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
            bins = dict(
                (await session.execute(select(served_feature_bins.c.bucket, served_feature_bins.c.count)
                                       .where(served_feature_bins.c.feature_name == "score"))).all()
            )  # fmt: skip
    assert counts.commits == 1 and len(counts.statements) == 2
    assert events == 6 and bins == {0: 2, 1: 2, 2: 2}


async def test_a_promotion_routes_at_once_here_and_within_the_ttl_elsewhere(settings, monkeypatch):
    async with service_database("ml") as database:
        here = Registry(database, settings, lambda name, version: _ready())
        await register_repository(here)
        elsewhere = ModelServing(Registry(database, settings, here.is_ready), Triton(settings))
        local = ModelServing(here, Triton(settings))
        second, baseline, bias = version_from_record(record("fraud"), ROOT / "models" / "fraud" / "1")
        second.version = "2"
        await here.register("fraud", second, "tests", baseline=baseline, bias=bias)
        request = srv.PredictRequest(model_name="fraud", request_id="r")
        assert (await local._route(request))[1] == [] and (await elsewhere._route(request))[1] == []
        await here.promote(
            reg.PromoteModelVersionRequest(
                model_name="fraud", model_version="2", target_stage=mv.MODEL_STAGE_SHADOW, reason="test"
            ),
            "tests",
        )
        assert [v.version for v in (await local._route(request))[1]] == ["2"]  # this process: at once
        assert (await elsewhere._route(request))[1] == []  # another process: its cache, until ROUTE_TTL
        monkeypatch.setattr(serving, "ROUTE_TTL", 0.0)
        assert [v.version for v in (await elsewhere._route(request))[1]] == ["2"]


async def _ready() -> bool:
    return True
