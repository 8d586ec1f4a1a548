"""Helpers of the feature and risk tests: real payment events on the mesh's Kafka, mTLS channels."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import grpc
from fintech.common.v1 import event_envelope_pb2
from fintech.payments.v1 import events_pb2, ledger_entry_pb2, payment_pb2

from services.runtime import kafka
from services.runtime.config import Settings
from services.runtime.event_registry import EventRegistry
from services.runtime.tls import certs_dir

REGISTRY = EventRegistry.discover()
PAYMENTS_TOPIC = "fintech.payments.events.v1"
SOURCE = "spiffe://cluster.local/ns/fintech/sa/payments"
T = TypeVar("T")


def channel(settings: Settings, service: str, workload: str) -> grpc.aio.Channel:
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


async def publish(*envelopes: event_envelope_pb2.EventEnvelope, topic: str = PAYMENTS_TOPIC) -> None:
    """Publish enveloped events as the relay does: idempotent producer, key = subject, standard headers."""
    from services.runtime.outbox import record_headers

    producer = kafka.make_producer(f"tests-{uuid.uuid4().hex[:6]}")
    await producer.start()
    try:
        for envelope in envelopes:
            headers = list(kafka.encode_headers(record_headers(envelope)))
            await producer.send_and_wait(
                topic, value=envelope.SerializeToString(), key=envelope.subject.encode(), headers=headers
            )
    finally:
        await producer.stop()


async def eventually(probe: Callable[[], Awaitable[T]], check: Callable[[T], bool], timeout: float = 20.0) -> T:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if check(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.1)
