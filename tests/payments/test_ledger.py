"""The double-entry ledger against the real PostgreSQL: balanced postings, limits, concurrency."""

from __future__ import annotations

import asyncio

import pytest
from fintech.common.v1.error_reason_pb2 import ErrorReason

from services.payments.adapters.db import ledger
from services.payments.domain.ledger import CREDIT, DEBIT, Leg
from services.runtime.errors import Code, DomainError
from tests.payments.support import (
    balances,
    fund,
    funding_account,
    open_accounts,
    payments_database,
    unbalanced_postings,
)

pytestmark = pytest.mark.mesh("postgres", "kafka")


async def test_postings_balance_and_cached_balances_equal_the_entries(settings):
    database = await payments_database(settings)
    try:
        bank = await funding_account(database)
        alice, bob = await open_accounts(database, 2)
        await fund(database, bank, alice, 10_000)
        await fund(database, alice, bob, 2_500)
        result = await balances(database, [bank, alice, bob])
        assert result[alice] == (7_500, 7_500) and result[bob] == (2_500, 2_500)
        assert result[bank] == (-10_000, -10_000)
        assert await unbalanced_postings(database) == 0
        with pytest.raises(DomainError) as caught:  # an unbalanced posting is refused before anything is written
            async with database.transaction() as session:
                await ledger.post(session, [Leg(alice, DEBIT, 5), Leg(bob, CREDIT, 4)],
                                  currency_code="EUR", description="Broken")  # fmt: skip
        assert caught.value.code == Code.INVALID_ARGUMENT
        assert (await balances(database, [alice]))[alice] == (7_500, 7_500)
    finally:
        await database.dispose()


async def test_concurrent_postings_never_overdraw_and_conserve_money(settings):
    database = await payments_database(settings)
    try:
        bank = await funding_account(database)
        payer, *payees = await open_accounts(database, 6, overdraft=1_000)
        await fund(database, bank, payer, 20_000)

        async def pay(index: int) -> bool:
            target = payees[index % len(payees)]
            try:
                async with database.transaction() as session:
                    await ledger.post(session, [Leg(payer, DEBIT, 700),
                                                Leg(target, CREDIT, 700)],
                                      currency_code="EUR", description="Credit transfer")  # fmt: skip
            except DomainError as error:
                assert error.reason == ErrorReason.ERROR_REASON_INSUFFICIENT_FUNDS
                return False
            return True

        done = await asyncio.gather(*(pay(i) for i in range(50)))
        assert sum(done) == 30  # (20,000 + 1,000 overdraft) // 700
        result = await balances(database, [bank, payer, *payees])
        assert all(cached == truth for cached, truth in result.values())
        assert result[payer][0] == 20_000 - 30 * 700 >= -1_000
        assert sum(cached for cached, _ in result.values()) == 0
        assert await unbalanced_postings(database) == 0
    finally:
        await database.dispose()
