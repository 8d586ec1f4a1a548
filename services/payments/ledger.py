"""Position keeping: the double-entry ledger and the account rows it books to.

    posting = await ledger.post(session, [Leg(debtor, DEBIT, 500), Leg(creditor, CREDIT, 500)],
                                currency_code="EUR", payment_id=pid, description="Credit transfer")

`post` runs inside the caller's transaction and writes one balanced posting: it locks the accounts
(SELECT ... FOR UPDATE in account id order, so two postings never wait on each other in a cycle),
checks states, currency and funds, appends the entries with their per-account sequence and running
balance, updates each account's cached balance, and records LedgerPosted in the outbox. Nothing is
written unless every check passes. Its statements are Core, built once: it runs with every payment.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.event_envelope_pb2 import EventEnvelope
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import ledger_entry_pb2 as le
from sqlalchemy import Row, bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import AccountRow, LedgerEntryRow, LedgerPostingRow
from services.runtime import outbox
from services.runtime.config import get_settings
from services.runtime.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound

DEBIT = le.LEDGER_ENTRY_DIRECTION_DEBIT
CREDIT = le.LEDGER_ENTRY_DIRECTION_CREDIT


@dataclass(frozen=True)
class Leg:
    """One side of a posting: `amount_minor` (> 0) debited from or credited to an account."""

    account_id: uuid.UUID
    direction: int
    amount_minor: int


@dataclass
class Posting:
    ledger_posting_id: str
    entries: list[le.LedgerEntry]
    booking_time: datetime


def source() -> str:
    return get_settings().spiffe_id("payments")


def check_balanced(legs: Sequence[Leg]) -> None:
    """A posting has two or more positive legs whose debits equal their credits."""
    if len(legs) < 2:
        raise InvalidArgument("a posting needs at least two entries")
    if any(leg.amount_minor <= 0 for leg in legs):
        raise InvalidArgument("posting amounts must be positive")
    if any(leg.direction not in (DEBIT, CREDIT) for leg in legs):
        raise InvalidArgument("a posting entry must be a debit or a credit")
    debits = sum(leg.amount_minor for leg in legs if leg.direction == DEBIT)
    credits = sum(leg.amount_minor for leg in legs if leg.direction == CREDIT)
    if debits != credits:
        raise InvalidArgument(f"unbalanced posting: debits {debits} != credits {credits}")


# Built once (the hot path runs them per payment); the values come with each execution.
ACCOUNTS = AccountRow.__table__
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
_POSTING = insert(LedgerPostingRow.__table__)
_ENTRIES = insert(LedgerEntryRow.__table__)


async def read_accounts(session: AsyncSession, account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Row]:
    """The accounts that exist among `account_ids` (not locked), in one query."""
    rows = (await session.execute(_READ, {"ids": list(set(account_ids))})).all()
    return {row.account_id: row for row in rows}


async def lock_accounts(session: AsyncSession, account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Row]:
    """The accounts, locked for this transaction, always in account id order (no lock cycles)."""
    ids = sorted(set(account_ids))
    rows = {row.account_id: row for row in (await session.execute(_LOCK, {"ids": ids})).all()}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise NotFound(f"account {missing[0]} not found", metadata={"account_id": missing[0]})
    return rows


async def move_reservation(session: AsyncSession, account_id: uuid.UUID, change: int, now: datetime) -> Row | None:
    """Change an account's reserved amount, which locks its row; the account after the change (None: no
    such account). A reservation released twice fails the account's reserved >= 0 check (IntegrityError)."""
    values = {"account": account_id, "change": change, "now": now}
    return (await session.execute(_RESERVE, values)).first()


def available_minor(account: AccountRow | Row) -> int:
    """Ledger balance minus reservations (without the overdraft limit)."""
    return account.balance_minor - account.reserved_minor


def covers(account: AccountRow | Row, amount_minor: int) -> bool:
    return available_minor(account) + account.overdraft_limit_minor >= amount_minor


def require_active(account: AccountRow | Row) -> None:
    if account.state != a.ACCOUNT_STATE_ACTIVE:
        raise FailedPrecondition(
            f"account {account.account_id} is {a.AccountState.Name(account.state)}",
            reason=ErrorReason.ERROR_REASON_ACCOUNT_NOT_ACTIVE,
            metadata={"account_id": str(account.account_id)},
        )


def insufficient_funds(account: AccountRow | Row) -> FailedPrecondition:
    return FailedPrecondition(
        f"account {account.account_id} does not cover the amount",
        reason=ErrorReason.ERROR_REASON_INSUFFICIENT_FUNDS,
        metadata={"account_id": str(account.account_id)},
    )


def check_posting(
    accounts: Mapping[uuid.UUID, AccountRow | Row],
    legs: Sequence[Leg],
    *,
    currency_code: str,
    own_reservations: Mapping[uuid.UUID, int],
    check_funds: bool,
    require_active_accounts: bool,
) -> None:
    """The ledger's rules for a balanced posting to its (locked) accounts, as `post` applies them.

    Per account, in the order of `accounts`: its currency must be the posting's (CURRENCY_MISMATCH), and it
    must be active (ACCOUNT_NOT_ACTIVE), or with `require_active_accounts=False` at least not closed. Then,
    with `check_funds`, every account the posting takes money from (net of its legs) must keep
    `available + own reservation + change + overdraft limit >= 0` (INSUFFICIENT_FUNDS).
    """
    for account in accounts.values():
        if account.currency_code != currency_code:
            raise InvalidArgument(
                f"account {account.account_id} is in {account.currency_code}, not {currency_code}",
                reason=ErrorReason.ERROR_REASON_CURRENCY_MISMATCH,
            )
        if require_active_accounts:
            require_active(account)
        elif account.state == a.ACCOUNT_STATE_CLOSED:
            require_active(account)  # nothing is ever booked to a closed account
    net: dict[uuid.UUID, int] = defaultdict(int)
    for leg in legs:
        net[leg.account_id] += net_of(leg)
    if check_funds:
        for account_id, change in net.items():
            account = accounts[account_id]
            own = own_reservations.get(account_id, 0)
            if change < 0 and available_minor(account) + own + change + account.overdraft_limit_minor < 0:
                raise insufficient_funds(account)


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


def net_of(leg: Leg) -> int:
    """What the leg changes its account's balance by."""
    return leg.amount_minor if leg.direction == CREDIT else -leg.amount_minor


def entry_message(row: Mapping) -> le.LedgerEntry:
    """A ledger entry row (a mapping or a LedgerEntryRow's columns) as the contract's message."""
    get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
    currency = get("currency_code")
    entry = le.LedgerEntry(
        ledger_entry_id=str(get("ledger_entry_id")),
        ledger_posting_id=str(get("ledger_posting_id")),
        account_id=str(get("account_id")),
        entry_sequence=get("entry_sequence"),
        direction=get("direction"),
        amount=Money(amount_minor=get("amount_minor"), currency_code=currency),
        balance_after=Money(amount_minor=get("balance_after_minor"), currency_code=currency),
        payment_id=str(get("payment_id") or ""),
        description=get("description"),
    )
    entry.booking_time.FromDatetime(get("booking_time"))
    value_date = get("value_date")
    entry.value_date.year, entry.value_date.month, entry.value_date.day = (
        value_date.year, value_date.month, value_date.day
    )  # fmt: skip
    return entry


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
