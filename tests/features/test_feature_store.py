"""The feature store against the real mesh: payment events on Kafka become online features within a second,
historical reads are point in time and equal training's computation, as do the online rows in Redis,
redelivered events count once, erasure empties an entity."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from fintech.customer.v1 import events_pb2 as customer_events
from fintech.features.v1 import entity_pb2, feature_store_service_pb2, feature_store_service_pb2_grpc
from fintech.features.v1 import feature_value_pb2 as fv

from libs.featurespec.compute import Event
from libs.featurespec.definitions import FRAUD_VIEW, reading_number, view
from libs.featurespec.online import OnlineReader, OnlineRow, row_values
from services.features.adapters.pipeline import GROUP_ID
from services.runtime.config import Settings
from services.runtime.redis_client import connect
from tests.features.support import REGISTRY, channel, payment_initiated, processed, publish
from tools.models.train import EntityHistory

pytestmark = pytest.mark.mesh("postgres", "kafka", "redis", "features")
CUSTOMER, ACCOUNT, MERCHANT = (
    entity_pb2.ENTITY_TYPE_CUSTOMER,
    entity_pb2.ENTITY_TYPE_ACCOUNT,
    entity_pb2.ENTITY_TYPE_MERCHANT,
)


def _key(entity_type: int, entity_id: str) -> entity_pb2.EntityKey:
    return entity_pb2.EntityKey(entity_type=entity_type, entity_id=entity_id)


def _values(readings) -> dict[str, object]:
    out: dict[str, object] = {}
    for reading in readings:
        if reading.status == fv.FEATURE_STATUS_MISSING:
            out[reading.feature_name] = None
            continue
        kind = reading.value.WhichOneof("kind")
        value = getattr(reading.value, kind)
        out[reading.feature_name] = value.amount_minor if kind == "money_value" else value
    return out


async def _online(settings: Settings, *keys, names=None, view=None):
    async with channel(settings, "features", "risk") as ch:
        stub = feature_store_service_pb2_grpc.FeatureStoreServiceStub(ch)
        request = feature_store_service_pb2.RetrieveOnlineFeaturesRequest(entities=keys)
        if view:
            request.feature_view = view
        else:
            request.features.feature_names.extend(names)
        return await stub.RetrieveOnlineFeatures(request, timeout=5)


async def test_payments_become_online_features_and_redelivery_counts_once(settings: Settings):
    customer, account, payee = (str(uuid.uuid4()) for _ in range(3))
    envelopes = [payment_initiated(customer, account, 250, creditor_account_id=payee) for _ in range(4)]
    envelopes.append(payment_initiated(customer, account, 12_000))
    # The first one delivered twice, last: the pipeline has processed it too before anything is read.
    await processed(GROUP_ID, await publish(*envelopes, envelopes[0]))
    names = ["customer_payment_count_1m", "customer_small_payment_count_1m", "customer_payment_amount_sum_1h",
             "customer_distinct_counterparty_count_24h", "customer_time_since_last_payment"]  # fmt: skip

    response = await _online(settings, _key(CUSTOMER, customer), names=names)
    values = _values(response.entities[0].readings)
    assert values["customer_payment_count_1m"] == 5
    assert values["customer_small_payment_count_1m"] == 4
    assert values["customer_payment_amount_sum_1h"] == 4 * 250 + 12_000
    assert values["customer_distinct_counterparty_count_24h"] == 2  # the payee, and the big payment's creditor
    assert values["customer_time_since_last_payment"].ToTimedelta() < timedelta(minutes=1)

    # An entity without events: counts are missing, never left out; the account reads its own features only.
    fresh = await _online(settings, _key(CUSTOMER, str(uuid.uuid4())), _key(ACCOUNT, account), view="payment_fraud_v1")
    assert all(r.status == fv.FEATURE_STATUS_MISSING for r in fresh.entities[0].readings)
    account_values = _values(fresh.entities[1].readings)
    assert all(name.startswith("account_") for name in account_values)
    assert account_values["account_payment_count_1m"] == 5


async def test_historical_reads_are_point_in_time(settings: Settings):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    times = [base + timedelta(minutes=10 * i) for i in range(5)]  # t0 .. t0+40m
    # Published out of order: the late arrival of an early event still counts for reads after it occurred.
    sent = await publish(
        *(payment_initiated(customer, account, 1000 * (i + 1), at=t) for i, t in reversed(list(enumerate(times))))
    )
    await processed(GROUP_ID, sent)
    online = await _online(settings, _key(CUSTOMER, customer), names=["customer_payment_count_24h"])
    assert _values(online.entities[0].readings)["customer_payment_count_24h"] == 5
    names = ["customer_payment_count_1h", "customer_payment_amount_sum_1h", "customer_payment_amount_mean_30d",
             "customer_time_since_last_payment"]  # fmt: skip
    request = feature_store_service_pb2.RetrieveHistoricalFeaturesRequest()
    request.features.feature_names.extend(names)
    for key, at in (
        ("before", base - timedelta(minutes=1)),
        ("t2", times[2]),
        ("t2+5m", times[2] + timedelta(minutes=5)),
    ):
        row = request.entity_rows.add(entity=_key(CUSTOMER, customer), row_key=key)
        row.read_time.FromDatetime(at)
    async with channel(settings, "features", "cli", "model_risk") as ch:
        response = await feature_store_service_pb2_grpc.FeatureStoreServiceStub(ch).RetrieveHistoricalFeatures(
            request, timeout=10
        )
    rows = {row.row_key: _values(row.readings) for row in response.rows}
    assert rows["before"] == dict.fromkeys(names)  # nothing had happened yet
    assert rows["t2"]["customer_payment_count_1h"] == 3  # t0, t0+10, t0+20 (at read time, included)
    assert rows["t2"]["customer_payment_amount_sum_1h"] == 1000 + 2000 + 3000
    assert rows["t2"]["customer_payment_amount_mean_30d"] == pytest.approx(2000)
    assert rows["t2+5m"]["customer_payment_count_1h"] == 3  # never the events of t0+30m and t0+40m
    assert rows["t2+5m"]["customer_time_since_last_payment"].ToTimedelta() == timedelta(minutes=5)


async def test_definitions_are_listed_and_erasure_empties_an_entity(settings: Settings):
    async with channel(settings, "features", "cli") as ch:
        stub = feature_store_service_pb2_grpc.FeatureStoreServiceStub(ch)
        first = await stub.ListFeatureDefinitions(feature_store_service_pb2.ListFeatureDefinitionsRequest(page_size=5))
        second = await stub.ListFeatureDefinitions(
            feature_store_service_pb2.ListFeatureDefinitionsRequest(page_size=5, page_token=first.next_page_token)
        )
    names = [d.feature_name for d in [*first.feature_definitions, *second.feature_definitions]]
    assert names == sorted(names) and len(set(names)) == 10

    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    await processed(GROUP_ID, await publish(payment_initiated(customer, account, 700)))
    online = await _online(settings, _key(CUSTOMER, customer), names=["customer_payment_count_1m"])
    assert _values(online.entities[0].readings)["customer_payment_count_1m"] == 1
    # The customer service erases a customer by event: CustomerErased on its topic.
    erased = customer_events.CustomerErased(customer_id=customer)
    envelope = REGISTRY.wrap(
        erased, subject=customer, sequence=9, source="spiffe://cluster.local/ns/fintech/sa/customer"
    )
    await processed(GROUP_ID, await publish(envelope, envelope, topic="fintech.customer.events.v1"))
    view = await _online(settings, _key(ACCOUNT, account), view="payment_fraud_v1")
    assert all(r.status == fv.FEATURE_STATUS_MISSING for r in view.entities[0].readings)  # their account too
    after = await _online(settings, _key(CUSTOMER, customer), names=["customer_payment_count_1m"])
    assert after.entities[0].readings[0].status == fv.FEATURE_STATUS_MISSING


def _history(rng: random.Random, merchant: str) -> list[tuple[datetime, int, str]]:
    """40 payments over about 30 hours up to a few minutes ago, every third one to `merchant`."""
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=30)
    payments = []
    for i in range(40):
        at += timedelta(seconds=rng.choice([3, 20, 50, 290, 2_400, 7_300]), microseconds=rng.randrange(10**6))
        creditor = merchant if i % 3 == 0 else str(uuid.uuid4())
        payments.append((at, rng.choice([100, 450, 500, 501, 2_500, 90_000]), creditor))
    return payments


def _trained(payments, keys: dict[int, str], entity: int, read_time: datetime) -> dict[str, float | None]:
    """What training computes for `entity` as of `read_time`: it replays the payments up to then."""
    merchant, account = keys[MERCHANT], keys[ACCOUNT]
    history = EntityHistory()
    for t, amount, creditor in payments:
        if t <= read_time and (entity != MERCHANT or creditor == merchant):
            counterparty = account if entity == MERCHANT else creditor
            history.add(Event(t.timestamp(), amount, "EUR", counterparty))
    features = [f for f in view(FRAUD_VIEW) if f.entity == entity]
    return dict(zip((f.name for f in features), history.values(features, read_time.timestamp()), strict=True))


async def test_historical_reads_equal_what_training_computes_from_the_same_events(settings: Settings):
    """Training builds its rows with the same computation: same events, same read times, same values."""
    customer, account, merchant = (str(uuid.uuid4()) for _ in range(3))
    payments = _history(random.Random(6), merchant)
    sent = await publish(
        *(payment_initiated(customer, account, a, creditor_account_id=c, at=t) for t, a, c in payments)
    )
    await processed(GROUP_ID, sent)
    online = await _online(settings, _key(ACCOUNT, account), names=["account_payment_count_30d"])
    assert _values(online.entities[0].readings)["account_payment_count_30d"] == len(payments)
    read_times = [payments[0][0] - timedelta(seconds=1), *(payments[k][0] for k in (0, 7, 21, 39))]
    read_times.append(payments[39][0] + timedelta(minutes=9))
    keys = {CUSTOMER: customer, ACCOUNT: account, MERCHANT: merchant}
    request = feature_store_service_pb2.RetrieveHistoricalFeaturesRequest(feature_view=FRAUD_VIEW)
    for i, read_time in enumerate(read_times):
        for entity, entity_id in keys.items():
            row = request.entity_rows.add(entity=_key(entity, entity_id), row_key=f"{i}:{entity}")
            row.read_time.FromDatetime(read_time)
    async with channel(settings, "features", "cli", "model_risk") as ch:
        response = await feature_store_service_pb2_grpc.FeatureStoreServiceStub(ch).RetrieveHistoricalFeatures(
            request, timeout=10
        )
    served = {row.row_key: {r.feature_name: reading_number(r) for r in row.readings} for row in response.rows}

    compared = 0
    for i, read_time in enumerate(read_times):
        for entity in keys:
            expected = _trained(payments, keys, entity, read_time)
            assert served[f"{i}:{entity}"] == pytest.approx(expected), (i, entity)
            compared += sum(value is not None for value in expected.values())
    assert compared > 100  # most of the values exist: the comparison is not of empty rows


async def test_what_risk_reads_from_redis_equals_what_training_computes_from_the_same_events(settings: Settings):
    """The online rows the pipeline wrote to Redis, read as risk reads them (libs.featurespec.online), give the
    values training computes, at every read time: serving and training do not skew."""
    customer, account, merchant = (str(uuid.uuid4()) for _ in range(3))
    payments = _history(random.Random(11), merchant)
    sent = await publish(
        *(payment_initiated(customer, account, a, creditor_account_id=c, at=t) for t, a, c in payments)
    )
    await processed(GROUP_ID, sent)
    keys = {CUSTOMER: customer, ACCOUNT: account, MERCHANT: merchant}
    reader = OnlineReader(connect(settings, "risk", timeout=5.0), timeout=5.0)  # a TLS handshake on a busy machine
    try:
        rows = await _written(reader, keys, {CUSTOMER: 40, ACCOUNT: 40, MERCHANT: 14})
    finally:
        await reader.stop()
    read_times = [payments[0][0] - timedelta(seconds=1), *(payments[k][0] for k in (0, 7, 21, 39))]
    read_times += [payments[39][0] + timedelta(minutes=9), datetime.now(UTC)]
    compared = 0
    for read_time in read_times:
        for entity, row in zip(keys, rows, strict=True):
            features = [f for f in view(FRAUD_VIEW) if f.entity == entity]
            values = row_values(features, read_time.timestamp(), row)
            from_redis = dict(zip((f.name for f in features), values, strict=True))
            expected = _trained(payments, keys, entity, read_time)
            assert from_redis == pytest.approx(expected), (read_time, entity)
            compared += sum(value is not None for value in expected.values())
    assert compared > 100


async def _written(reader: OnlineReader, keys: dict[int, str], versions: dict[int, int]) -> list[OnlineRow]:
    """The entities' rows once Redis holds them at the given versions (the writer follows the commit)."""
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        rows, _ = await reader.rows(list(keys.items()))
        if all(row is not None and row.version == versions[e] for e, row in zip(keys, rows, strict=True)):
            return [row for row in rows if row is not None]
        assert asyncio.get_running_loop().time() < deadline, rows
        await asyncio.sleep(0.1)


