"""A future-dated payment is accepted and reserved but not booked; on its date the scheduler books it,
once, however many times (or workers) it runs."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p
from google.type import date_pb2

from services.payments.adapters.background import DueExecutions
from services.payments.adapters.sealing import Sealer
from services.payments.app.payments import Payments
from services.payments.config import load_keys
from services.runtime.config import Settings
from tests.payments.api import Bank, query, release_if_held
from tests.payments.support import payments_database

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "features", "risk", "payments")
S = p.PaymentState


def _scheduler_run(settings: Settings, today: date) -> None:
    """The scheduler as the payments service runs it, on the same database, for the business date `today`."""

    async def run() -> None:
        database = await payments_database(settings)
        try:
            scheduler = DueExecutions(Payments(database, Sealer(load_keys(settings)), None, None), today=lambda: today)
            while await scheduler.tick():
                pass
        finally:
            await database.dispose()

    asyncio.run(run())


def _postings(settings: Settings, payment_id: str) -> int:
    return query(settings, "SELECT count(*) FROM ledger_postings WHERE payment_id = :id", id=payment_id)[0][0]


def test_a_future_dated_payment_is_booked_once_on_its_date(settings: Settings):
    bank = Bank(settings)
    _, payer = bank.customer(amount=50_000, overdraft=0)
    _, payee = bank.customer(amount=1)
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    when = date_pb2.Date(year=tomorrow.year, month=tomorrow.month, day=tomorrow.day)
    payment = release_if_held(bank.api, bank.api.pay(payer, payee, 30_000, requested_execution_date=when))
    assert payment.state == S.PAYMENT_STATE_ACCEPTED
    assert bank.api.balance(payer).account.available_balance.amount_minor == 20_000  # reserved until booked

    _scheduler_run(settings, tomorrow - timedelta(days=1))  # not yet due
    assert _postings(settings, payment.payment_id) == 0

    _scheduler_run(settings, tomorrow)
    _scheduler_run(settings, tomorrow)  # again, as a second worker would: nothing is booked twice
    request = isvc.RetrievePaymentRequest(payment_id=payment.payment_id)
    booked = bank.api.call(bank.api.payments.RetrievePayment, request).payment
    assert booked.state == S.PAYMENT_STATE_EXECUTED
    assert _postings(settings, payment.payment_id) == 1
    account = bank.api.balance(payer).account
    assert account.ledger_balance.amount_minor == account.available_balance.amount_minor == 20_000
