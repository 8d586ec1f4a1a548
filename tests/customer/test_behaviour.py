"""Behaviour insights from the payments service's events, published as payments publishes them: through
the runtime's transactional outbox and relay to Kafka (key = payment id), read by the customer service."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from fintech.common.v1.money_pb2 import Money
from fintech.customer.v1 import customer_behavior_models_service_pb2 as bsvc
from fintech.payments.v1 import account_pb2
from fintech.payments.v1 import events_pb2 as pev
from fintech.payments.v1 import ledger_entry_pb2 as le
from fintech.payments.v1 import payment_pb2 as pay
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from services.customer.adapters import crypto
from services.runtime import outbox
from services.runtime.config import Settings
from services.runtime.relay import OutboxRelay
from services.runtime.validation import validate
from tests.customer.support import (
    ADMIN,
    Api,
    customer_token,
    data_keys,
    eventually,
    new_customer,
    query,
    reason,
    register,
)
from tests.runtime.events_support import all_published, read_topic, sample_database, wait_until

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk")
REMITTANCE = "fintech.payments.v1.PaymentInitiated.remittance_information"
CREDITOR = "fintech.payments.v1.PaymentInitiated.creditor_external_account"
REWE = pay.ExternalAccount(iban="DE89370400440532013000", bic="COBADEFFXXX", holder_name="REWE Markt GmbH")
LANDLORD = pay.ExternalAccount(iban="DE02120300000000202051", bic="BYLADEM1001", holder_name="H. Vermieter")


def _time(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


class Payment:
    """One payment's events in the order the payments service appends them (the envelope sequence)."""

    def __init__(self, customer_id: str, amount: int, when: datetime, *, seal, text: str = "",
                 to: pay.ExternalAccount | None = None, on_us_account: str = "") -> None:  # fmt: skip
        self.payment_id, self.amount, self.when = (
            str(uuid.uuid4()),
            Money(amount_minor=amount, currency_code="EUR"),
            when,
        )
        self.debtor = str(uuid.uuid4())
        initiated = pev.PaymentInitiated(
            payment_id=self.payment_id, idempotency_key=f"idem-{self.payment_id}", customer_id=customer_id,
            initiated_by=customer_id, debtor_account_id=self.debtor, amount=self.amount, end_to_end_id="NOTPROVIDED",
            channel=pay.PAYMENT_CHANNEL_MOBILE_APP, create_time=_time(when - timedelta(seconds=5)),
        )  # fmt: skip
        if text:
            initiated.remittance_information.CopyFrom(seal(REMITTANCE, text.encode()))
        if on_us_account:
            initiated.creditor_account_id = on_us_account
        else:
            initiated.creditor_external_account.CopyFrom(seal(CREDITOR, to.SerializeToString()))
            initiated.creditor_bic = to.bic
        self.events: list[Message] = [
            initiated,
            pev.PaymentScreeningStarted(payment_id=self.payment_id, start_time=_time(when - timedelta(seconds=4))),
        ]

    def screened(self, decision: int) -> Payment:
        outcome = pay.ScreeningOutcome(fraud_decision=decision, fraud_score=0.02, compliance_decision=decision)
        self.events.append(pev.PaymentScreened(payment_id=self.payment_id, screening_outcome=outcome))
        return self

    def executed(self) -> Payment:
        posting = str(uuid.uuid4())
        entries = [
            le.LedgerEntry(ledger_entry_id=str(uuid.uuid4()), ledger_posting_id=posting, account_id=account,
                           entry_sequence=7, direction=direction, amount=self.amount, payment_id=self.payment_id,
                           balance_after=Money(amount_minor=100_000, currency_code="EUR"),
                           booking_time=_time(self.when), description="Credit transfer")
            for account, direction in ((self.debtor, le.LEDGER_ENTRY_DIRECTION_DEBIT),
                                       (str(uuid.uuid4()), le.LEDGER_ENTRY_DIRECTION_CREDIT))
        ]  # fmt: skip
        self.events.append(pev.PaymentExecuted(payment_id=self.payment_id, ledger_posting_id=posting,
                                               ledger_entries=entries, execute_time=_time(self.when)))  # fmt: skip
        return self

    def rejected(self) -> Payment:
        reason = pay.PAYMENT_REJECTION_REASON_FRAUD_DECLINED
        self.events.append(
            pev.PaymentRejected(payment_id=self.payment_id, reject_time=_time(self.when), rejection_reason=reason)
        )
        return self

    def cancelled(self) -> Payment:
        self.events.append(pev.PaymentCancelled(payment_id=self.payment_id, cancelled_by="teller-1",
                                                cancel_time=_time(self.when)))  # fmt: skip
        return self


async def publish_through_the_outbox(settings: Settings, payments: list[Payment], others: list[Message]) -> None:
    """Record the events as the payments service does (outbox rows in its transaction) and let the relay send them."""
    source = settings.spiffe_id("payments")
    async with sample_database() as database:
        for payment in payments:
            async with database.transaction() as session:
                for sequence, event in enumerate(payment.events, start=1):
                    await outbox.record(session, event, subject=payment.payment_id, sequence=sequence, source=source)
        async with database.transaction() as session:
            for event in others:
                await outbox.record(session, event, subject=event.account_id, sequence=1, source=source)
        relay = OutboxRelay(database, name="test-payments-outbox-relay", settings=settings)
        await relay.start()
        try:
            await wait_until(lambda: all_published(database), timeout=60)
        finally:
            await relay.stop()


