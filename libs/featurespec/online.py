"""The online store on Redis: its key layout, its codec, the scripts that write it and the reader that serves it.

The features service writes it (services/features/adapters/online.py); the risk service and the features
service's own RetrieveOnlineFeatures read it through `OnlineReader`, so both see one layout.

Online features are windows ending at the read time (a count of the last minute drops as the minute passes), so
a row holds an entity's events, not values: the reader runs the one computation (libs.featurespec.compute) on
them as of now, exactly as the PostgreSQL read does. One hash per entity (all its features, every view, come from
the same events), under a version prefix; no TTL, because time since last payment has a value however old the
last payment is:

    fs:v1:<entity type>:<entity id>   v    the entity's version (online_features.version in PostgreSQL)
                                      l    its latest event time (epoch seconds)
                                      e:<source event id>   "<time>|<amount minor>|<currency>|<counterparty>"
    fs:v1:watermark                   the newest event time the pipeline applied (as pipeline_progress)
    fs:v1:synced                      when the writer last knew every committed row was in Redis (epoch s)
    fs:v1:live                        the writer's lease: it holds every committed row (expires in seconds)

Readers serve from Redis only while the writer's lease is there: the writer renews it every second while it is
caught up, and deletes it first thing when it reaches Redis again after missing writes, so a Redis that was
away, a writer that crashed between a commit and its write, or a resync under way all send readers to
PostgreSQL within seconds, never to stale rows for long. Under the lease an entity without a row has no events
(its features are MISSING, as PostgreSQL would say); a row a write found a gap in is marked stale (`s`) until a
resync writes it whole, and readers take PostgreSQL's values for it.

A write is idempotent and monotonic: it carries the entity's version after the event, and the script applies it
only on top of the version before it; a replay (version not newer) changes nothing, and a gap (Redis missed an
update) deletes the row, so it is missing (the reader falls back to PostgreSQL) until a resync writes it whole,
never stale.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from libs.featurespec.compute import Event, values
from libs.featurespec.definitions import Feature

if TYPE_CHECKING:
    import redis.asyncio as aioredis

PREFIX = "fs:v1"
WATERMARK_KEY = f"{PREFIX}:watermark"
SYNCED_KEY = f"{PREFIX}:synced"
LIVE_KEY = f"{PREFIX}:live"
VERSION, LAST, EVENT, STALE = b"v", b"l", b"e:", b"s"

# KEYS[1] the entity's hash; ARGV: its version after the event, the event's field, value and time, and the time
# before which events may be dropped. 1: applied; 0: already there (a replay, a late write); -1: a gap, the row
# is now marked stale and needs a resync. Events older than every window are dropped now and then (every 64).
APPLY = """
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
local version = tonumber(ARGV[1])
if version <= v then return 0 end
if version ~= v + 1 then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 's', 1)
  return -1
end
redis.call('HDEL', KEYS[1], 's')
redis.call('HSET', KEYS[1], 'v', ARGV[1], ARGV[2], ARGV[3])
local last = redis.call('HGET', KEYS[1], 'l')
if not last or tonumber(ARGV[4]) > tonumber(last) then redis.call('HSET', KEYS[1], 'l', ARGV[4]) end
if version % 64 == 0 then
  local fields = redis.call('HGETALL', KEYS[1])
  local before = tonumber(ARGV[5])
  for i = 1, #fields, 2 do
    local f = fields[i]
    if string.sub(f, 1, 2) == 'e:' and tonumber(string.match(fields[i + 1], '^[^|]+')) <= before then
      redis.call('HDEL', KEYS[1], f)
    end
  end
end
return 1
"""

# KEYS[1] the entity's hash; ARGV: its version in PostgreSQL (0: no row, the entity was erased), then field, value
# pairs. Replaces the row unless Redis already holds a newer version. 1: written; 0: Redis was newer.
REPLACE = """
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
local version = tonumber(ARGV[1])
if version ~= 0 and version < v then return 0 end
redis.call('DEL', KEYS[1])
if version == 0 then return 1 end
redis.call('HSET', KEYS[1], 'v', ARGV[1])
for i = 2, #ARGV, 1000 do
  redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return 1
"""

# KEYS[1] the watermark; ARGV[1] an event time. The watermark only moves forward.
ADVANCE = """
local w = redis.call('GET', KEYS[1])
if not w or tonumber(ARGV[1]) > tonumber(w) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""


def key(entity_type: int, entity_id: str | uuid.UUID) -> str:
    """An entity's hash; the id in the canonical UUID form (ValueError when it is not a UUID)."""
    return f"{PREFIX}:{int(entity_type)}:{uuid.UUID(str(entity_id))}"


