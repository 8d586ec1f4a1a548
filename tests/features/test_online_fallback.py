"""Where risk's online features come from: Redis in one round trip under the writer's lease (an entity it has no
row for has no events); the features service (over gRPC, reading PostgreSQL) when Redis fails, has no lease or
has a row marked stale, counted by reason. The features service's RetrieveOnlineFeatures reads Redis the same
way, PostgreSQL otherwise.

The features service runs in this process (its real servicer on a real PostgreSQL schema), so its statements
are counted: a payment served from Redis costs PostgreSQL none."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fintech.features.v1 import entity_pb2, feature_store_service_pb2, feature_store_service_pb2_grpc
from fintech.risk.v1 import transaction_pb2 as txn
from prometheus_client import REGISTRY

from libs.featurespec.definitions import FRAUD_VIEW, reading_number
from libs.featurespec.online import LIVE_KEY, OnlineReader, key
from services.features.adapters.db.erasure import Erasure
from services.features.adapters.db.reads import FeatureReads
from services.features.api.feature_store import FeatureStoreServicer
from services.features.app.feature_store import FeatureStore
from services.risk.adapters.clients import FeatureStore as RiskFeatureStore
from tests.features.online_support import online_store, redis_for_tests
from tests.features.support import counting, local_server, payment_initiated

pytestmark = pytest.mark.mesh("postgres", "redis")
CLOSED_PORT = 9


class LocalFeatures:
    """Risk's ServiceClient in the shape FeatureStore uses it (stub, call), over the in-process channel."""

    def __init__(self, channel) -> None:
        self.channel = channel
        self.calls = 0

    def stub(self, stub_class):
        return stub_class(self.channel)

    async def call(self, method, request, *, timeout=None):
        self.calls += 1
        return await method(request, timeout=timeout)


def _fallbacks(reason: str) -> float:
    return REGISTRY.get_sample_value("risk_online_features_fallback_total", {"reason": reason}) or 0.0


def _transaction(customer: str, account: str, merchant: str) -> txn.Transaction:
    return txn.Transaction(customer_id=customer, debtor_account_id=account, creditor_account_id=merchant)


@pytest.fixture
async def payment(settings):
    """A store with a payment's three entities written to Redis, the in-process features service, the ids."""
    customer, account, merchant = (str(uuid.uuid4()) for _ in range(3))
    start = datetime.now(UTC) - timedelta(minutes=30)
    async with online_store(settings) as store:
        at = [start + i * timedelta(minutes=2) for i in range(6)]
        await store.handle(
            *(
                payment_initiated(customer, account, 200 + 900 * i, creditor_account_id=merchant, at=at[i])
                for i in range(6)
            )
        )
        await store.writer.step()
        servicer = FeatureStoreServicer(
            FeatureStore(FeatureReads(store.database), Erasure(store.database, "features"), store.reader)
        )
        add = feature_store_service_pb2_grpc.add_FeatureStoreServiceServicer_to_server
        async with local_server(add, servicer) as channel:
            yield store, LocalFeatures(channel), (customer, account, merchant)


async def _from_postgres(store, features: LocalFeatures, ids) -> dict[str, float | None]:
    """The values the features service computes from PostgreSQL (no reader: the path risk fell back to before)."""
    risk = RiskFeatureStore(features)  # type: ignore[arg-type]
    found = await risk.fraud_features(_transaction(*ids))
    assert found is not None
    return found


async def test_a_payment_in_redis_is_served_in_one_round_trip_without_the_features_service(payment):
    store, features, ids = payment
    expected = await _from_postgres(store, features, ids)
    risk = RiskFeatureStore(features, store.reader)  # type: ignore[arg-type]
    calls = features.calls
    with counting(store.database) as counts:
        served = await risk.fraud_features(_transaction(*ids))
    assert features.calls == calls and counts.statements == []
    assert served is not None and served.keys() == expected.keys()
    timing = {name for name in served if name.endswith("time_since_last_payment")}  # read a moment apart
    assert {k: v for k, v in served.items() if k not in timing} == pytest.approx(
        {k: v for k, v in expected.items() if k not in timing}
    )
    assert served["customer_time_since_last_payment"] == pytest.approx(
        expected["customer_time_since_last_payment"], abs=2
    )
    assert served["account_payment_count_30d"] == 6


