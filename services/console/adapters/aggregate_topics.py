"""The aggregate topics, followed from the start: every record of the five compacted `fintech.analytics.*` topics
into the feed, so the view holds the latest value of every key, tombstones applied.

No consumer group: every console replica reads every partition from the beginning (a materialized view, not a
share of the work) and commits nothing. Ready once it has read up to the end offsets it found at start, so a
fresh console never shows a half-loaded view as if it were the truth.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client import Counter

from services.console.app.feed import Feed
from services.console.domain.panels import PANEL_TOPICS
from services.runtime.config import Settings
from services.runtime.kafka import ensure_topics, make_admin

log = structlog.get_logger("console.aggregates")

TOPICS = tuple(PANEL_TOPICS.values())
# What the stream processor's topics are: compacted (the latest value per key is what is kept).
TOPIC_CONFIGS = {"cleanup.policy": "compact"}
POLL_MS = 200
MAX_RECORDS = 2000
# After the first records of a quiet spell, wait this long for the rest of the burst, so that viewers get one update
# per burst rather than one per record (a payment changes about four aggregates, one after the other): a tenth of a
# second of latency against the 2 s a change may take to show, for a third of the console's CPU per payment.
LINGER_SECONDS = 0.1

RECORDS = Counter("console_aggregate_records_total", "Aggregate records the console applied, by topic", ["topic"])
BAD_RECORDS = Counter(
    "console_aggregate_bad_records_total", "Aggregate records that are not their topic's message (skipped)", ["topic"]
)


class AggregateTopics:
    """A background part: start() connects and assigns every partition from the beginning; a task feeds."""

    def __init__(self, feed: Feed, settings: Settings) -> None:
        self.feed = feed
        self.settings = settings
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._ends: dict[TopicPartition, int] = {}
        self.caught_up = False

    async def start(self) -> None:
        admin = make_admin("console-admin", settings=self.settings)
        await admin.start()
        try:  # the stream processor owns them; whichever starts first creates them, the same way
            await ensure_topics(admin, TOPICS, configs=TOPIC_CONFIGS)
            described = await admin.describe_topics(list(TOPICS))
        finally:
            await admin.close()
        partitions = [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka.bootstrap_servers,
            client_id="console",
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",  # the processor writes in transactions (exactly once)
            fetch_max_wait_ms=100,  # the page owes a change within 2 s; the default long poll is 500 ms
            request_timeout_ms=10_000,
            retry_backoff_ms=200,
        )
        await consumer.start()
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        self._ends = {tp: end for tp, end in (await consumer.end_offsets(partitions)).items() if end > 0}
        self._consumer = consumer
        self._task = asyncio.create_task(self._run(consumer), name="console-aggregates")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    async def ready(self) -> bool:
        return self.caught_up and self._task is not None and not self._task.done()

    async def _run(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            if not self.caught_up:
                await self._check_caught_up(consumer)
            try:
                batches = await consumer.getmany(timeout_ms=POLL_MS, max_records=MAX_RECORDS)
                if batches:
                    await asyncio.sleep(LINGER_SECONDS)
                    more = await consumer.getmany(timeout_ms=0, max_records=MAX_RECORDS)
                    for tp, batch in more.items():
                        batches[tp] = [*batches.get(tp, []), *batch]
            except KafkaError as error:  # the broker away: the client reconnects, the view stays as it was
                log.warning("aggregates.poll_failed", error=type(error).__name__)
                await asyncio.sleep(1.0)
                continue
            records = [
                (tp.topic, record.key.decode("utf-8", "replace") if record.key else "", record.value)
                for tp, batch in batches.items()
                for record in batch
            ]
            for tp, batch in batches.items():
                RECORDS.labels(tp.topic).inc(len(batch))
            _, bad = self.feed.apply(records)
            for topic, key in bad:
                BAD_RECORDS.labels(topic).inc()
                log.warning("aggregates.bad_record", topic=topic, key=key)

    async def _check_caught_up(self, consumer: AIOKafkaConsumer) -> None:
        for tp, end in self._ends.items():
            if await consumer.position(tp) < end:
                return
        self.caught_up = True
        log.info("aggregates.caught_up", partitions=len(self._ends))
