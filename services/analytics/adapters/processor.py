"""The stream processor: quixstreams reads the domain topics and keeps the aggregates, exactly once.

    payments ─► per payment (state: channel, amount, creditor) ─┬─► review queue (key: payment id)
                                                                 └─► changes ─┐
    risk ─────► fraud changes ────────────────────────────────────────────────┼─► regrouped by aggregate key
    customer ─► KYC changes ──────────────────────────────────────────────────┘   (repartition topics)
                                                                               ─► totals (state) ─► its topic

Every commit is one Kafka transaction (`processing_guarantee="exactly-once"`): the input offsets, the
repartitioned changes, the state's changelog records and the aggregates are committed together or not at all.
A processor killed mid-window restarts from the last commit with its state restored from the changelog (RocksDB
under `state_dir` is a cache of it), so nothing is lost and nothing counted twice.

quixstreams' own windows are not used: they drop records later than their grace period, and an aggregate here
must equal a recount of the topics. A window is part of the key instead (domain/windows.py), so a late event
still lands in its own minute.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from prometheus_client import Counter
from quixstreams import Application, State
from quixstreams.dataframe import StreamingDataFrame
from quixstreams.models import Topic

from services.analytics.adapters.events import Decoded, EnvelopeDeserializer, present
from services.analytics.domain import changes, totals
from services.analytics.domain.changes import Change, Known, QueueChange
from services.runtime.config import Settings
from services.runtime.event_registry import EventRegistry
from services.runtime.kafka import ANALYTICS_TOPICS

log = structlog.get_logger(__name__)

AGGREGATES = Counter(
    "analytics_aggregates_written_total", "Aggregate values written by the processor, by kind.", ["kind"]
)
WANTED = {
    "payments": frozenset(f"fintech.payments.v1.{t.__name__}" for t in (*changes.STATE_OF, *changes.LEAVE_QUEUE)),
    "risk": frozenset({"fintech.risk.v1.FraudEvaluated"}),
    "customer": frozenset({"fintech.customer.v1.KycCheckCompleted", "fintech.customer.v1.KycCheckManuallyResolved"}),
}
PAYMENT = "payment"  # the per-payment state's key (the state is scoped to the record's key: the payment id)
TOTALS = "totals"  # the per-aggregate state's key
# The kinds of aggregate each source's changes add to.
KINDS = {"payments": ("flow", "position"), "risk": ("fraud",), "customer": ("kyc",)}


def _domain_topic(domain: str) -> str:
    return f"fintech.{domain}.events.v1"


class _Application(Application):
    """Runs in a thread of the service's process: the service, not the library, handles SIGTERM (it stops the
    processor with the rest of the service), and Python allows signal handlers in the main thread only."""

    def _setup_signal_handlers(self) -> None:
        pass


def build_application(settings: Settings) -> Application:
    """The processor's quixstreams application with its whole topology."""
    config = settings.analytics
    state_dir = Path(config.state_dir) if config.state_dir else settings.state_dir / "analytics"
    app = _Application(
        broker_address=settings.kafka.bootstrap_servers,
        consumer_group=config.consumer_group,
        auto_offset_reset="earliest",  # a new processor counts everything the topics hold
        processing_guarantee="exactly-once",
        commit_interval=config.commit_interval_seconds,
        # A change passes two fetches (domain topic, then repartition topic) before its aggregate is written;
        # librdkafka's default 500 ms long poll for each would take most of the console's 2 s.
        consumer_extra_config={"fetch.wait.max.ms": 100},
        # The library checks the commit interval between polls: with its 1 s poll an idle topic held each of the two
        # commits a change needs back by up to a second (2.3 s to the console measured, where 2 s are owed).
        consumer_poll_timeout=0.05,
        state_dir=state_dir,
        loglevel="WARNING",
    )
    registry = EventRegistry.discover()

    def source(domain: str) -> StreamingDataFrame:
        topic = app.topic(
            _domain_topic(domain),
            key_deserializer="str",
            value_deserializer=EnvelopeDeserializer(registry, WANTED[domain]),
        )
        return app.dataframe(topic).filter(present)

    outputs = {kind: app.topic(name, key_serializer="str", value_serializer="bytes")
               for kind, name in ANALYTICS_TOPICS.items()}  # fmt: skip

    payment_changes = source("payments").apply(_payment_step, stateful=True, expand=True)
    queue = payment_changes.filter(lambda item: isinstance(item, QueueChange))
    queue.apply(_queue_value).to_topic(outputs["review"])
    _aggregate(payment_changes.filter(lambda item: isinstance(item, Change)), "payments", outputs)
    _aggregate(source("risk").apply(_fraud).filter(present), "risk", outputs)
    _aggregate(source("customer").apply(_kyc).filter(present), "customer", outputs)
    return app


def _aggregate(stream: StreamingDataFrame, name: str, outputs: dict[str, Topic]) -> None:
    """Regroup the changes by aggregate key and write each new total to its kind's topic."""
    grouped = stream.apply(Change.to_json).group_by(lambda change: change["key"], name=f"{name}-aggregates")
    added = grouped.apply(_add, stateful=True)
    for kind in KINDS[name]:
        added.filter(_of_kind(kind)).apply(_message).to_topic(outputs[kind])


def _of_kind(kind: str) -> Callable[[tuple[str, bytes]], bool]:
    return lambda value: value[0] == kind


def _message(value: tuple[str, bytes]) -> bytes:
    return value[1]


def _payment_step(value: Decoded, state: State[str, Any]) -> list[Change | QueueChange]:
    stored = state.get(PAYMENT)
    known = Known.from_json(stored) if stored is not None else None
    step = changes.payment_step(known, value.event, value.occur_time, value.sequence)
    if step.known is None:
        if stored is not None:
            state.delete(PAYMENT)
    elif step.known != known:
        state.set(PAYMENT, step.known.to_json())
    return step.changes


def _queue_value(change: QueueChange) -> bytes | None:
    AGGREGATES.labels("review").inc()
    return change.entry.SerializeToString() if change.entry is not None else None


def _fraud(value: Decoded) -> Change | None:
    return changes.fraud_change(value.event, value.occur_time)


def _kyc(value: Decoded) -> Change | None:
    return changes.kyc_change(value.event, value.occur_time)


def _add(value: dict[str, Any], state: State[str, Any]) -> tuple[str, bytes]:
    change = Change.from_json(value)
    summed = totals.add(state.get(TOTALS), change)
    state.set(TOTALS, summed)
    AGGREGATES.labels(change.kind).inc()
    return change.kind, totals.message(change, summed, datetime.now(UTC)).SerializeToString()


class StreamProcessor:
    """The application as a background part of the service: run in a thread, stopped with the service."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app: Application | None = None
        self._thread: threading.Thread | None = None
        self.failure: BaseException | None = None

    async def start(self) -> None:
        self._app = build_application(self._settings)
        self._thread = threading.Thread(target=self._run, name="analytics-processor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._app is not None
        try:
            self._app.run()
        except Exception as exc:
            # The process stops as on SIGTERM, so its supervisor (supervisord, Kubernetes) starts it again: it
            # resumes from the last committed transaction, losing nothing.
            self.failure = exc
            log.exception("analytics.processor_failed")
            os.kill(os.getpid(), signal.SIGTERM)

    async def stop(self) -> None:
        if self._app is not None and self._thread is not None and self._thread.is_alive():
            self._app.stop()
            await asyncio.to_thread(self._thread.join, 30)
        self._app = self._thread = None

    async def ready(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
