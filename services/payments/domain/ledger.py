"""The ledger's rules, pure: balanced postings, funds, account states, and entries as the contract's messages.

The booking itself (locks, entries, cached balances) is SQL: services.payments.adapters.db.ledger.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import ledger_entry_pb2 as le

from services.runtime.errors import FailedPrecondition, InvalidArgument

DEBIT = le.LEDGER_ENTRY_DIRECTION_DEBIT
CREDIT = le.LEDGER_ENTRY_DIRECTION_CREDIT


@dataclass(frozen=True)
class Leg:
    """One side of a posting: `amount_minor` (> 0) debited from or credited to an account."""

    account_id: uuid.UUID
    direction: int
    amount_minor: int


class AccountView(Protocol):
    """What the rules read of an account (a row of the accounts table)."""

    @property
    def account_id(self) -> uuid.UUID: ...
    @property
    def currency_code(self) -> str: ...
    @property
    def state(self) -> int: ...
    @property
    def balance_minor(self) -> int: ...
    @property
    def reserved_minor(self) -> int: ...
    @property
    def overdraft_limit_minor(self) -> int: ...


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


def available_minor(account: AccountView) -> int:
    """Ledger balance minus reservations (without the overdraft limit)."""
    return account.balance_minor - account.reserved_minor


def covers(account: AccountView, amount_minor: int) -> bool:
    return available_minor(account) + account.overdraft_limit_minor >= amount_minor


def require_active(account: AccountView) -> None:
    if account.state != a.ACCOUNT_STATE_ACTIVE:
        raise FailedPrecondition(
            f"account {account.account_id} is {a.AccountState.Name(account.state)}",
            reason=ErrorReason.ERROR_REASON_ACCOUNT_NOT_ACTIVE,
            metadata={"account_id": str(account.account_id)},
        )


def insufficient_funds(account: AccountView) -> FailedPrecondition:
    return FailedPrecondition(
        f"account {account.account_id} does not cover the amount",
        reason=ErrorReason.ERROR_REASON_INSUFFICIENT_FUNDS,
        metadata={"account_id": str(account.account_id)},
    )


def check_posting(
    accounts: Mapping[uuid.UUID, AccountView],
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


def net_of(leg: Leg) -> int:
    """What the leg changes its account's balance by."""
    return leg.amount_minor if leg.direction == CREDIT else -leg.amount_minor


def entry_message(row: Mapping[str, Any] | object) -> le.LedgerEntry:
    """A ledger entry row (a mapping or a LedgerEntryRow's columns) as the contract's message."""
    get: Callable[[str], Any] = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
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
