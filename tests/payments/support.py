"""Helpers of the payments tests: the payments database (migrated), accounts, conservation checks."""

from __future__ import annotations

import uuid

from fintech.payments.v1 import account_pb2 as a
from sqlalchemy import case, func, select

from services.payments.adapters.db import accounts, ledger
from services.payments.adapters.db.models import AccountRow, LedgerEntryRow
from services.payments.domain.ledger import CREDIT, DEBIT, Leg
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.migrations import upgrade_async


async def payments_database(settings: Settings) -> Database:
    await upgrade_async("payments", settings.postgres.url("payments"))
    return Database.for_service("payments", settings, pool_size=20, max_overflow=40)


async def open_accounts(database: Database, count: int, *, overdraft: int = 0, currency: str = "EUR",
                        customer_id: str | None = None) -> list[uuid.UUID]:  # fmt: skip
    customer_id = customer_id or str(uuid.uuid4())
    async with database.transaction() as session:
        rows = [
            await accounts.open_account(session, customer_id=customer_id, currency_code=currency,
                                        account_type=a.ACCOUNT_TYPE_CURRENT, overdraft_limit_minor=overdraft)
            for _ in range(count)
        ]  # fmt: skip
    return [row.account_id for row in rows]


async def funding_account(database: Database, currency: str = "EUR") -> uuid.UUID:
    """A bank-internal account with a large overdraft: where test money comes from (sums stay zero)."""
    async with database.transaction() as session:
        row = await accounts.open_account(
            session,
            customer_id=str(uuid.uuid4()),
            currency_code=currency,
            account_type=a.ACCOUNT_TYPE_INTERNAL,
            overdraft_limit_minor=10**15,
        )
    return row.account_id


async def payer_and_payee(database: Database, funds: int) -> tuple[uuid.UUID, uuid.UUID]:
    """Two accounts of one new customer, the first funded with `funds` from a new funding account."""
    bank = await funding_account(database)
    payer, payee = await open_accounts(database, 2)
    await fund(database, bank, payer, funds)
    return payer, payee


async def fund(database: Database, source: uuid.UUID, target: uuid.UUID, amount: int, currency: str = "EUR") -> None:
    async with database.transaction() as session:
        await ledger.post(
            session,
            [Leg(source, DEBIT, amount), Leg(target, CREDIT, amount)],
            currency_code=currency,
            description="Test funding",
        )


async def balances(database: Database, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
    """account id -> (cached balance, balance recomputed from the entries)."""
    async with database.session() as session:
        rows = (await session.scalars(select(AccountRow).where(AccountRow.account_id.in_(ids)))).all()
        return {row.account_id: (row.balance_minor, await ledger.balance_from_entries(session, row.account_id))
                for row in rows}  # fmt: skip


async def unbalanced_postings(database: Database) -> int:
    """How many postings' debits differ from their credits (must be 0)."""
    signed = func.sum(
        case((LedgerEntryRow.direction == CREDIT, LedgerEntryRow.amount_minor),
                  else_=-LedgerEntryRow.amount_minor)
    )  # fmt: skip
    query = select(LedgerEntryRow.ledger_posting_id).group_by(LedgerEntryRow.ledger_posting_id).having(signed != 0)
    async with database.session() as session:
        return len((await session.scalars(query)).all())
