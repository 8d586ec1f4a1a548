"""Position keeping's SQL: the double-entry ledger and the account rows it books to.

    posting = await ledger.post(session, [Leg(debtor, DEBIT, 500), Leg(creditor, CREDIT, 500)],
                                currency_code="EUR", payment_id=pid, description="Credit transfer")

`post` runs inside the caller's transaction and writes one balanced posting: it locks the accounts
(SELECT ... FOR UPDATE in account id order, so two postings never wait on each other in a cycle),
checks states, currency and funds (services.payments.domain.ledger), appends the entries with their
per-account sequence and running balance, updates each account's cached balance, and records
LedgerPosted in the outbox. Nothing is written unless every check passes. Its statements are Core,
built once: it runs with every payment.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from fintech.common.v1.event_envelope_pb2 import EventEnvelope
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import ledger_entry_pb2 as le
from google.protobuf.message import Message
from sqlalchemy import Row, Table, bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters.db.models import AccountRow, LedgerEntryRow, LedgerPostingRow
from services.payments.adapters.events.outbox import source
from services.payments.domain.ledger import CREDIT, DEBIT, Leg, check_balanced, check_posting, entry_message, net_of
from services.runtime import outbox, paging
from services.runtime.errors import Aborted, NotFound


@dataclass
class Posting:
    ledger_posting_id: str
    entries: list[le.LedgerEntry]
    booking_time: datetime


# Built once (the hot path runs them per payment); the values come with each execution.
ACCOUNTS = cast(Table, AccountRow.__table__)
_READ = select(ACCOUNTS).where(ACCOUNTS.c.account_id.in_(bindparam("ids", expanding=True)))
_LOCK = _READ.order_by(ACCOUNTS.c.account_id).with_for_update()
_RESERVE = (
    update(ACCOUNTS)
    .where(ACCOUNTS.c.account_id == bindparam("account"))
    .values(reserved_minor=ACCOUNTS.c.reserved_minor + bindparam("change"), update_time=bindparam("now"))
    .returning(*ACCOUNTS.c)
)
_BOOK = (
    update(ACCOUNTS)
    .where(ACCOUNTS.c.account_id == bindparam("account"))
    .values(balance_minor=bindparam("balance"), last_entry_sequence=bindparam("sequence"),
            reserved_minor=ACCOUNTS.c.reserved_minor - bindparam("released"), update_time=bindparam("now"))
)  # fmt: skip
_POSTING = insert(cast(Table, LedgerPostingRow.__table__))
_ENTRIES = insert(cast(Table, LedgerEntryRow.__table__))


async def read_accounts(session: AsyncSession, account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Row[Any]]:
    """The accounts that exist among `account_ids` (not locked), in one query."""
    rows = (await session.execute(_READ, {"ids": list(set(account_ids))})).all()
    return {row.account_id: row for row in rows}


async def lock_accounts(session: AsyncSession, account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Row[Any]]:
    """The accounts, locked for this transaction, always in account id order (no lock cycles)."""
    ids = sorted(set(account_ids))
    rows = {row.account_id: row for row in (await session.execute(_LOCK, {"ids": ids})).all()}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise NotFound(f"account {missing[0]} not found", metadata={"account_id": missing[0]})
    return rows


async def move_reservation(session: AsyncSession, account_id: uuid.UUID, change: int, now: datetime) -> Row[Any] | None:
    """Change an account's reserved amount, which locks its row; the account after the change (None: no
    such account). A reservation released twice fails the account's reserved >= 0 check (IntegrityError)."""
    values = {"account": account_id, "change": change, "now": now}
    return (await session.execute(_RESERVE, values)).first()