def event_field(source_event_id: str | uuid.UUID) -> bytes:
    return EVENT + str(source_event_id).encode()


def encode_event(event: Event) -> bytes:
    """`repr` of a float reads back as the same float: Redis serves the times PostgreSQL holds, to the bit."""
    return f"{event.time!r}|{event.amount_minor}|{event.currency_code}|{event.counterparty or ''}".encode()


def decode_event(value: bytes) -> Event:
    time, amount, currency, counterparty = value.decode().split("|")
    return Event(float(time), int(amount), currency, counterparty or None)


@dataclass(frozen=True)
class OnlineRow:
    """An entity's row: its version, its latest event time and its events (those still in a window), oldest first.
    An entity without events has version 0 and no latest time."""

    version: int
    last_time: float | None
    events: list[Event]


NO_EVENTS = OnlineRow(0, None, [])


def encode_row(row: OnlineRow, event_ids: Sequence[str | uuid.UUID]) -> list[bytes]:
    """The field, value pairs of a whole row (after its version), for REPLACE."""
    pairs = [LAST, repr(row.last_time).encode()] if row.last_time is not None else []
    for event_id, event in zip(event_ids, row.events, strict=True):
        pairs += [event_field(event_id), encode_event(event)]
    return pairs


def decode_row(fields: Mapping[bytes, bytes]) -> OnlineRow | None:
    """A hash as HGETALL answers it: NO_EVENTS when there is none; None when it is marked stale (or unfinished)."""
    if not fields:
        return NO_EVENTS
    if VERSION not in fields or LAST not in fields or STALE in fields:
        return None
    events = sorted((decode_event(value) for name, value in fields.items() if name.startswith(EVENT)), key=_time)
    return OnlineRow(int(fields[VERSION]), float(fields[LAST]), events)


def _time(event: Event) -> float:
    return event.time


def as_of(row: OnlineRow, at: float) -> tuple[list[Event], float | None]:
    """The row's events at or before `at` and its latest event time at or before it (None: none), as the
    PostgreSQL read selects them."""
    events = [event for event in row.events if event.time <= at]
    if row.last_time is not None and row.last_time <= at:
        return events, row.last_time
    return events, max((e.time for e in events), default=None)


def row_values(features: Sequence[Feature], at: float, row: OnlineRow) -> list[float | None]:
    """The features' values as of `at`, computed as the PostgreSQL read computes them."""
    events, last_time = as_of(row, at)
    return values(features, at, events, last_time)


class OnlineUnavailable(Exception):
    """Redis failed or timed out (now, or within the last `pause` seconds), or its rows are behind."""


class OnlineBehind(OnlineUnavailable):
    """The writer's lease is not there (it is resyncing rows it missed, or it is away): Redis may be stale."""


class OnlineReader:
    """Reads entities' rows and the watermark in one round trip, within `timeout` seconds. After a failure it
    does not try again for `pause` seconds, so a Redis that is down costs a payment no timeout of its own."""

    def __init__(self, redis: aioredis.Redis, timeout: float, pause: float = 1.0) -> None:
        self.redis = redis
        self.timeout = timeout
        self.pause = pause
        self._paused_until = 0.0

    async def start(self) -> None:
        """A service's background part (services.runtime): connections open on first use."""

    async def stop(self) -> None:
        await self.redis.aclose()

    async def rows(self, keys: Sequence[tuple[int, str]]) -> tuple[list[OnlineRow | None], float | None]:
        """Each (entity type, entity id)'s row (NO_EVENTS: it has none; None: stale, ask PostgreSQL) and the
        watermark (None: none yet). Raises OnlineUnavailable when Redis fails or is slow, OnlineBehind without
        the writer's lease, ValueError for an id that is not a UUID."""
        names = [key(entity_type, entity_id) for entity_type, entity_id in keys]
        if time.monotonic() < self._paused_until:
            raise OnlineUnavailable("Redis failed a moment ago")
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(name)
        pipe.get(WATERMARK_KEY)
        pipe.exists(LIVE_KEY)
        try:
            async with asyncio.timeout(self.timeout):
                *hashes, watermark, live = await pipe.execute()
        except (RedisError, OSError, TimeoutError) as error:
            self._paused_until = time.monotonic() + self.pause
            raise OnlineUnavailable(f"Redis: {type(error).__name__}") from error
        if not live:
            raise OnlineBehind("no writer vouches for the online store now (it resyncs, or is away)")
        return [decode_row(fields) for fields in hashes], float(watermark) if watermark is not None else None