def test_insights_come_from_the_payments_services_events(api: Api, settings: Settings):
    registered = register(api, new_customer())
    customer_id = registered.customer_id
    ring = data_keys(settings, customer_id)
    # The payments service seals with a data key of its own (services/payments/adapters/sealing.py), which the customer
    # service does not hold: such payments count, but uncategorised and without a counterparty.
    payments_key = crypto.DataKey(f"payments/customers/{customer_id}/keys/1", secrets.token_bytes(32))

    def payments_seal(field: str, plaintext: bytes):
        return crypto.seal(payments_key, field, plaintext)

    now = datetime.now(UTC)

    def at(hours: int) -> datetime:
        return now - timedelta(hours=hours)

    groceries = [
        Payment(customer_id, amount, at(hours), seal=ring.seal, text="REWE Markt sagt danke", to=REWE)
        for amount, hours in ((1250, 1), (4990, 2), (2300, 3), (1800, 5))
    ]
    executed = [
        *groceries,
        Payment(customer_id, 89900, at(4), seal=ring.seal, text="Miete Mai", to=LANDLORD),
        Payment(customer_id, 3000, at(6), seal=ring.seal, text="Thanks for dinner", on_us_account=str(uuid.uuid4())),
        Payment(customer_id, 700, at(7), seal=payments_seal, text="REWE", to=REWE),
    ]
    approve, decline = pay.SCREENING_DECISION_APPROVE, pay.SCREENING_DECISION_DECLINE
    not_executed = [
        Payment(customer_id, 50_000, at(1), seal=ring.seal, text="Miete", to=LANDLORD).screened(decline).rejected(),
        Payment(customer_id, 60_000, at(2), seal=ring.seal, text="REWE", to=REWE).cancelled(),
        Payment(customer_id, 70_000, at(0), seal=ring.seal, text="REWE", to=REWE),  # still being screened
    ]
    unknown_customer = Payment(str(uuid.uuid4()), 999, at(1), seal=payments_seal, to=REWE).screened(approve).executed()
    payments = [*(p.screened(approve).executed() for p in executed), *not_executed, unknown_customer]
    # The topic carries the payments domain's other events too.
    others = [pev.AccountOpened(account_id=str(uuid.uuid4()), customer_id=customer_id, currency_code="EUR",
                                account_type=account_pb2.ACCOUNT_TYPE_CURRENT, open_time=_time(now),
                                overdraft_limit=Money(currency_code="EUR"))]  # fmt: skip
    for event in [e for p in payments for e in p.events] + others:
        assert validate(event) == [], event  # what the payments contract lets the payments service publish

    asyncio.run(publish_through_the_outbox(settings, payments, others))

    request = bsvc.RetrieveBehaviorInsightsRequest(customer_id=customer_id, window=bsvc.BEHAVIOR_WINDOW_LAST_7_DAYS)

    def insights() -> bsvc.BehaviorInsights:
        return api.call(api.behavior.RetrieveBehaviorInsights, request).behavior_insights

    assert eventually(lambda: insights().payment_count == len(executed), timeout=60)
    result = insights()
    assert result.payment_count == len(executed) and result.time_zone == "Europe/Berlin"
    stats = result.amount_statistics[0]
    assert (stats.currency_code, stats.median_amount.amount_minor, stats.max_amount.amount_minor) == (
        "EUR",
        2300,
        89900,
    )
    assert stats.total_amount.amount_minor == sum(p.amount.amount_minor for p in executed)
    categories = {x.category: x.payment_count for x in result.category_spending}
    assert categories == {
        bsvc.SPENDING_CATEGORY_GROCERIES: 4,
        bsvc.SPENDING_CATEGORY_HOUSING: 1,
        bsvc.SPENDING_CATEGORY_PERSON_TO_PERSON: 1,
        bsvc.SPENDING_CATEGORY_OTHER: 1,
    }
    assert sum(h.payment_count for h in result.hour_of_day_activity) == len(executed)
    usual = result.usual_counterparties
    assert [u.payment_count for u in usual] == [4, 1, 1]
    assert usual[0].masked_account_identifier == "DE** **** **** **** **30 00"
    assert usual[0].usual_category == bsvc.SPENDING_CATEGORY_GROCERIES
    assert REWE.iban not in str(result) and "REWE" not in str(result)  # nothing in clear beyond the mask

    # The rows of what was not executed are there, not counted; nothing went to the dead-letter topic.
    ids = [p.payment_id for p in not_executed]
    rows = query(settings, "SELECT execute_time FROM payment_activity WHERE payment_id::text = ANY(:ids)", ids=ids)
    assert len(rows) == len(not_executed) and all(execute_time is None for (execute_time,) in rows)
    dead = asyncio.run(read_topic("fintech.payments.events.v1.dlq", until=lambda records: True, settle=1.0))
    mine = {p.payment_id.encode() for p in payments}
    assert not [r for r in dead if r.key in mine]


def test_insights_are_only_for_the_customer_and_staff(api: Api):
    registered, other = register(api, new_customer()), register(api, new_customer())
    request = bsvc.RetrieveBehaviorInsightsRequest(customer_id=registered.customer_id)
    own = api.call(api.behavior.RetrieveBehaviorInsights, request, customer_token(registered.customer_id))
    assert own.behavior_insights.payment_count == 0 and not own.behavior_insights.sufficient_history
    error = api.fails(api.behavior.RetrieveBehaviorInsights, request, customer_token(other.customer_id))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED and reason(error) == "ACCESS_DENIED"
    unknown = bsvc.RetrieveBehaviorInsightsRequest(customer_id=str(uuid.uuid4()))
    assert api.fails(api.behavior.RetrieveBehaviorInsights, unknown, ADMIN).code() == grpc.StatusCode.NOT_FOUND
