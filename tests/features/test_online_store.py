"""The online store's writer against the real Redis and PostgreSQL: what a committed batch writes, that a write
is idempotent and monotonic (a replay or a late write changes nothing, a gap marks the row stale until a resync
writes it whole), that a rollback writes nothing, that a Redis away costs PostgreSQL nothing and is caught up
from it afterwards (readers kept off it meanwhile), and that an erasure empties Redis too."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fintech.features.v1 import entity_pb2

from libs.featurespec.definitions import FEATURES, Entity
from libs.featurespec.online import (
    LIVE_KEY,
    NO_EVENTS,
    SYNCED_KEY,
    WATERMARK_KEY,
    OnlineBehind,
    OnlineReader,
    OnlineUnavailable,
    key,
    row_values,
)
from services.features.adapters.db.erasure import Erasure
from services.features.adapters.online import Update
from tests.features.online_support import online_store, redis_for_tests
from tests.features.support import payment_initiated

pytestmark = pytest.mark.mesh("postgres", "redis")
CLOSED_PORT = 9  # discard: nothing listens there in the test's namespace


def _features(entity: Entity):
    return [f for f in FEATURES if f.entity == entity]


def _payments(customer: str, account: str, merchant: str, count: int, start: datetime):
    return [
        payment_initiated(customer, account, 300 + 700 * i, creditor_account_id=merchant, at=start + i * timedelta(
            seconds=37))
        for i in range(count)
    ]  # fmt: skip


async def _same_as_postgres(store, entity: Entity, entity_id: str) -> None:
    at = datetime.now(UTC)
    row = await store.row(entity, entity_id)
    assert row is not None
    expected = await store.postgres_values(entity, entity_id, at)
    assert row_values(_features(entity), at.timestamp(), row) == pytest.approx(expected, abs=1e-5)  # durations: µs
    assert any(value for value in expected)  # values, not an empty row


async def test_a_committed_batch_is_in_redis_as_postgresql_computes_it(settings):
    customer, account, merchant = (str(uuid.uuid4()) for _ in range(3))
    start = datetime.now(UTC) - timedelta(minutes=20)
    async with online_store(settings) as store:
        await store.handle(*_payments(customer, account, merchant, 12, start))
        await store.writer.step()
        for entity, entity_id in ((Entity.CUSTOMER, customer), (Entity.ACCOUNT, account), (Entity.MERCHANT, merchant)):
            await _same_as_postgres(store, entity, entity_id)
            row = await store.row(entity, entity_id)
            assert row is not None and row.version == 12 and len(row.events) == 12
        watermark = float(await store.redis.get(WATERMARK_KEY))
        assert watermark == (start + 11 * timedelta(seconds=37)).timestamp()
        assert await store.redis.get(SYNCED_KEY) is not None
        assert store.writer.caught_up


async def test_a_rolled_back_transaction_writes_nothing(settings):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    async with online_store(settings) as store:
        with pytest.raises(RuntimeError):
            async with store.database.transaction() as session:
                envelope = payment_initiated(customer, account, 100)
                await store.pipeline.handle(session, envelope, store_event(envelope))
                raise RuntimeError("the batch fails after the handler")
        await store.writer.step()
        assert await store.row(Entity.ACCOUNT, account) == NO_EVENTS
        assert await store.raw(Entity.ACCOUNT, account) == {}


def store_event(envelope):
    from tests.features.support import REGISTRY

    return REGISTRY.unwrap(envelope)


async def test_a_replayed_or_late_write_changes_nothing(settings):
    customer, account, merchant = (str(uuid.uuid4()) for _ in range(3))
    async with online_store(settings) as store:
        first, second = _payments(customer, account, merchant, 2, datetime.now(UTC) - timedelta(minutes=1))
        await store.handle(first)
        await store.writer.step()
        written_first = await store.raw(Entity.ACCOUNT, account)
        await store.handle(second)
        await store.writer.step()
        after_both = await store.raw(Entity.ACCOUNT, account)
        assert after_both[b"v"] == b"2" and len(after_both) == len(written_first) + 1

        # The first event's write again (a replayed batch, a late write): version 1 is not newer than 2.
        entity_id = uuid.UUID(account)
        field = next(name for name in written_first if name.startswith(b"e:"))
        late = Update(int(Entity.ACCOUNT), entity_id, 1, field, written_first[field], 0.0)
        await store.writer._write([late, late], 0.0)
        assert await store.raw(Entity.ACCOUNT, account) == after_both
        # The newest write replayed: nothing either.
        newest = next(name for name in after_both if name.startswith(b"e:") and name not in written_first)
        await store.writer._write([Update(int(Entity.ACCOUNT), entity_id, 2, newest, after_both[newest], 0.0)], 0.0)
        assert await store.raw(Entity.ACCOUNT, account) == after_both
        assert store.writer.caught_up


async def test_a_write_after_a_missed_one_marks_the_row_stale_until_the_resync_writes_it_whole(settings):
    customer, account, merchant = (str(uuid.uuid4()) for _ in range(3))
    async with online_store(settings) as store:
        payments = _payments(customer, account, merchant, 3, datetime.now(UTC) - timedelta(minutes=2))
        await store.handle(payments[0])
        await store.writer.step()
        await store.handle(payments[1])
        store.writer._committed.clear()  # the second batch's writes are lost (a crash after its commit)
        await store.handle(payments[2])
        await store.writer._write(store.writer._committed, 0.0)  # version 3 on top of 1: a gap
        store.writer._committed.clear()
        assert await store.raw(Entity.ACCOUNT, account) == {b"s": b"1"}  # marked stale: readers go to PostgreSQL
        assert await store.row(Entity.ACCOUNT, account) is None
        assert (int(Entity.ACCOUNT), uuid.UUID(account)) in store.writer._stale
        await store.writer.step()  # the resync
        row = await store.row(Entity.ACCOUNT, account)
        assert row is not None and row.version == 3 and len(row.events) == 3
        await _same_as_postgres(store, Entity.ACCOUNT, account)


async def test_a_resync_never_replaces_a_newer_row(settings):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    async with online_store(settings) as store:
        await store.handle(payment_initiated(customer, account, 100))
        await store.writer.step()
        name = key(int(Entity.ACCOUNT), account)
        await store.redis.hset(name, "v", 7)  # Redis ahead of this snapshot (a later write already applied)
        await store.writer.resync([(int(Entity.ACCOUNT), uuid.UUID(account))])
        assert (await store.raw(Entity.ACCOUNT, account))[b"v"] == b"7"


async def test_while_redis_is_away_postgresql_commits_and_the_rows_are_caught_up_once_it_answers(settings):
    customer, account, merchant = (str(uuid.uuid4()) for _ in range(3))
    async with online_store(settings) as store:
        before = _payments(customer, account, merchant, 2, datetime.now(UTC) - timedelta(minutes=3))
        await store.handle(*before)
        await store.writer.step()
        reachable = store.writer.redis
        store.writer.redis = redis_for_tests(settings, port=CLOSED_PORT, timeout=0.2)
        during = _payments(customer, account, merchant, 3, datetime.now(UTC) - timedelta(minutes=1))
        await store.handle(*during)  # commits although Redis is away
        with pytest.raises(Exception):  # noqa: B017, PT011 - whatever redis-py raises for a refused connection
            await store.writer.step()
        assert not store.writer.caught_up
        await store.writer.redis.aclose()
        store.writer.redis = reachable
        store.writer.resync_since = _without_resync  # type: ignore[method-assign]
        await store.writer.step()  # Redis answers: the lease goes first, so readers go to PostgreSQL...
        assert await store.redis.get(LIVE_KEY) is None
        with pytest.raises(OnlineBehind):
            await store.row(Entity.ACCOUNT, account)
        del store.writer.resync_since
        await store.writer.step()  # ...until every row changed since the failure is written again
        assert store.writer.caught_up and await store.redis.get(LIVE_KEY) is not None
        for entity, entity_id in ((Entity.CUSTOMER, customer), (Entity.ACCOUNT, account), (Entity.MERCHANT, merchant)):
            row = await store.row(entity, entity_id)
            assert row is not None and row.version == 5
            await _same_as_postgres(store, entity, entity_id)


async def _without_resync(since: float) -> None:
    """A resync that has not finished yet."""


async def test_a_writer_that_starts_on_a_redis_without_its_mark_resyncs_everything(settings):
    customer, account = str(uuid.uuid4()), str(uuid.uuid4())
    async with online_store(settings) as store:
        await store.handle(payment_initiated(customer, account, 100), payment_initiated(customer, account, 900))
        store.writer._committed.clear()  # committed, never written (a crash before the write)
        await store.redis.flushdb()  # and Redis lost its data
        store.writer._started = False  # a new process
        await store.writer.step()
        await _same_as_postgres(store, Entity.CUSTOMER, customer)
        await _same_as_postgres(store, Entity.ACCOUNT, account)


async def test_an_erasure_empties_the_online_rows_once_it_commits(settings):
    customer, account, merchant = (str(uuid.uuid4()) for _ in range(3))
    async with online_store(settings) as store:
        await store.handle(*_payments(customer, account, merchant, 2, datetime.now(UTC) - timedelta(minutes=1)))
        await store.writer.step()
        assert await store.row(Entity.MERCHANT, merchant) is not None
        erasure = Erasure(store.database, "spiffe://cluster.local/ns/fintech/sa/features", store.writer)
        merchant_key = entity_pb2.EntityKey(entity_type=entity_pb2.ENTITY_TYPE_MERCHANT, entity_id=merchant)
        await erasure.erase([merchant_key], str(uuid.uuid4()))
        await store.writer.step()
        assert await store.raw(Entity.MERCHANT, merchant) == {}
        assert await store.row(Entity.ACCOUNT, account) is not None


async def test_a_reader_facing_a_redis_that_is_away_raises_and_pauses(settings):
    reader = OnlineReader(redis_for_tests(settings, port=CLOSED_PORT, timeout=0.2), timeout=0.2, pause=30.0)
    try:
        with pytest.raises(OnlineUnavailable):
            await reader.rows([(int(Entity.ACCOUNT), str(uuid.uuid4()))])
        with pytest.raises(OnlineUnavailable, match="a moment ago"):
            await reader.rows([(int(Entity.ACCOUNT), str(uuid.uuid4()))])  # paused: no second timeout
    finally:
        await reader.stop()
