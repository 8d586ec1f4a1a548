"""The transactional outbox: events are rows written in the same transaction as the state change.

A service never publishes to Kafka while handling a request. It adds its events to `outbox_events`
in the transaction that changes its state, so either both commit or neither does; the relay
(`services.runtime.relay`) publishes committed rows afterwards, in order, and marks them published.

    async with database.transaction() as session:
        session.add(payment)
        await outbox.record(session, PaymentInitiated(...), subject=payment.id, sequence=1, source=me)
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any, cast

from fintech.common.v1 import event_envelope_pb2
from google.protobuf.message import Message
from sqlalchemy import delete, func, insert, select
from sqlalchemy import event as sql_event
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.runtime import kafka
from services.runtime.db import OUTBOX_WRITTEN, outbox_events
from services.runtime.event_registry import EventContractError, EventRegistry

_INSERT = insert(outbox_events)  # built once: the values come with each execution
_QUEUED = "outbox.queued"  # the session.info key of the rows add_at_commit queued


@lru_cache(maxsize=1)
def default_registry() -> EventRegistry:
    return EventRegistry.discover()


def record_headers(envelope: event_envelope_pb2.EventEnvelope) -> dict[str, str]:
    """The Kafka headers of an event: its id and type, the content type and its W3C trace context."""
    headers = {
        kafka.EVENT_ID: envelope.event_id,
        kafka.EVENT_TYPE: envelope.event_type,
        kafka.CONTENT_TYPE: kafka.ENVELOPE_CONTENT_TYPE,
        kafka.TRACEPARENT: envelope.trace_context.traceparent,
        kafka.TRACESTATE: envelope.trace_context.tracestate,
    }
    return {name: value for name, value in headers.items() if value}


async def add_event(
    session: AsyncSession,
    envelope: event_envelope_pb2.EventEnvelope,
    *,
    registry: EventRegistry | None = None,
    topic: str | None = None,
) -> None:
    """Add an enveloped event to the outbox within the caller's transaction.

    Only registered events that match their envelope get in (`EventRegistry.unwrap` checks it). The
    topic is the event's domain topic unless `topic` overrides it.
    """
    await add_events(session, [envelope], registry=registry, topic=topic)


async def add_events(
    session: AsyncSession,
    envelopes: Sequence[event_envelope_pb2.EventEnvelope],
    *,
    registry: EventRegistry | None = None,
    topic: str | None = None,
) -> None:
    """`add_event` for several events in one statement (one round trip), in their order; events the
    session queued with `add_at_commit` go first, so the outbox keeps the order they were written in."""
    rows = session.info.pop(_QUEUED, []) + _rows(envelopes, registry or default_registry(), topic)
    if rows:
        await session.execute(_INSERT, rows)
        session.info[OUTBOX_WRITTEN] = True


def add_at_commit(
    session: AsyncSession,
    envelopes: Sequence[event_envelope_pb2.EventEnvelope],
    *,
    registry: EventRegistry | None = None,
) -> None:
    """Queue events for the outbox (checked now): the session's next `add_events` or, at the latest, its
    commit adds them, with every other queued one in one statement. So the events of consumed events that
    share a transaction cost one insert, not one each. A rollback drops them."""
    rows = _rows(envelopes, registry or default_registry(), None)
    queued = session.info.get(_QUEUED)
    if queued is None:
        queued = session.info[_QUEUED] = []
        sync_session = session.sync_session
        sql_event.listen(sync_session, "before_commit", _add_queued, once=True)
        sql_event.listen(sync_session, "after_rollback", _drop_queued, once=True)
    queued.extend(rows)


def _add_queued(sync_session: Session) -> None:
    rows = sync_session.info.pop(_QUEUED, None)
    if rows:
        sync_session.execute(_INSERT, rows)  # runs in the commit's greenlet, like any sync-session statement
        sync_session.info[OUTBOX_WRITTEN] = True


def _drop_queued(sync_session: Session) -> None:
    sync_session.info.pop(_QUEUED, None)


def _rows(
    envelopes: Sequence[event_envelope_pb2.EventEnvelope], registry: EventRegistry, topic: str | None
) -> list[dict[str, Any]]:
    """Outbox rows of registered events that match their envelopes (`EventRegistry.unwrap` checks it)."""
    rows = []
    for envelope in envelopes:
        registry.unwrap(envelope)
        try:
            event_id = uuid.UUID(envelope.event_id)
        except ValueError:
            raise EventContractError(f"event id {envelope.event_id!r} is not a UUID") from None
        rows.append({
            "id": event_id, "topic": topic or registry.get(envelope.event_type).topic, "key": envelope.subject,
            "event_type": envelope.event_type, "payload": envelope.SerializeToString(deterministic=True),
            "headers": record_headers(envelope),
        })  # fmt: skip
    return rows


def wrap(
    event: Message,
    *,
    subject: str,
    sequence: int,
    source: str,
    registry: EventRegistry | None = None,
    trace_context: event_envelope_pb2.TraceContext | None = None,
    **envelope_fields: Any,
) -> event_envelope_pb2.EventEnvelope:
    """An event in its envelope, for `add_events`.

    `subject` is the aggregate id and `sequence` its version after the event. The envelope carries the
    current trace context unless `trace_context` is given. `envelope_fields` go to
    `EventRegistry.wrap` (event_id, occur_time, correlation_id, causation_id).
    """
    return (registry or default_registry()).wrap(
        event,
        subject=subject,
        sequence=sequence,
        source=source,
        trace_context=trace_context or kafka.current_trace_context(),
        **envelope_fields,
    )


async def record(
    session: AsyncSession,
    event: Message,
    *,
    subject: str,
    sequence: int,
    source: str,
    registry: EventRegistry | None = None,
    topic: str | None = None,
    trace_context: event_envelope_pb2.TraceContext | None = None,
    **envelope_fields: Any,
) -> event_envelope_pb2.EventEnvelope:
    """Wrap an event in its envelope (see `wrap`) and add it to the outbox; returns the envelope."""
    envelope = wrap(
        event,
        subject=subject,
        sequence=sequence,
        source=source,
        registry=registry,
        trace_context=trace_context,
        **envelope_fields,
    )
    await add_event(session, envelope, registry=registry, topic=topic)
    return envelope


async def purge_published(session: AsyncSession, older_than: timedelta, limit: int = 1000) -> int:
    """Delete up to `limit` rows published more than `older_than` ago; returns how many."""
    oldest = (
        select(outbox_events.c.id)
        .where(outbox_events.c.published_at < func.now() - older_than)
        .limit(limit)
        .scalar_subquery()
    )
    # a DELETE's result is a CursorResult, which counts the rows
    result = cast(CursorResult[Any], await session.execute(delete(outbox_events).where(outbox_events.c.id.in_(oldest))))
    return result.rowcount
