"""The ledger's executed-payment totals (RetrieveExecutedPaymentTotals, for the lake's reconciliation) against the
real PostgreSQL: per UTC booking day and currency, payment postings only, their debits, within [start, end)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.payments.adapters.db import ledger
from services.payments.adapters.db.ledger import ExecutedTotal
from services.payments.domain.ledger import CREDIT, DEBIT, Leg
from tests.payments.support import fund, funding_account, open_accounts, payments_database

pytestmark = pytest.mark.mesh("postgres", "kafka")


async def test_totals_are_the_payment_postings_debits_per_utc_day_and_currency(settings):
    database = await payments_database(settings)
    # A day of its own, decades back, so that no other test's booking is in it; times straddle UTC midnight.
    day = date(2001, 2, 3) + timedelta(days=uuid.uuid4().int % 3000)
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
    try:
        eur_bank, usd_bank = await funding_account(database), await funding_account(database, "USD")
        payer, payee = await open_accounts(database, 2)
        usd_payer, usd_payee = await open_accounts(database, 2, currency="USD")
        await fund(database, eur_bank, payer, 1_000_00)
        await fund(database, usd_bank, usd_payer, 1_000_00, "USD")
        bookings = [  # (debtor, creditor, amount, currency, booking time)
            (payer, payee, 1_01, "EUR", midnight - timedelta(microseconds=1)),
            (payer, payee, 2_02, "EUR", midnight - timedelta(hours=3)),
            (usd_payer, usd_payee, 5_00, "USD", midnight - timedelta(minutes=1)),
            (payer, payee, 7_07, "EUR", midnight),  # the next day
        ]
        for debtor, creditor, amount, currency, when in bookings:
            async with database.transaction() as session:
                await ledger.post(session, [Leg(debtor, DEBIT, amount), Leg(creditor, CREDIT, amount)],
                                  currency_code=currency, description="Credit transfer", payment_id=str(uuid.uuid4()),
                                  booking_time=when)  # fmt: skip
        async with database.transaction() as session:  # not a payment: left out
            await ledger.post(session, [Leg(payee, DEBIT, 50), Leg(payer, CREDIT, 50)], currency_code="EUR",
                              description="Correction", booking_time=midnight - timedelta(hours=1))  # fmt: skip

        start = midnight - timedelta(days=1)
        async with database.session() as session:
            whole = await ledger.executed_totals(session, start, midnight + timedelta(days=1))
            first_day = await ledger.executed_totals(session, start, midnight)
            from_midnight = await ledger.executed_totals(session, midnight, midnight + timedelta(seconds=1))
        assert whole == [
            ExecutedTotal(day, "EUR", 2, 3_03),
            ExecutedTotal(day, "USD", 1, 5_00),
            ExecutedTotal(day + timedelta(days=1), "EUR", 1, 7_07),
        ]
        assert first_day == whole[:2]
        assert from_midnight == whole[2:]
    finally:
        await database.dispose()
