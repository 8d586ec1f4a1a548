"""The online rows in Redis (layout and scripts: libs.featurespec.online), written after PostgreSQL commits them.

PostgreSQL stays the truth (history, point-in-time reads, training); Redis follows it. A transaction queues its
writes on its session (`queue`); they are handed over when it commits (a rollback drops them) and a background
task writes each handed-over lot in one pipelined round trip. A write carries the entity's version, so a replayed
or late one changes nothing and one after a missed update marks the row stale (readers go to PostgreSQL) until
a resync writes it whole. While it is caught up the writer renews its lease (`fs:v1:live`) every second; readers
serve from Redis only under it.

When Redis fails the batch is already committed in PostgreSQL, so Kafka never waits for Redis; the writer then
resyncs from PostgreSQL every row updated (or erased) since the failure, once Redis answers again, and deletes
its lease first, so readers take PostgreSQL's values instead of stale ones until it is done. Why by time
and not a dirty flag per row: clearing a flag costs PostgreSQL a write per batch on the hot path, while
`online_features.update_time` is written anyway. Redis remembers when it was last known complete
(`fs:v1:synced`), so a writer that starts (after a crash between a commit and its write, or on a Redis that lost
its data) resyncs from then, or everything when Redis has no such mark.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as aioredis
import structlog
from prometheus_client import Counter
from redis.asyncio.client import Pipeline
from redis.exceptions import NoScriptError, RedisError
from sqlalchemy import event as sql_event
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from libs.featurespec.compute import Event, longest_window
from libs.featurespec.definitions import FEATURES
from libs.featurespec.online import (
    ADVANCE,
    APPLY,
    LIVE_KEY,
    REPLACE,
    SYNCED_KEY,
    WATERMARK_KEY,
    OnlineRow,
    encode_row,
    key,
)
from services.runtime.backoff import Backoff
from services.runtime.db import Database
from services.runtime.observability import safe_error

log = structlog.get_logger(__name__)

WINDOW = longest_window(FEATURES)  # events older than every window are not written to Redis
# Rows updated this long before a failure (or the synced mark) are resynced too: a transaction's update_time is
# its start, before the commit, and the database's clock is not ours.
MARGIN = 60.0
PAGE = 500  # entities per resync statement and pipeline
# How long readers may trust Redis after the writer last vouched for it (renewed five times as often): the
# longest a crashed writer's or an unreachable Redis' rows can be served stale.
LEASE = 5.0
_QUEUED = "online_writes"

ONLINE_WRITES = Counter(
    "features_online_writes_total",
    "Entity rows written to Redis, by outcome (applied, replayed, gap, erased, resynced, failed).",
    ["outcome"],
)

# A batch of entities as PostgreSQL holds them now, in one statement (one snapshot): version, latest event time
# and the events still in a window; one row with nulls for an entity without a row (erased).
SNAPSHOT = text("""
SELECT k.entity_type, k.entity_id, o.version, o.last_occur_time, e.source_event_id, e.occur_time, e.amount_minor,
       e.currency_code, e.counterparty_id
FROM unnest(CAST(:types AS smallint[]), CAST(:ids AS uuid[])) AS k (entity_type, entity_id)
LEFT JOIN online_features o ON o.entity_type = k.entity_type AND o.entity_id = k.entity_id
LEFT JOIN feature_events e ON o.version IS NOT NULL AND e.entity_type = k.entity_type
     AND e.entity_id = k.entity_id AND e.occur_time > now() - make_interval(secs => :window)