async def test_an_operator_erases_a_merchant_by_rpc_and_no_service_may(settings: Settings):
    merchant = str(uuid.uuid4())
    sent = await publish(payment_initiated(str(uuid.uuid4()), str(uuid.uuid4()), 900, creditor_account_id=merchant))
    await processed(GROUP_ID, sent)
    names = ["merchant_payment_count_1h"]
    online = await _online(settings, _key(MERCHANT, merchant), names=names)
    assert _values(online.entities[0].readings)["merchant_payment_count_1h"] == 1
    request = feature_store_service_pb2.EraseEntityFeaturesRequest(
        entities=[_key(MERCHANT, merchant)], erasure_request_id=str(uuid.uuid4())
    )
    async with channel(settings, "features", "risk") as ch:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await feature_store_service_pb2_grpc.FeatureStoreServiceStub(ch).EraseEntityFeatures(request)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    async with channel(settings, "features", "cli") as ch:
        stub = feature_store_service_pb2_grpc.FeatureStoreServiceStub(ch)
        erased = await stub.EraseEntityFeatures(request, timeout=5)
        again = await stub.EraseEntityFeatures(request, timeout=5)  # the same request answers the same
    assert erased.erasures[0].history_value_count == 1 and erased.erasures[0].online_value_count > 0
    assert again.erasures == erased.erasures
    after = await _online(settings, _key(MERCHANT, merchant), names=names)
    assert after.entities[0].readings[0].status == fv.FEATURE_STATUS_MISSING
