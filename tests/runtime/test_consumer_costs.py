"""What a consumed batch costs the customer service's payment-events consumer: statements and
transactions, counted on the mesh's real PostgreSQL and Kafka (deterministic, unlike timings)."""

from __future__ import annotations

import uuid

import pytest
from fintech.payments.v1 import events_pb2 as pev
from fintech.payments.v1 import payment_pb2 as pay
from sqlalchemy import select

from services.customer.adapters import payment_events as consumers
from services.customer.adapters.crypto import KeyWrapper
from services.customer.adapters.db import personal_data
from services.customer.adapters.db.models import CustomerRow, PaymentActivityRow
from services.customer.config import CustomerKeys
from services.runtime import kafka
from tests.features.support import counting, service_database
from tests.runtime.events_support import REGISTRY, SOURCE, create_topics, unique
from tests.runtime.test_consumer import poll, publish

pytestmark = pytest.mark.mesh("postgres", "kafka")

KEYS = CustomerKeys("kek-test", {"kek-test": b"k" * 32}, b"p" * 32, b"s" * 32)
CREDITOR = pay.ExternalAccount(iban="DE89370400440532013000", bic="COBADEFFXXX", holder_name="REWE Markt GmbH")


async def customer(database, wrapper: KeyWrapper):
    """A customer with a data key; returns its id and key ring."""
    customer_id = uuid.uuid4()
    async with database.transaction() as session:
        session.add(CustomerRow(customer_id=customer_id, customer_number=uuid.uuid4().hex, state=1,
                                branch_id=uuid.uuid4()))  # fmt: skip
        await session.flush()
        ring = await personal_data.create_data_key(session, wrapper, customer_id)
    return customer_id, ring


def payment_events(customer_id: uuid.UUID, ring) -> list:
    """A payment's events as payments appends them: initiated (sealed text and payee), screened, executed."""
    payment_id = str(uuid.uuid4())
    initiated = pev.PaymentInitiated(payment_id=payment_id, customer_id=str(customer_id))
    initiated.amount.amount_minor, initiated.amount.currency_code = 4250, "EUR"
    initiated.remittance_information.CopyFrom(ring.seal(consumers.REMITTANCE_FIELD, b"REWE groceries"))
    initiated.creditor_external_account.CopyFrom(ring.seal(consumers.CREDITOR_FIELD, CREDITOR.SerializeToString()))
    started = pev.PaymentScreeningStarted(payment_id=payment_id)
    executed = pev.PaymentExecuted(payment_id=payment_id)
    executed.execute_time.GetCurrentTime()
    return [
        REGISTRY.wrap(event, subject=payment_id, sequence=sequence, source=SOURCE)
        for sequence, event in enumerate((initiated, started, executed), start=1)
    ]


async def test_a_batch_of_payment_events_costs_one_transaction_and_one_key_lookup_per_customer():
    topic = unique("consumer.customer-costs")
    await create_topics(topic, kafka.dlq_topic(topic))
    async with service_database("customer") as database:
        wrapper = KeyWrapper(KEYS)
        customers = [await customer(database, wrapper) for _ in range(2)]
        events = [e for customer_id, ring in customers for _ in range(3) for e in payment_events(customer_id, ring)]
        producer = kafka.make_producer("runtime-tests")
        await producer.start()
        try:
            for event in events:
                await publish(producer, topic, event)
        finally:
            await producer.stop()

        group = unique("customer-costs")
        consumer = consumers.PaymentEventsConsumer(database, KEYS, consumer_factory=lambda: kafka.make_consumer(group))
        consumer.topics = [topic]
        try:
            batches = await poll(consumer, len(events))
            with counting(database) as counts:
                await consumer._consume(consumer._consumer, batches)
        finally:
            await consumer._close()

        # 18 events of 6 payments of 2 customers: the batch's ids (1), per customer its state and keys in
        # one statement (2), per payment its activity row (6) and its execution (6), in one transaction.
        # One event per transaction took 18 transactions and 48 statements.
        assert (len(counts.statements), counts.begins, counts.commits) == (15, 1, 1)
        async with database.session() as session:
            rows = (await session.scalars(select(PaymentActivityRow))).all()
        assert len(rows) == 6
        assert all(row.execute_time is not None and row.masked_account_identifier for row in rows)
        assert {row.customer_id for row in rows} == {customer_id for customer_id, _ in customers}