ORDER BY k.entity_type, k.entity_id, e.occur_time
""").bindparams(window=WINDOW)

CHANGED_SINCE = text("""
SELECT entity_type, entity_id FROM online_features WHERE update_time >= :since
UNION SELECT entity_type, entity_id FROM feature_erasures WHERE erase_time >= :since
""")


@dataclass(frozen=True)
class Update:
    """One entity's new event, with the entity's version after it."""

    entity_type: int
    entity_id: uuid.UUID
    version: int
    field: bytes
    value: bytes
    time: float


@dataclass(frozen=True)
class Erase:
    entity_type: int
    entity_id: uuid.UUID


Write = Update | Erase
Entity = tuple[int, uuid.UUID]


class OnlineWriter:
    """Writes committed online rows to Redis and resyncs them from PostgreSQL after a failure (a Background)."""

    def __init__(
        self, database: Database, redis: aioredis.Redis, *, lease: float = LEASE, retry: Backoff | None = None
    ) -> None:
        self.database = database
        self.redis = redis
        self.lease = lease
        self.retry = retry or Backoff(initial=0.2, maximum=1.0)  # short: readers fall back until it is back
        self._apply = redis.register_script(APPLY)
        self._replace = redis.register_script(REPLACE)
        self._advance = redis.register_script(ADVANCE)
        self._committed: list[Write] = []
        self._stale: set[Entity] = set()  # rows a write found a gap in: resync them
        self._since: float | None = None  # resync every row changed since (epoch s); None: nothing missed
        self._started = False  # whether the start-up resync is known
        self._vouched = 0.0  # when the lease was last renewed (epoch s)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # The pipeline and the erasure queue in their transaction; the writes go once it commits.
    def queue(self, session: AsyncSession, writes: Iterable[Write]) -> None:
        queued = session.info.get(_QUEUED)
        if queued is None:
            queued = session.info[_QUEUED] = []
            sql_event.listen(session.sync_session, "after_commit", self._hand_over, once=True)
            sql_event.listen(session.sync_session, "after_rollback", _drop, once=True)
        queued.extend(writes)

    def _hand_over(self, sync_session: Session) -> None:
        self._committed.extend(sync_session.info.pop(_QUEUED, ()))
        self._wake.set()

    @property
    def caught_up(self) -> bool:
        """Nothing waits to be written or resynced."""
        return self._started and not self._committed and not self._stale and self._since is None

    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="features-online-writer")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.redis.aclose()

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self.step()
                failures = 0
            except Exception as error:  # noqa: BLE001 - Redis or PostgreSQL away: try again, PostgreSQL keeps it all
                failures += 1
                log.warning("online store behind, will resync", error=safe_error(error))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.retry.delay(failures)):
                        await self._wait_stop()
            if self._stopping:
                return
            if self.caught_up:  # wait for a commit, or renew the lease
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.lease / 5):
                        await self._wake.wait()
            self._wake.clear()

    async def _wait_stop(self) -> None:
        while not self._stopping:
            await asyncio.sleep(0.1)

    async def step(self) -> None:
        """Write what was committed, then resync what was missed, then renew the lease when caught up; raises when
        Redis (or PostgreSQL) fails."""
        began = time.time()
        if not self._started:
            synced = await self.redis.get(SYNCED_KEY)
            self._miss(float(synced) - MARGIN if synced is not None else 0.0)  # no mark: Redis lost everything
            self._started = True
        if self._since is not None:
            await self.redis.delete(LIVE_KEY)  # first thing once Redis answers: readers go to PostgreSQL until...
        writes, self._committed = self._committed, []
        if writes:
            try:
                await self._write(writes, began)
            except Exception:
                self._miss(began - MARGIN)
                ONLINE_WRITES.labels("failed").inc(len(writes))
                raise
        if self._stale:
            stale, self._stale = self._stale, set()
            try:
                await self.resync(sorted(stale))
            except Exception:
                self._stale |= stale
                raise
        if self._since is not None:
            await self.resync_since(self._since)
        elif not writes and self._vouch_due(began):
            await self._execute(lambda pipe: self._vouch(pipe, began))

    def _vouch_due(self, now: float) -> bool:
        """Whether to renew the lease now: five times a lease, not with every write (two commands saved each)."""
        return now - self._vouched >= self.lease / 5

    def _vouch(self, pipe: Pipeline, began: float) -> None:
        """Every row committed before `began` is in Redis (or marked stale): readers may serve it for a lease."""
        pipe.set(SYNCED_KEY, repr(began))
        pipe.set(LIVE_KEY, repr(began), px=int(self.lease * 1000))
        self._vouched = began  # set when queued: if the pipeline fails, the writer is behind and its resync vouches

    def _miss(self, since: float) -> None:
        self._since = since if self._since is None else min(self._since, since)

    async def _write(self, writes: Sequence[Write], began: float) -> None:
        prune_before = str(time.time() - WINDOW)
        newest = max((w.time for w in writes if isinstance(w, Update)), default=None)
        vouch = self._since is None and self._vouch_due(began)  # Redis holds every committed row as of `began`

        def commands(pipe: Pipeline) -> None:
            for write in writes:
                name = key(write.entity_type, write.entity_id)
                if isinstance(write, Update):
                    pipe.evalsha(self._apply.sha, 1, name, write.version, write.field, write.value,
                                 repr(write.time), prune_before)  # fmt: skip
                else:
                    pipe.delete(name)
            if newest is not None:
                pipe.evalsha(self._advance.sha, 1, WATERMARK_KEY, repr(newest))
            if vouch:
                self._vouch(pipe, began)

        results = await self._execute(commands)
        for write, result in zip(writes, results, strict=False):
            if isinstance(write, Erase):
                ONLINE_WRITES.labels("erased").inc()
                continue
            ONLINE_WRITES.labels({1: "applied", 0: "replayed"}.get(result, "gap")).inc()  # type: ignore[call-overload]
            if result == -1:
                self._stale.add((write.entity_type, write.entity_id))

    async def _execute(self, commands: Callable[[Pipeline], None]) -> list[object]:
        """The answers of one pipelined round trip; when Redis has lost the scripts (a restart), loads them and
        sends it again, which is safe because every write in it is idempotent."""
        for attempt in range(2):
            pipe = self.redis.pipeline(transaction=False)
            commands(pipe)
            results: list[object] = await pipe.execute(raise_on_error=False)
            if attempt == 0 and any(isinstance(result, NoScriptError) for result in results):
                for script in (self._apply, self._replace, self._advance):
                    await self.redis.script_load(script.script)
                continue
            break
        errors = [result for result in results if isinstance(result, Exception)]
        if errors:
            raise errors[0] if isinstance(errors[0], RedisError) else RedisError(str(errors[0]))
        return results

    async def resync_since(self, since: float) -> None:
        """Rewrite every row changed (or erased) since `since` (epoch s) from PostgreSQL; then Redis is complete."""
        began = time.time()
        async with self.database.session() as session:
            changed = await session.execute(CHANGED_SINCE, {"since": datetime.fromtimestamp(since, UTC)})
            entities = sorted((int(t), i) for t, i in changed)
        for start in range(0, len(entities), PAGE):
            await self.resync(entities[start : start + PAGE])
        if self._since is not None and self._since <= since:
            self._since = None
            await self._execute(lambda pipe: self._vouch(pipe, began))  # ...every row missed is written again
        log.info("online store resynced", entities=len(entities), since=since)

    async def resync(self, entities: Sequence[Entity]) -> None:
        """Replace the rows of `entities` with what PostgreSQL holds (unless Redis holds a newer version)."""
        if not entities:
            return
        async with self.database.session() as session:
            rows = await session.execute(SNAPSHOT, {"types": [t for t, _ in entities], "ids": [i for _, i in entities]})
            snapshot: dict[Entity, tuple[int, OnlineRow, list[uuid.UUID]]] = {}
            for row in rows:
                entity = (row.entity_type, row.entity_id)
                if row.version is None:
                    snapshot[entity] = (0, OnlineRow(0, 0.0, []), [])
                    continue
                _, online, event_ids = snapshot.setdefault(
                    entity, (row.version, OnlineRow(row.version, row.last_occur_time.timestamp(), []), [])
                )
                if row.occur_time is not None:
                    counterparty = str(row.counterparty_id) if row.counterparty_id else None
                    online.events.append(
                        Event(row.occur_time.timestamp(), row.amount_minor, row.currency_code, counterparty)
                    )
                    event_ids.append(row.source_event_id)

        def commands(pipe: Pipeline) -> None:
            for (entity_type, entity_id), (version, online, event_ids) in snapshot.items():
                fields = encode_row(online, event_ids) if version else []
                pipe.evalsha(self._replace.sha, 1, key(entity_type, entity_id), version, *fields)

        await self._execute(commands)
        ONLINE_WRITES.labels("resynced").inc(len(snapshot))


def _drop(sync_session: Session) -> None:
    sync_session.info.pop(_QUEUED, None)
