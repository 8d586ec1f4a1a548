"""How the outbox relay's claimed rows go to Kafka: one record batch per partition, row by row after a refusal.

Each partition's rows go out as record batches in position order, one batch after the other's ack: Kafka appends a
batch whole or not at all, so an aggregate's order holds and a cycle costs a produce request per partition, not one
per row (a payment's five events were five produce requests, each waking every consumer of the topic). The rows of a
batch the broker refuses are sent again one by one, an aggregate's rows after each other's ack, so a row Kafka will
not take holds back only its own aggregate's later rows.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, KafkaTimeoutError
from aiokafka.partitioner import DefaultPartitioner
from opentelemetry import trace
from sqlalchemy import Row

from services.runtime import kafka
from services.runtime.observability import safe_error

tracer = trace.get_tracer("services.runtime.relay")
PARTITIONER = DefaultPartitioner()
OutboxRow = Row[*tuple[Any, ...]]  # a row of outbox_events


async def publish(
    producer: AIOKafkaProducer, rows: Sequence[OutboxRow], timeout: float
) -> tuple[list[Any], dict[Any, str]]:
    """Send the rows within `timeout` seconds; returns (acked ids, failed id -> error)."""
    published: list[Any] = []
    failed: dict[Any, str] = {}
    try:
        async with asyncio.timeout(timeout):
            by_partition = await _by_partition(producer, rows)
            refused = await asyncio.gather(
                *(_send_batches(producer, tp, part, published, failed) for tp, part in by_partition)
            )
            if retry := [row for part in refused for row in part]:
                await _send_one_by_one(producer, retry, published, failed)
    except TimeoutError:  # every row not acknowledged by then: sent, or waiting for the topic's partitions
        for row in rows:
            if row.id not in failed and row.id not in published:
                failed[row.id] = f"TimeoutError: no ack from Kafka within {timeout}s"
    return published, failed


async def _send_batches(
    producer: AIOKafkaProducer,
    tp: tuple[str, int],
    rows: list[tuple[int, OutboxRow]],
    published: list[Any],
    failed: dict[Any, str],
) -> list[tuple[int, OutboxRow]]:
    """One partition's rows as batches; returns the rows to send one by one (a batch the broker refused, and
    every row after it), none when all were acknowledged. A transient failure leaves them for the next cycle."""
    topic, partition = tp
    # A span per row, started once: a row that does not fit a full batch keeps its span for the next batch.
    spans = [(row, _publish_span(row)) for _, row in rows]
    sent = 0
    while sent < len(rows):
        batch = producer.create_batch()
        size = 0
        for row, span in spans[sent:]:
            headers = kafka.encode_headers({**row.headers, **kafka.trace_headers(trace.set_span_in_context(span))})
            if batch.append(key=row.key.encode(), value=row.payload, timestamp=None, headers=headers) is None:
                break  # the batch is full (a first record always fits): the rest go in the next one
            size += 1
        try:
            await (await producer.send_batch(batch, topic, partition=partition))
        except BaseException as exc:
            for _, span in spans[sent:]:  # this batch and the rows behind it: not published in this cycle
                span.set_status(trace.StatusCode.ERROR, type(exc).__name__)
                span.end()
            if not isinstance(exc, Exception):
                raise
            if _refused(exc):
                return rows[sent:]
            for row, _ in spans[sent : sent + size]:  # transient: the next cycle sends them again as they are
                failed[row.id] = safe_error(exc)
            return []
        for row, span in spans[sent : sent + size]:
            span.end()
            published.append(row.id)
        sent += size
    return []


async def _send_one_by_one(
    producer: AIOKafkaProducer,
    rows: list[tuple[int, OutboxRow]],
    published: list[Any],
    failed: dict[Any, str],
) -> None:
    """Each aggregate's rows one after another's ack, stopping at its first failure."""
    by_key: dict[str, list[tuple[int, OutboxRow]]] = defaultdict(list)
    for partition, row in sorted(rows, key=lambda item: item[1].position):
        by_key[row.key].append((partition, row))

    async def send_in_order(key_rows: list[tuple[int, OutboxRow]]) -> None:
        for partition, row in key_rows:
            try:
                await _send(producer, row, partition)
            except Exception as exc:
                failed[row.id] = safe_error(exc)
                return  # the aggregate's later rows wait for this one
            published.append(row.id)

    await asyncio.gather(*(send_in_order(key_rows) for key_rows in by_key.values()))


async def _send(producer: AIOKafkaProducer, row: OutboxRow, partition: int) -> None:
    span = _publish_span(row)
    with trace.use_span(span, end_on_exit=True):
        # The record carries the publish span as its parent, a child of the operation that wrote it.
        headers = {**row.headers, **kafka.trace_headers()}
        delivery = await producer.send(
            row.topic,
            value=row.payload,
            key=row.key.encode(),
            headers=kafka.encode_headers(headers),
            partition=partition,
        )
        await delivery


def _refused(error: Exception) -> bool:
    """The broker will not take the batch as it is (a record too large, say): not a matter of waiting."""
    return isinstance(error, KafkaError) and not error.retriable and not isinstance(error, KafkaTimeoutError)


def _publish_span(row: OutboxRow) -> trace.Span:
    """The span of a row's publish: the child of the operation that wrote it, the parent of its consumers'."""
    return tracer.start_span(
        f"{row.topic} publish",
        context=kafka.extract_context(kafka.encode_headers(row.headers)),
        kind=trace.SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": row.topic,
            "messaging.message.id": str(row.id),
        },
    )


async def _by_partition(
    producer: AIOKafkaProducer, rows: Sequence[OutboxRow]
) -> list[tuple[tuple[str, int], list[tuple[int, OutboxRow]]]]:
    """The rows by (topic, partition), in position order: the partition of the record key, as the producer's
    default partitioner picks it (one aggregate, one partition)."""
    partitions: dict[str, list[int]] = {}
    grouped: dict[tuple[str, int], list[tuple[int, OutboxRow]]] = defaultdict(list)
    for row in sorted(rows, key=lambda row: row.position):
        if row.topic not in partitions:
            partitions[row.topic] = sorted(await producer.partitions_for(row.topic))
        every = partitions[row.topic]
        partition = PARTITIONER(row.key.encode(), every, every)
        grouped[row.topic, partition].append((partition, row))
    return list(grouped.items())
