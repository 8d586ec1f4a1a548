"""Helpers of the feature and risk tests: real payment events on the mesh's Kafka, mTLS channels."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import grpc
from aiokafka import TopicPartition
from aiokafka.structs import RecordMetadata
from fintech.common.v1 import event_envelope_pb2
from fintech.payments.v1 import events_pb2, ledger_entry_pb2, payment_pb2
from sqlalchemy import event as sql_event
from sqlalchemy import text

from services.runtime import kafka
from services.runtime.config import Settings, get_settings
from services.runtime.db import Database
from services.runtime.event_registry import EventRegistry
from services.runtime.migrations import upgrade_async
from services.runtime.tls import certs_dir
from tests.people import person_credentials

REGISTRY = EventRegistry.discover()
PAYMENTS_TOPIC = "fintech.payments.events.v1"
SOURCE = "spiffe://cluster.local/ns/fintech/sa/payments"
T = TypeVar("T")


def channel(settings: Settings, service: str, workload: str, role: str | None = None) -> grpc.aio.Channel:
    """A channel as `workload`; with `role` (one, or several separated by spaces), every call also carries a
    person's token with those roles (`authorization: Bearer`, as an operator's grpcurl sends it through `cli`)."""
    if role is not None:
        return grpc.aio.secure_channel(settings.service(service).address, person_credentials(settings, role, workload))
    certs = certs_dir(settings)
    credentials = grpc.ssl_channel_credentials(
        (certs / "ca.pem").read_bytes(),
        (certs / f"{workload}-key.pem").read_bytes(),
        (certs / f"{workload}.pem").read_bytes(),
    )
    return grpc.aio.secure_channel(settings.service(service).address, credentials)


def payment_initiated(
    customer_id: str,
    debtor_account_id: str,
    amount_minor: int,
    *,
    creditor_account_id: str | None = None,
    at: datetime | None = None,
    payment_id: str | None = None,
) -> event_envelope_pb2.EventEnvelope:
    payment_id = payment_id or str(uuid.uuid4())
    event = events_pb2.PaymentInitiated(
        payment_id=payment_id,
        idempotency_key=f"key-{payment_id}",
        customer_id=customer_id,
        initiated_by="tests",
        debtor_account_id=debtor_account_id,
        creditor_account_id=creditor_account_id or str(uuid.uuid4()),
        channel=payment_pb2.PAYMENT_CHANNEL_WEB,
    )
    event.amount.amount_minor = amount_minor
    event.amount.currency_code = "EUR"
    at = at or datetime.now(UTC)
    event.create_time.FromDatetime(at)
    return REGISTRY.wrap(event, subject=payment_id, sequence=1, source=SOURCE, occur_time=at)


def payment_executed(initiated: event_envelope_pb2.EventEnvelope) -> event_envelope_pb2.EventEnvelope:
    """The PaymentExecuted that follows `initiated` (sequence 2 of the same payment): debit and credit posted."""
    payment = events_pb2.PaymentInitiated()
    initiated.payload.Unpack(payment)
    at = datetime.now(UTC)
    event = events_pb2.PaymentExecuted(payment_id=payment.payment_id, ledger_posting_id=str(uuid.uuid4()))
    event.execute_time.FromDatetime(at)
    sides = ((payment.debtor_account_id, ledger_entry_pb2.LEDGER_ENTRY_DIRECTION_DEBIT),
             (payment.creditor_account_id, ledger_entry_pb2.LEDGER_ENTRY_DIRECTION_CREDIT))  # fmt: skip
    for sequence, (account, direction) in enumerate(sides, start=1):
        entry = event.ledger_entries.add(
            ledger_entry_id=str(uuid.uuid4()), ledger_posting_id=event.ledger_posting_id, account_id=account,
            entry_sequence=sequence, direction=direction, amount=payment.amount, payment_id=payment.payment_id,
        )  # fmt: skip
        entry.balance_after.currency_code = payment.amount.currency_code
        entry.booking_time.FromDatetime(at)
    return REGISTRY.wrap(event, subject=payment.payment_id, sequence=2, source=SOURCE, occur_time=at)


async def publish(*envelopes: event_envelope_pb2.EventEnvelope, topic: str = PAYMENTS_TOPIC) -> list[RecordMetadata]:
    """Publish enveloped events as the relay does: idempotent producer, key = subject, standard headers.
    Returns where each landed (for `processed`)."""
    from services.runtime.outbox import record_headers

    producer = kafka.make_producer(f"tests-{uuid.uuid4().hex[:6]}")
    await producer.start()
    sent = []
    try:
        for envelope in envelopes:
            headers = list(kafka.encode_headers(record_headers(envelope)))
            sent.append(
                await producer.send_and_wait(
                    topic, value=envelope.SerializeToString(), key=envelope.subject.encode(), headers=headers
                )
            )
    finally:
        await producer.stop()
    return sent


async def processed(group_id: str, records: Sequence[RecordMetadata], timeout: float = 30.0) -> None:
    """Until consumer group `group_id` has committed offsets past every one of `records`. A consumer commits
    an offset after the transaction that applied its record: then all they changed is visible and nothing of
    theirs is still to come, so a count read next is final (a late double count shows, as a poll would miss)."""
    wanted: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        wanted[tp] = max(wanted.get(tp, 0), record.offset + 1)
    admin = kafka.make_admin(f"tests-{uuid.uuid4().hex[:6]}")
    await admin.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            committed = await admin.list_consumer_group_offsets(group_id, partitions=list(wanted))
            behind = {
                f"{tp.topic}:{tp.partition}": (committed[tp].offset if tp in committed else None, offset)
                for tp, offset in wanted.items()
                if tp not in committed or committed[tp].offset < offset
            }
            if not behind:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{group_id} has not committed past {behind} (committed, wanted) in {timeout}s")
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


async def eventually(probe: Callable[[], Awaitable[T]], check: Callable[[T], bool], timeout: float = 20.0) -> T:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if check(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.1)


@dataclass
class Counts:
    """What one operation sent to PostgreSQL: its statements and the transactions it began and committed."""

    statements: list[str] = field(default_factory=list)
    begins: int = 0
    commits: int = 0
    transactions: list[list[str]] = field(default_factory=list)  # the statements of each transaction begun


@contextlib.contextmanager
def counting(database: Database) -> Iterator[Counts]:
    """Counts the statements and transactions of `database`'s engine while the block runs (deterministic,
    unlike timings)."""
    counts = Counts()
    engine = database.engine.sync_engine

    def statement(connection, cursor, sql, parameters, context, executemany) -> None:
        counts.statements.append(sql)
        if counts.transactions:
            counts.transactions[-1].append(sql)

    def begin(connection) -> None:
        counts.begins += 1
        counts.transactions.append([])

    def commit(connection) -> None:
        counts.commits += 1

    listeners = (("before_cursor_execute", statement), ("begin", begin), ("commit", commit))
    for name, listener in listeners:
        sql_event.listen(engine, name, listener)
    try:
        yield counts
    finally:
        for name, listener in listeners:
            sql_event.remove(engine, name, listener)


@contextlib.asynccontextmanager
async def service_database(service: str) -> AsyncIterator[Database]:
    """A Database on a new schema of `service`'s database, migrated with its migrations; dropped afterwards."""
    url = get_settings().postgres.url(service)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    await upgrade_async(service, url, schema=schema)
    database = Database(url, schema=schema)
    try:
        yield database
    finally:
        await database.dispose()
        admin = Database(url)
        async with admin.transaction() as session:
            await session.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@contextlib.asynccontextmanager
async def local_server(
    add: Callable[[object, grpc.aio.Server], None], servicer: object
) -> AsyncIterator[grpc.aio.Channel]:
    """`servicer` on an in-process gRPC server (plaintext, loopback), and a channel to it: its statements are
    counted in this process."""
    server = grpc.aio.server()
    add(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as ch:
            yield ch
    finally:
        await server.stop(None)
