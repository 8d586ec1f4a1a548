"""Accounts: opening (the bank's internal accounts on first use), state changes and their contract messages
(balances come from the ledger)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.event_envelope_pb2 import SealedValue
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import position_keeping_service_pb2 as pk
from google.protobuf.message import Message
from sqlalchemy import func, inspect, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters.db.models import AccountRow, PaymentHistoryRow
from services.payments.adapters.events.outbox import source
from services.payments.domain.clearing import BANK_CUSTOMER_ID
from services.payments.domain.payment import RESERVING
from services.runtime import outbox, paging
from services.runtime.errors import Aborted, FailedPrecondition, NotFound

# action -> (states it applies to, resulting state)
TRANSITIONS = {
    pk.ACCOUNT_CONTROL_ACTION_FREEZE: ({a.ACCOUNT_STATE_ACTIVE}, a.ACCOUNT_STATE_FROZEN),
    pk.ACCOUNT_CONTROL_ACTION_UNFREEZE: ({a.ACCOUNT_STATE_FROZEN}, a.ACCOUNT_STATE_ACTIVE),
    pk.ACCOUNT_CONTROL_ACTION_CLOSE: ({a.ACCOUNT_STATE_ACTIVE, a.ACCOUNT_STATE_FROZEN}, a.ACCOUNT_STATE_CLOSED),
}


async def open_account(
    session: AsyncSession,
    *,
    customer_id: str,
    currency_code: str,
    account_type: int,
    overdraft_limit_minor: int = 0,
    account_id: uuid.UUID | None = None,
) -> AccountRow:
    """A new ACTIVE account with zero balances, and AccountOpened in the outbox."""
    row = new_account_row(customer_id, currency_code, account_type, overdraft_limit_minor, account_id)
    session.add(row)
    await record_opened(session, row)
    return row


def new_account_row(
    customer_id: str, currency_code: str, account_type: int, overdraft_limit_minor: int = 0,
    account_id: uuid.UUID | None = None,
) -> AccountRow:  # fmt: skip
    now = datetime.now(UTC)
    return AccountRow(
        account_id=account_id or uuid.uuid4(),
        customer_id=uuid.UUID(customer_id),
        account_type=account_type,
        currency_code=currency_code,
        overdraft_limit_minor=overdraft_limit_minor,
        state=a.ACCOUNT_STATE_ACTIVE,
        state_reason=0,
        balance_minor=0,
        reserved_minor=0,
        last_entry_sequence=0,
        version=1,
        open_time=now,
        update_time=now,
    )


async def record_opened(session: AsyncSession, row: AccountRow) -> None:
    opened = ev.AccountOpened(
        account_id=str(row.account_id),
        customer_id=str(row.customer_id),
        account_type=cast(a.AccountType, row.account_type),
        currency_code=row.currency_code,
        overdraft_limit=Money(amount_minor=row.overdraft_limit_minor, currency_code=row.currency_code),
    )
    opened.open_time.FromDatetime(row.open_time)
    await outbox.record(
        session, opened, subject=str(row.account_id), sequence=1, source=source(), occur_time=row.open_time
    )


async def control_account(
    session: AsyncSession,
    account_id: str,
    *,
    action: int,
    reason: int,
    changed_by: str,
    note: SealedValue | None,
    expected_version: int = 0,
    pending_payments: int = 0,
) -> AccountRow:
    """Freeze, unfreeze or close; a change that already took effect returns the account unchanged."""
    row = await session.get(AccountRow, uuid.UUID(account_id), with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"account {account_id} not found", metadata={"account_id": account_id})
    if expected_version and row.version != expected_version:
        raise Aborted(f"account {account_id} is at version {row.version}", metadata={"account_id": account_id})
    allowed_from, target = TRANSITIONS[cast(pk.AccountControlAction, action)]
    if row.state == target:
        return row
    if row.state not in allowed_from:
        raise _transition_error(
            row, f"cannot {pk.AccountControlAction.Name(action)} a {a.AccountState.Name(row.state)}"
        )
    if target == a.ACCOUNT_STATE_CLOSED and (row.balance_minor != 0 or row.reserved_minor or pending_payments):
        raise _transition_error(row, "closing needs a zero balance and no pending payment")
    now = datetime.now(UTC)
    changed = ev.AccountStatusChanged(
        account_id=account_id,
        previous_state=cast(a.AccountState, row.state),
        state=target,
        reason=cast(a.AccountStatusReason, reason),
        changed_by=changed_by,
    )
    if note is not None:
        changed.note.CopyFrom(note)
    changed.change_time.FromDatetime(now)
    row.state, row.state_reason, row.version, row.update_time = target, reason, row.version + 1, now
    row.state_note = note.SerializeToString() if note is not None else None
    if target == a.ACCOUNT_STATE_CLOSED:
        row.close_time = now
    await outbox.record(session, changed, subject=account_id, sequence=row.version, source=source(), occur_time=now)
    return row


def _transition_error(row: AccountRow, message: str) -> FailedPrecondition:
    return FailedPrecondition(
        message,
        reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
        metadata={"account_id": str(row.account_id)},
    )


def account_message(row: AccountRow) -> a.Account:
    currency = row.currency_code
    account = a.Account(
        account_id=str(row.account_id),
        customer_id=str(row.customer_id),
        account_type=cast(a.AccountType, row.account_type),
        currency_code=currency,
        ledger_balance=Money(amount_minor=row.balance_minor, currency_code=currency),
        available_balance=Money(amount_minor=row.balance_minor - row.reserved_minor, currency_code=currency),
        overdraft_limit=Money(amount_minor=row.overdraft_limit_minor, currency_code=currency),
        state=cast(a.AccountState, row.state),
        state_reason=cast(a.AccountStatusReason, row.state_reason),
        last_entry_sequence=row.last_entry_sequence,
        version=row.version,
    )
    account.open_time.FromDatetime(row.open_time)
    account.update_time.FromDatetime(row.update_time)
    if row.close_time is not None:
        account.close_time.FromDatetime(row.close_time)
    return account


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


async def get(session: AsyncSession, account_id: str) -> AccountRow | None:
    return await session.get(AccountRow, uuid.UUID(account_id))


async def pending_payments(session: AsyncSession, account_id: uuid.UUID) -> int:
    """Payments to or from the account that still hold a reservation (closing waits for them)."""
    return int(
        await session.scalar(
            select(func.count()).select_from(PaymentHistoryRow).where(
                or_(PaymentHistoryRow.debtor_account_id == account_id,
                    PaymentHistoryRow.creditor_account_id == account_id),
                PaymentHistoryRow.state.in_(list(RESERVING)),
            )
        ) or 0
    )  # fmt: skip


async def page_of_accounts(
    session: AsyncSession, customer_id: str, states: Sequence[int], page: Message, key: bytes, fingerprint: str,
    default_size: int,
) -> tuple[list[AccountRow], str]:  # fmt: skip
    """The customer's accounts (in `states`, if any), oldest first, one page, and the next page's token."""
    query = select(AccountRow).where(AccountRow.customer_id == uuid.UUID(customer_id))
    if states:
        query = query.where(AccountRow.state.in_(list(states)))
    order = (AccountRow.open_time, AccountRow.account_id)
    rows, token = await paging.keyset_page(session, query, order, page, key, fingerprint, default_size=default_size)
    return list(rows), token