async def post(
    session: AsyncSession,
    legs: Sequence[Leg],
    *,
    currency_code: str,
    description: str,
    payment_id: str | None = None,
    settlement_batch_id: str | None = None,
    own_reservations: Mapping[uuid.UUID, int] | None = None,
    check_funds: bool = True,
    require_active_accounts: bool = True,
    booking_time: datetime | None = None,
    events: list[EventEnvelope] | None = None,
) -> Posting:
    """Book one balanced posting in the caller's transaction and record LedgerPosted.

    `own_reservations`: reservations that end with this posting (account id -> amount): left out of the
    funds check, so that an executed payment's own reservation does not count against it, and released
    in the same account update (the caller's event store must not release them again). With
    `check_funds`, every debited account must keep `available + overdraft limit >= 0`.
    `events`: LedgerPosted's envelope is added to it, for the caller to write with its own events (one
    outbox insert), instead of being written now.
    Raises NotFound, FailedPrecondition (ACCOUNT_NOT_ACTIVE, INSUFFICIENT_FUNDS) or InvalidArgument
    (unbalanced, currency) before writing anything, and Aborted when the payment was booked (or its
    reservation released) meanwhile.
    """
    check_balanced(legs)
    own = own_reservations or {}
    accounts = await lock_accounts(session, [leg.account_id for leg in legs])
    check_posting(accounts, legs, currency_code=currency_code, own_reservations=own, check_funds=check_funds,
                  require_active_accounts=require_active_accounts)  # fmt: skip

    now = booking_time or datetime.now(UTC)
    posting_id = uuid.uuid4()
    payment = uuid.UUID(payment_id) if payment_id else None
    try:  # the posting row first: entries reference it, and a payment's second booking fails here
        await session.execute(_POSTING, {
            "ledger_posting_id": posting_id, "payment_id": payment, "currency_code": currency_code,
            "settlement_batch_id": uuid.UUID(settlement_batch_id) if settlement_batch_id else None,
            "description": description, "booking_time": now,
        })  # fmt: skip
    except IntegrityError:
        raise Aborted(f"payment {payment_id} was booked meanwhile", metadata={"payment_id": payment_id or ""}) from None
    position = {account_id: (row.balance_minor, row.last_entry_sequence) for account_id, row in accounts.items()}
    rows, entries = [], []
    for leg in legs:
        balance, sequence = position[leg.account_id]
        position[leg.account_id] = balance + net_of(leg), sequence + 1
        rows.append({
            "ledger_entry_id": uuid.uuid4(), "ledger_posting_id": posting_id, "account_id": leg.account_id,
            "entry_sequence": sequence + 1, "direction": leg.direction,
            "amount_minor": leg.amount_minor, "currency_code": currency_code,
            "balance_after_minor": balance + net_of(leg), "payment_id": payment,
            "booking_time": now, "value_date": now.date(), "description": description,
        })  # fmt: skip
        entries.append(entry_message(rows[-1]))
    try:
        await session.execute(_BOOK, [
            {"account": account_id, "balance": balance, "sequence": sequence, "released": own.get(account_id, 0),
             "now": now}
            for account_id, (balance, sequence) in position.items()
        ])  # fmt: skip
    except IntegrityError:
        raise Aborted(f"payment {payment_id} changed meanwhile", metadata={"payment_id": payment_id or ""}) from None
    await session.execute(_ENTRIES, rows)
    posted = ev.LedgerPosted(
        ledger_posting_id=str(posting_id),
        payment_id=payment_id or "",
        settlement_batch_id=settlement_batch_id or "",
        ledger_entries=entries,
    )
    posted.booking_time.FromDatetime(now)
    envelope = outbox.wrap(posted, subject=str(posting_id), sequence=1, source=source(), occur_time=now)
    if events is not None:
        events.append(envelope)
    else:
        await outbox.add_event(session, envelope)
    return Posting(str(posting_id), entries, now)


async def entries_of_posting(session: AsyncSession, posting_id: str) -> list[le.LedgerEntry]:
    query = (
        select(LedgerEntryRow)
        .where(LedgerEntryRow.ledger_posting_id == uuid.UUID(posting_id))
        .order_by(LedgerEntryRow.direction, LedgerEntryRow.account_id)
    )
    return [entry_message(row) for row in (await session.scalars(query)).all()]


async def balance_from_entries(session: AsyncSession, account_id: uuid.UUID) -> int:
    """The ledger balance recomputed from the entries alone (the truth the cached column must equal)."""
    signed = func.sum(
        case((LedgerEntryRow.direction == CREDIT, LedgerEntryRow.amount_minor), else_=-LedgerEntryRow.amount_minor)
    )
    return int(await session.scalar(select(signed).where(LedgerEntryRow.account_id == account_id)) or 0)


async def page_of_entries(
    session: AsyncSession, account_id: str, start: datetime | None, end: datetime | None, page: Message, key: bytes,
    fingerprint: str, default_size: int,
) -> tuple[list[le.LedgerEntry], str]:  # fmt: skip
    """The account's entries booked in [start, end), in booking order, one page, and the next page's token."""
    query = select(LedgerEntryRow).where(LedgerEntryRow.account_id == uuid.UUID(account_id))
    if start is not None:
        query = query.where(LedgerEntryRow.booking_time >= start)
    if end is not None:
        query = query.where(LedgerEntryRow.booking_time < end)
    order = (LedgerEntryRow.booking_time, LedgerEntryRow.entry_sequence)
    rows, token = await paging.keyset_page(session, query, order, page, key, fingerprint, default_size=default_size,
                                           parse_id=int)  # fmt: skip
    return [entry_message(row) for row in rows], token


@dataclass(frozen=True)
class ExecutedTotal:
    """The executed payments of one booking day (UTC) in one currency: how many, and their debits' sum."""

    booking_date: date
    currency_code: str
    payment_count: int
    amount_minor: int


async def executed_totals(session: AsyncSession, start: datetime | None, end: datetime) -> list[ExecutedTotal]:
    """Executed payments booked in [start, end) per UTC day and currency, from the entries of payment postings
    (a payment's posting is unique per payment; settlement postings carry no payment id)."""
    entries = cast(Table, LedgerEntryRow.__table__)
    day = func.date(func.timezone("UTC", entries.c.booking_time)).label("day")
    query = (
        select(day, entries.c.currency_code, func.count(entries.c.ledger_posting_id.distinct()),
               func.sum(entries.c.amount_minor))
        .where(entries.c.payment_id.is_not(None), entries.c.direction == DEBIT, entries.c.booking_time < end)
        .group_by(day, entries.c.currency_code)
        .order_by(day, entries.c.currency_code)
    )  # fmt: skip
    if start is not None:
        query = query.where(entries.c.booking_time >= start)
    rows = (await session.execute(query)).all()
    return [ExecutedTotal(row[0], row[1], int(row[2]), int(row[3])) for row in rows]
