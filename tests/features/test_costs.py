"""What the pipeline and the online read cost PostgreSQL, counted (statements and transactions are
deterministic), on a schema of the mesh's features database: one handled payment event, one online read of a
payment's three entities. Events that share a transaction (the consumer applies a polled batch in one) each
count, in order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fintech.common.v1 import event_envelope_pb2
from fintech.customer.v1 import events_pb2 as customer_events
from fintech.features.v1 import entity_pb2, feature_store_service_pb2, feature_store_service_pb2_grpc
from fintech.features.v1 import events_pb2 as feature_events_pb2
from sqlalchemy import func, select

from libs.featurespec.definitions import FRAUD_VIEW, reading_number
from services.features.adapters.db.tables import feature_events, online_features, pipeline_progress
from services.features.adapters.pipeline import FeaturePipeline
from services.features.main import feature_store
from services.runtime.db import outbox_events
from services.runtime.outbox import default_registry
from tests.features.support import REGISTRY, counting, local_server, payment_initiated, service_database

pytestmark = pytest.mark.mesh("postgres")
CUSTOMER, ACCOUNT, MERCHANT = (
    entity_pb2.ENTITY_TYPE_CUSTOMER,
    entity_pb2.ENTITY_TYPE_ACCOUNT,
    entity_pb2.ENTITY_TYPE_MERCHANT,
)


async def _handle(pipeline: FeaturePipeline, *envelopes) -> None:
    async with pipeline.database.transaction() as session:
        for envelope in envelopes:
            await pipeline.handle(session, envelope, REGISTRY.unwrap(envelope))


async def test_one_payment_event_costs_two_statements_and_a_redelivery_changes_nothing(settings):
    async with service_database("features") as database:
        pipeline = FeaturePipeline(database, settings)
        envelope = payment_initiated(str(uuid.uuid4()), str(uuid.uuid4()), 250, creditor_account_id=str(uuid.uuid4()))
        with counting(database) as counts:
            await _handle(pipeline, envelope)
        # Its history rows, online rows and the watermark in one statement (was 7), its three
        # EntityFeaturesUpdated in another (was 3); the transaction is the consumer's.
        assert len(counts.statements) == 2, counts.statements
        assert counts.begins == counts.commits == 1
        with counting(database) as counts:
            await _handle(pipeline, envelope)  # were it applied again (the consumer skips it): no new rows
        assert len(counts.statements) == 1
        async with database.session() as session:
            assert await session.scalar(select(func.count()).select_from(outbox_events)) == 3
            assert set(await session.scalars(select(online_features.c.version))) == {1}


async def test_events_sharing_a_transaction_each_count_in_order_and_their_updates_cost_one_insert(settings):
    customer, account, payee = (str(uuid.uuid4()) for _ in range(3))
    base = datetime.now(UTC) - timedelta(minutes=5)
    first = payment_initiated(customer, account, 250, creditor_account_id=payee, at=base)
    second = payment_initiated(customer, account, 700, creditor_account_id=payee, at=base + timedelta(minutes=1))
    third = payment_initiated(customer, str(uuid.uuid4()), 900, at=base - timedelta(minutes=1))  # late, other account
    async with service_database("features") as database:
        pipeline = FeaturePipeline(database, settings)
        with counting(database) as counts:
            await _handle(pipeline, first, second, third)
        async with database.session() as session:
            online = {
                (row.entity_type, str(row.entity_id)): row for row in await session.execute(select(online_features))
            }
            history = (await session.execute(select(feature_events))).all()
            watermark = await session.scalar(select(pipeline_progress.c.watermark_time))
            outbox = (await session.execute(select(outbox_events).order_by(outbox_events.c.position))).all()
    assert len(counts.statements) == 3 + 1  # one per event, and their nine EntityFeaturesUpdated at commit
    assert online[(CUSTOMER, customer)].version == 3 and online[(CUSTOMER, customer)].payment_count == 3
    assert online[(CUSTOMER, customer)].amount_sum == 250 + 700 + 900
    assert online[(CUSTOMER, customer)].first_occur_time == base - timedelta(minutes=1)
    assert online[(ACCOUNT, account)].version == 2 and online[(MERCHANT, payee)].version == 2
    assert len(history) == 3 * 3
    assert watermark == base + timedelta(minutes=1)  # the newest event time, not the last one applied
    updates = [default_registry().unwrap(_envelope(row.payload)) for row in outbox]
    sequences = [(row.key, _envelope(row.payload).sequence) for row in outbox]
    assert [s for key, s in sequences if key == customer] == [1, 2, 3]  # per entity, in order
    assert [s for key, s in sequences if key == payee] == [1, 2]
    assert all(isinstance(u, feature_events_pb2.EntityFeaturesUpdated) for u in updates)
    assert {u.source_event_id for u in updates} == {first.event_id, second.event_id, third.event_id}


async def test_an_erasure_after_payments_in_one_transaction_comes_after_their_updates_and_a_rollback_adds_none(
    settings,
):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    erased = REGISTRY.wrap(
        customer_events.CustomerErased(customer_id=customer), subject=customer, sequence=9,
        source="spiffe://cluster.local/ns/fintech/sa/customer",
    )  # fmt: skip
    async with service_database("features") as database:
        pipeline = FeaturePipeline(database, settings)
        with pytest.raises(RuntimeError):
            async with database.transaction() as session:
                paid = payment_initiated(customer, account, 100)
                await pipeline.handle(session, paid, REGISTRY.unwrap(paid))
                raise RuntimeError("the batch fails")
        await _handle(pipeline, payment_initiated(customer, account, 300), erased)
        async with database.session() as session:
            outbox = (await session.execute(select(outbox_events).order_by(outbox_events.c.position))).all()
    types = [(row.key, row.event_type.rsplit(".", 1)[-1]) for row in outbox if row.key == customer]
    assert types == [(customer, "EntityFeaturesUpdated"), (customer, "EntityFeaturesErased")]  # none rolled back


def _envelope(payload: bytes) -> event_envelope_pb2.EventEnvelope:
    return event_envelope_pb2.EventEnvelope.FromString(payload)


async def test_an_online_read_of_a_payments_entities_costs_one_statement(settings):
    customer, account, payee = (str(uuid.uuid4()) for _ in range(3))
    async with service_database("features") as database:
        pipeline = FeaturePipeline(database, settings)
        await _handle(
            pipeline,
            *(payment_initiated(customer, account, 250 * i, creditor_account_id=payee) for i in range(1, 4)),
        )
        request = feature_store_service_pb2.RetrieveOnlineFeaturesRequest(
            entities=[
                entity_pb2.EntityKey(entity_type=CUSTOMER, entity_id=customer),
                entity_pb2.EntityKey(entity_type=ACCOUNT, entity_id=account),
                entity_pb2.EntityKey(entity_type=MERCHANT, entity_id=payee),
            ],
            feature_view=FRAUD_VIEW,
        )
        store = feature_store(database, settings)
        add = feature_store_service_pb2_grpc.add_FeatureStoreServiceServicer_to_server
        async with local_server(add, store) as channel:
            stub = feature_store_service_pb2_grpc.FeatureStoreServiceStub(channel)
            with counting(database) as counts:
                response = await stub.RetrieveOnlineFeatures(request, timeout=5)
    # Every entity, the watermark and the read time in one statement (was 2 + 2 per entity); no commit.
    assert len(counts.statements) == 1 and counts.begins == 1 and counts.commits == 0, counts.statements
    values = {r.feature_name: reading_number(r) for entity in response.entities for r in entity.readings}
    assert values["customer_payment_count_1m"] == 3
    assert values["account_payment_amount_mean_30d"] == pytest.approx(500)
    assert values["merchant_distinct_payer_count_24h"] == 1
