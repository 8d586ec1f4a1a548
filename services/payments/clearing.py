"""The bank's own (INTERNAL) accounts: a clearing account per settlement participant and currency,
and the settlement account per currency at the central bank.

Their ids are derived from what they are (UUIDv5), so every process finds the same account without a
lookup table, and the first payment that needs one opens it (concurrent first uses are harmless).
"""

from __future__ import annotations

import uuid

from fintech.payments.v1 import account_pb2 as a
from sqlalchemy import inspect
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.accounts import new_account_row, record_opened
from services.payments.models import AccountRow

NAMESPACE = uuid.UUID("6f1c1d5e-3b0a-5d8e-9c4f-2a7b8e1d0c93")
# The bank's own customer record, holder of every internal account.
BANK_CUSTOMER_ID = uuid.uuid5(NAMESPACE, "bank")


def clearing_account_id(bic: str, currency_code: str) -> uuid.UUID:
    """The clearing account of a participant bank (BIC, 8-character form) in a currency."""
    return uuid.uuid5(NAMESPACE, f"clearing/{bic[:8]}/{currency_code}")


def settlement_account_id(currency_code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"settlement/{currency_code}")


async def ensure_internal_account(session: AsyncSession, account_id: uuid.UUID, currency_code: str) -> None:
    """Open the internal account in the caller's transaction unless it exists (AccountOpened once)."""
    row = new_account_row(str(BANK_CUSTOMER_ID), currency_code, a.ACCOUNT_TYPE_INTERNAL, 0, account_id)
    values = {column.key: getattr(row, column.key) for column in inspect(AccountRow).columns
              if getattr(row, column.key) is not None}  # fmt: skip
    inserted = await session.scalar(
        insert(AccountRow).values(**values).on_conflict_do_nothing().returning(AccountRow.account_id)
    )
    if inserted is not None:
        await record_opened(session, row)
