"""The behaviour models' consumer of payment events (`fintech.payments.events.v1`).

`PaymentInitiated` records the payment's facts without clear personal data: amount, currency, the
spending category (from the remittance text, opened with the debtor customer's data key and then
dropped), a pseudonymous counterparty key and a masked account identifier. `PaymentExecuted` marks it
executed: only executed payments count in the insights; the payment's other events (screening,
rejection, cancellation, settlement) and the domain's account and ledger events change nothing here.
Events of erased or unknown customers are skipped. A sealed value this service cannot open (sealed
with a key it does not hold, such as the payments service's own data keys) leaves the payment
counted but uncategorised and without a counterparty, never dead-lettered.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

import structlog
from fintech.common.v1 import event_envelope_pb2
from fintech.payments.v1 import events_pb2 as pev
from fintech.payments.v1 import payment_pb2
from google.protobuf.message import Message
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.customer.adapters.crypto import CorruptValue, KeyRing, KeyUnavailable, KeyWrapper
from services.customer.adapters.db import personal_data
from services.customer.adapters.db.models import CustomerRow, DataKeyRow, PaymentActivityRow
from services.customer.config import CustomerKeys
from services.customer.domain import insights, masking
from services.runtime.config import Settings
from services.runtime.consumer import EventConsumer, event_types
from services.runtime.db import Database
from services.runtime.event_registry import topic_for

log = structlog.get_logger("customer.consumer")
GROUP_ID = "customer-behavior-models"
REMITTANCE_FIELD = "fintech.payments.v1.PaymentInitiated.remittance_information"
CREDITOR_FIELD = "fintech.payments.v1.PaymentInitiated.creditor_external_account"
KEY_RINGS = "customer.consumer.key_rings"  # session.info: customer id -> its key ring (None: skip it)


# Built once (they run with every payment event); the values come with each execution.
_ACTIVITY, _CUSTOMERS, _DATA_KEYS = (
    cast(Table, row.__table__) for row in (PaymentActivityRow, CustomerRow, DataKeyRow)
)
_RECORD = insert(_ACTIVITY).on_conflict_do_nothing()
_EXECUTED = update(_ACTIVITY).where(_ACTIVITY.c.payment_id == bindparam("id")).values(execute_time=bindparam("at"))
# Whether the customer is known and unerased (not the row with its sealed personal data) and its data
# keys, in one statement: no row for an unknown customer, one row without a key for one with none.
_KEYS = (
    select(_CUSTOMERS.c.erase_time, _DATA_KEYS.c.version, _DATA_KEYS.c.kek_id, _DATA_KEYS.c.wrapped_key)
    .select_from(_CUSTOMERS.outerjoin(_DATA_KEYS, _DATA_KEYS.c.customer_id == _CUSTOMERS.c.customer_id))
    .where(_CUSTOMERS.c.customer_id == bindparam("id"))
)


class PaymentEventsConsumer(EventConsumer):
    handles = event_types(pev.PaymentInitiated, pev.PaymentExecuted)

    def __init__(
        self, database: Database, keys: CustomerKeys, settings: Settings | None = None, **options: Any
    ) -> None:
        options.setdefault("batch_wait_ms", 100)  # payment activity is not read in a payment's path
        super().__init__(
            database, group_id=GROUP_ID, topics=[topic_for("fintech.payments.v1")], settings=settings, **options
        )
        self.keys = keys
        self.wrapper = KeyWrapper(keys)

    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        if isinstance(event, pev.PaymentInitiated):
            await self._initiated(session, event)
        elif isinstance(event, pev.PaymentExecuted):
            # One statement; a payment not recorded here changes nothing.
            executed = {"id": uuid.UUID(event.payment_id), "at": event.execute_time.ToDatetime(insights.UTC_ZONE)}
            await session.execute(_EXECUTED, executed)

    async def _key_ring(self, session: AsyncSession, customer_id: uuid.UUID) -> KeyRing | None:
        """The keys of a known, unerased customer (None for others), looked up once per session: the
        events of one consumed batch share it (and its transaction), so a customer's payments in a batch
        cost one lookup. Keys that fail to unwrap raise, uncached, as before."""
        rings: dict[uuid.UUID, KeyRing | None] = session.info.setdefault(KEY_RINGS, {})
        if customer_id not in rings:
            rows = (await session.execute(_KEYS, {"id": customer_id})).all()
            known = bool(rows) and rows[0].erase_time is None
            keys = [row for row in rows if row.version is not None]
            rings[customer_id] = personal_data.ring_of(self.wrapper, customer_id, keys) if known else None
        return rings[customer_id]

    async def _initiated(self, session: AsyncSession, event: pev.PaymentInitiated) -> None:
        customer_id = uuid.UUID(event.customer_id)
        remittance, iban = "", ""
        try:
            ring = await self._key_ring(session, customer_id)
            if ring is None:
                return  # unknown or erased customer: nothing to model
            if event.HasField("remittance_information"):
                remittance = ring.open(REMITTANCE_FIELD, event.remittance_information).decode()
            if event.HasField("creditor_external_account"):
                account = payment_pb2.ExternalAccount.FromString(
                    ring.open(CREDITOR_FIELD, event.creditor_external_account)
                )
                iban = account.iban
        except (KeyUnavailable, CorruptValue) as error:
            # The facts still count; without the text and account the payment is uncategorised.
            log.info("payment.sealed_values_unreadable", payment_id=event.payment_id, error=type(error).__name__)
        on_us = bool(event.creditor_account_id)
        key = insights.counterparty_key(self.keys.pseudonym_key, iban=iban, account_id=event.creditor_account_id)
        values = {
            "payment_id": uuid.UUID(event.payment_id),
            "customer_id": customer_id,
            "amount_minor": event.amount.amount_minor,
            "currency_code": event.amount.currency_code,
            "category": insights.categorise(remittance, on_us=on_us),
            "counterparty_key": key,
            "counterparty_account_id": event.creditor_account_id,
            "masked_account_identifier": masking.mask_iban(iban) if iban else "",
            "initiate_time": event.create_time.ToDatetime(insights.UTC_ZONE),
        }
        await session.execute(_RECORD, values)