@pytest.mark.parametrize("fault", ["unavailable", "behind", "stale"])
async def test_risk_falls_back_to_the_features_service_and_counts_why(payment, settings, fault):
    store, features, ids = payment
    reader = store.reader
    if fault == "unavailable":
        reader = OnlineReader(redis_for_tests(settings, port=CLOSED_PORT, timeout=0.2), timeout=0.2)
    elif fault == "behind":
        await store.redis.delete(LIVE_KEY)  # the writer's lease lapsed (it resyncs, or is away)
    else:
        await _mark_stale(store, entity_pb2.ENTITY_TYPE_MERCHANT, ids[2])
    risk = RiskFeatureStore(features, reader)  # type: ignore[arg-type]
    before, calls = _fallbacks(fault), features.calls
    served = await risk.fraud_features(_transaction(*ids))
    assert _fallbacks(fault) == before + 1
    assert features.calls == calls + 1  # screened with the features service's values, never without
    assert served is not None and served["account_payment_count_30d"] == 6
    assert served["merchant_payment_count_1h"] == 6
    if fault == "unavailable":
        await reader.stop()


async def _mark_stale(store, entity_type: int, entity_id: str) -> None:
    """As the writer leaves a row it found a gap in, until the resync."""
    await store.redis.delete(key(entity_type, entity_id))
    await store.redis.hset(key(entity_type, entity_id), "s", 1)


async def test_an_entity_never_seen_is_served_from_redis_as_missing(payment):
    store, features, ids = payment
    new_payee = str(uuid.uuid4())
    risk = RiskFeatureStore(features, store.reader)  # type: ignore[arg-type]
    calls, fallbacks = features.calls, sum(_fallbacks(r) for r in ("unavailable", "behind", "stale"))
    served = await risk.fraud_features(_transaction(ids[0], ids[1], new_payee))
    assert features.calls == calls and sum(_fallbacks(r) for r in ("unavailable", "behind", "stale")) == fallbacks
    assert served is not None and served["merchant_payment_count_1h"] is None  # as PostgreSQL: no events
    assert served["account_payment_count_30d"] == 6
    from_service = await _from_postgres(store, features, (ids[0], ids[1], new_payee))
    assert from_service["merchant_payment_count_1h"] is None


async def test_the_features_service_reads_redis_and_postgresql_when_a_row_is_stale(payment):
    store, features, ids = payment
    customer, account, merchant = ids
    request = feature_store_service_pb2.RetrieveOnlineFeaturesRequest(
        entities=[
            entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_CUSTOMER, entity_id=customer),
            entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_ACCOUNT, entity_id=account),
        ],
        feature_view=FRAUD_VIEW,
    )
    stub = feature_store_service_pb2_grpc.FeatureStoreServiceStub(features.channel)
    with counting(store.database) as counts:
        from_redis = await stub.RetrieveOnlineFeatures(request, timeout=5)
    assert counts.statements == []
    await _mark_stale(store, entity_pb2.ENTITY_TYPE_ACCOUNT, account)
    with counting(store.database) as counts:
        from_postgres = await stub.RetrieveOnlineFeatures(request, timeout=5)
    assert len(counts.statements) == 1

    def numbers(response):
        return {
            r.feature_name: reading_number(r)
            for entity in response.entities
            for r in entity.readings
            if not r.feature_name.endswith("time_since_last_payment")
        }

    assert numbers(from_redis) == pytest.approx(numbers(from_postgres))
    assert numbers(from_redis)["account_payment_count_30d"] == 6
