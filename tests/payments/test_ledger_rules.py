"""The ledger's pure rules: a balanced posting, the state, currency and funds checks `post` applies to its
accounts (with the exact errors callers get), and the ledger entry message."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import ledger_entry_pb2 as le
from google.type.date_pb2 import Date
from hypothesis import given
from hypothesis import strategies as st

from services.payments.adapters.db.models import AccountRow, LedgerEntryRow
from services.payments.adapters.events.outbox import source
from services.payments.domain import ledger
from services.payments.domain.ledger import CREDIT, DEBIT, Leg
from services.runtime.config import get_settings
from services.runtime.errors import Code, FailedPrecondition, InvalidArgument

DEBTOR = uuid.UUID("00000000-0000-4000-8000-000000000001")
CREDITOR = uuid.UUID("00000000-0000-4000-8000-000000000002")
THIRD = uuid.UUID("00000000-0000-4000-8000-000000000003")
ACTIVE, FROZEN, CLOSED = a.ACCOUNT_STATE_ACTIVE, a.ACCOUNT_STATE_FROZEN, a.ACCOUNT_STATE_CLOSED


def account(account_id=DEBTOR, *, balance=0, reserved=0, overdraft=0, state=ACTIVE, currency="EUR") -> AccountRow:
    return AccountRow(account_id=account_id, currency_code=currency, balance_minor=balance, reserved_minor=reserved,
                      overdraft_limit_minor=overdraft, state=state)  # fmt: skip


def transfer(amount: int, debtor=DEBTOR, creditor=CREDITOR) -> list[Leg]:
    return [Leg(debtor, DEBIT, amount), Leg(creditor, CREDIT, amount)]


def check(accounts, legs, *, currency="EUR", own=None, check_funds=True, require_active_accounts=True) -> None:
    ledger.check_posting(
        {row.account_id: row for row in accounts}, legs, currency_code=currency, own_reservations=own or {},
        check_funds=check_funds, require_active_accounts=require_active_accounts,
    )  # fmt: skip


def refused(error: pytest.ExceptionInfo) -> tuple:
    """What the caller gets: the gRPC code, the reason, the message and the metadata."""
    value = error.value
    return value.code, ErrorReason.Name(value.reason), value.message, value.metadata


# -- check_balanced ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "legs",
    [
        transfer(1),
        [Leg(DEBTOR, DEBIT, 700), Leg(CREDITOR, CREDIT, 500), Leg(THIRD, CREDIT, 200)],
        [Leg(DEBTOR, CREDIT, 5), Leg(DEBTOR, DEBIT, 5)],
    ],
)
def test_balanced_postings_pass(legs):
    assert ledger.check_balanced(legs) is None


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        ([], "a posting needs at least two entries"),
        ([Leg(DEBTOR, DEBIT, 5)], "a posting needs at least two entries"),
        (transfer(0), "posting amounts must be positive"),
        (transfer(-1), "posting amounts must be positive"),
        ([Leg(DEBTOR, DEBIT, 5), Leg(CREDITOR, CREDIT, 5), Leg(THIRD, CREDIT, 0)], "posting amounts must be positive"),
        ([Leg(DEBTOR, le.LEDGER_ENTRY_DIRECTION_UNSPECIFIED, 5), Leg(CREDITOR, CREDIT, 5)],
         "a posting entry must be a debit or a credit"),
        ([Leg(DEBTOR, DEBIT, 5), Leg(CREDITOR, 3, 5)], "a posting entry must be a debit or a credit"),
        ([Leg(DEBTOR, DEBIT, 5), Leg(CREDITOR, CREDIT, 4)], "unbalanced posting: debits 5 != credits 4"),
        ([Leg(DEBTOR, DEBIT, 5), Leg(CREDITOR, DEBIT, 5)], "unbalanced posting: debits 10 != credits 0"),
        ([Leg(DEBTOR, CREDIT, 5), Leg(CREDITOR, CREDIT, 6)], "unbalanced posting: debits 0 != credits 11"),
    ],
)  # fmt: skip
def test_unbalanced_or_malformed_postings_are_refused(legs, message):
    with pytest.raises(InvalidArgument) as error:
        ledger.check_balanced(legs)
    assert refused(error) == (Code.INVALID_ARGUMENT, "ERROR_REASON_FIELD_VIOLATION", message, {})


# -- balances -------------------------------------------------------------------------------------------------


def test_net_of_a_leg_is_what_it_changes_the_balance_by():
    assert ledger.net_of(Leg(DEBTOR, CREDIT, 250)) == 250
    assert ledger.net_of(Leg(DEBTOR, DEBIT, 250)) == -250


@pytest.mark.parametrize(
    ("balance", "reserved", "overdraft", "amount", "covered"),
    [
        (1_000, 0, 0, 1_000, True),  # exactly the balance
        (1_000, 0, 0, 1_001, False),  # one minor unit short
        (1_000, 300, 0, 700, True),  # reservations count against the balance
        (1_000, 300, 0, 701, False),
        (1_000, 300, 500, 1_200, True),  # up to the overdraft limit
        (1_000, 300, 500, 1_201, False),
        (-200, 0, 500, 300, True),  # already overdrawn
        (-200, 0, 500, 301, False),
    ],
)
def test_available_and_covers(balance, reserved, overdraft, amount, covered):
    row = account(balance=balance, reserved=reserved, overdraft=overdraft)
    assert ledger.available_minor(row) == balance - reserved
    assert ledger.covers(row, amount) is covered


# -- account states and errors --------------------------------------------------------------------------------


def test_an_active_account_may_be_booked_to():
    assert ledger.require_active(account(state=ACTIVE)) is None


@pytest.mark.parametrize("state", [FROZEN, CLOSED, a.ACCOUNT_STATE_UNSPECIFIED])
def test_an_account_that_is_not_active_is_refused(state):
    with pytest.raises(FailedPrecondition) as error:
        ledger.require_active(account(state=state))
    assert refused(error) == (
        Code.FAILED_PRECONDITION, "ERROR_REASON_ACCOUNT_NOT_ACTIVE",
        f"account {DEBTOR} is {a.AccountState.Name(state)}", {"account_id": str(DEBTOR)},
    )  # fmt: skip


def test_insufficient_funds_names_the_account():
    error = ledger.insufficient_funds(account())
    assert (error.code, ErrorReason.Name(error.reason), error.message, error.metadata) == (
        Code.FAILED_PRECONDITION, "ERROR_REASON_INSUFFICIENT_FUNDS",
        f"account {DEBTOR} does not cover the amount", {"account_id": str(DEBTOR)},
    )  # fmt: skip


# -- check_posting: what `post` checks before it writes anything ----------------------------------------------

INSUFFICIENT = (Code.FAILED_PRECONDITION, "ERROR_REASON_INSUFFICIENT_FUNDS",
                f"account {DEBTOR} does not cover the amount", {"account_id": str(DEBTOR)})  # fmt: skip


@pytest.mark.parametrize(
    ("debtor", "own", "amount"),
    [
        (account(balance=1_000), 0, 1_000),  # exactly zero left
        (account(balance=1_000, reserved=400), 0, 600),  # others' reservations count
        (account(balance=1_000, overdraft=250), 0, 1_250),  # down to the overdraft limit
        (account(balance=1_000, reserved=400), 400, 1_000),  # the payment's own reservation does not count
        (account(balance=1_000, reserved=700, overdraft=100), 300, 700),  # all three together
        (account(balance=-50, overdraft=100), 0, 50),  # an overdrawn account within its limit
    ],
)
def test_a_debit_that_leaves_the_account_covered_is_booked(debtor, own, amount):
    check([debtor, account(CREDITOR)], transfer(amount), own={DEBTOR: own})


@pytest.mark.parametrize(
    ("debtor", "own", "amount"),
    [
        (account(balance=1_000), 0, 1_001),  # one minor unit short
        (account(balance=1_000, reserved=400), 0, 601),
        (account(balance=1_000, overdraft=250), 0, 1_251),  # one past the overdraft limit
        (account(balance=1_000, reserved=400), 400, 1_001),
        (account(balance=1_000, reserved=700, overdraft=100), 300, 701),
        (account(balance=0), 0, 1),
    ],
)
def test_a_debit_one_unit_beyond_the_funds_is_refused(debtor, own, amount):
    with pytest.raises(FailedPrecondition) as error:
        check([debtor, account(CREDITOR)], transfer(amount), own={DEBTOR: own})
    assert refused(error) == INSUFFICIENT


def test_an_own_reservation_of_another_account_does_not_help():
    rows = [account(balance=1_000, reserved=400), account(CREDITOR)]
    with pytest.raises(FailedPrecondition):
        check(rows, transfer(1_000), own={CREDITOR: 400})
    check(rows, transfer(600), own={CREDITOR: 400})


def test_funds_are_checked_on_the_net_of_all_legs_of_an_account():
    rows = [account(balance=100), account(CREDITOR)]
    # 150 out and 50 back in: the debtor goes down by 100 only
    legs = [Leg(DEBTOR, DEBIT, 150), Leg(CREDITOR, CREDIT, 150), Leg(CREDITOR, DEBIT, 50), Leg(DEBTOR, CREDIT, 50)]
    check(rows, legs)
    legs = [Leg(DEBTOR, DEBIT, 151), Leg(CREDITOR, CREDIT, 151), Leg(CREDITOR, DEBIT, 50), Leg(DEBTOR, CREDIT, 50)]
    with pytest.raises(FailedPrecondition) as error:
        check(rows, legs)
    assert refused(error) == INSUFFICIENT


def test_credits_need_no_funds_and_an_overdrawn_creditor_is_credited():
    check([account(balance=10), account(CREDITOR, balance=-500, reserved=100)], transfer(10))
    with pytest.raises(FailedPrecondition) as error:  # the debtor, not the overdrawn creditor, is short
        check([account(balance=9), account(CREDITOR, balance=-500)], transfer(10))
    assert refused(error) == INSUFFICIENT


def test_an_account_beyond_its_overdraft_limit_may_still_be_credited_or_netted_to_zero():
    beyond = account(balance=-600, overdraft=500)  # e.g. after its limit was lowered
    check([beyond, account(CREDITOR, balance=100)], transfer(10, debtor=CREDITOR, creditor=DEBTOR))
    check([beyond], [Leg(DEBTOR, DEBIT, 10), Leg(DEBTOR, CREDIT, 10)])
    with pytest.raises(FailedPrecondition) as error:
        check([beyond, account(CREDITOR)], transfer(1))
    assert refused(error) == INSUFFICIENT


def test_without_the_funds_check_any_debit_is_booked():
    check([account(balance=0), account(CREDITOR)], transfer(1_000_000), check_funds=False)


def test_the_first_short_account_is_named():
    rows = [account(balance=0), account(CREDITOR, balance=0)]
    legs = [Leg(CREDITOR, DEBIT, 5), Leg(DEBTOR, DEBIT, 5), Leg(THIRD, CREDIT, 10)]
    with pytest.raises(FailedPrecondition) as error:
        check([*rows, account(THIRD)], legs)
    assert error.value.metadata == {"account_id": str(CREDITOR)}  # in the order of the legs


@pytest.mark.parametrize("state", [FROZEN, CLOSED])
@pytest.mark.parametrize("side", [DEBTOR, CREDITOR])
def test_postings_to_an_account_that_is_not_active_are_refused(state, side):
    rows = [account(balance=1_000, state=state if side == DEBTOR else ACTIVE),
            account(CREDITOR, state=state if side == CREDITOR else ACTIVE)]  # fmt: skip
    with pytest.raises(FailedPrecondition) as error:
        check(rows, transfer(10))
    assert refused(error) == (
        Code.FAILED_PRECONDITION, "ERROR_REASON_ACCOUNT_NOT_ACTIVE",
        f"account {side} is {a.AccountState.Name(state)}", {"account_id": str(side)},
    )  # fmt: skip


def test_bookings_that_do_not_require_active_accounts_still_refuse_closed_ones():
    check([account(balance=1_000, state=FROZEN), account(CREDITOR, state=FROZEN)], transfer(10),
          require_active_accounts=False)  # fmt: skip
    with pytest.raises(FailedPrecondition) as error:
        check([account(balance=1_000), account(CREDITOR, state=CLOSED)], transfer(10), require_active_accounts=False)
    assert refused(error)[1:3] == ("ERROR_REASON_ACCOUNT_NOT_ACTIVE", f"account {CREDITOR} is ACCOUNT_STATE_CLOSED")


def test_an_account_in_another_currency_is_refused_before_its_state_or_funds():
    rows = [account(balance=0, state=FROZEN, currency="USD"), account(CREDITOR)]
    with pytest.raises(InvalidArgument) as error:
        check(rows, transfer(10))
    assert refused(error) == (
        Code.INVALID_ARGUMENT, "ERROR_REASON_CURRENCY_MISMATCH", f"account {DEBTOR} is in USD, not EUR", {},
    )  # fmt: skip


def test_state_is_checked_before_funds():
    with pytest.raises(FailedPrecondition) as error:
        check([account(balance=0), account(CREDITOR, state=FROZEN)], transfer(10))
    assert refused(error)[1] == "ERROR_REASON_ACCOUNT_NOT_ACTIVE"


@given(
    balance=st.integers(-10_000, 10_000),
    reserved=st.integers(0, 10_000),
    overdraft=st.integers(0, 10_000),
    own=st.integers(0, 10_000),
    amount=st.integers(1, 30_000),
)
def test_a_debit_is_booked_exactly_when_the_account_stays_covered(balance, reserved, overdraft, own, amount):
    own = min(own, reserved)  # an own reservation is part of the account's reservations
    rows = [account(balance=balance, reserved=reserved, overdraft=overdraft), account(CREDITOR)]
    covered = ledger.covers(account(balance=balance, reserved=reserved - own, overdraft=overdraft), amount)
    try:
        check(rows, transfer(amount), own={DEBTOR: own})
        booked = True
    except FailedPrecondition:
        booked = False
    assert booked is covered


# -- entry_message ----------------------------------------------------------------------------------------


ENTRY = {
    "ledger_entry_id": uuid.UUID("10000000-0000-4000-8000-000000000000"),
    "ledger_posting_id": uuid.UUID("20000000-0000-4000-8000-000000000000"),
    "account_id": DEBTOR, "entry_sequence": 7, "direction": DEBIT, "amount_minor": 1_250, "currency_code": "EUR",
    "balance_after_minor": -250, "payment_id": uuid.UUID("30000000-0000-4000-8000-000000000000"),
    "booking_time": datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC), "value_date": date(2026, 5, 6),
    "description": "Credit transfer",
}  # fmt: skip


def expected_entry(payment_id: str) -> le.LedgerEntry:
    entry = le.LedgerEntry(
        ledger_entry_id="10000000-0000-4000-8000-000000000000",
        ledger_posting_id="20000000-0000-4000-8000-000000000000", account_id=str(DEBTOR), entry_sequence=7,
        direction=DEBIT, amount=Money(amount_minor=1_250, currency_code="EUR"),
        balance_after=Money(amount_minor=-250, currency_code="EUR"), payment_id=payment_id,
        description="Credit transfer", value_date=Date(year=2026, month=5, day=6),
    )  # fmt: skip
    entry.booking_time.FromDatetime(datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC))
    return entry


def test_an_entry_row_as_a_mapping_becomes_the_contract_message():
    assert ledger.entry_message(ENTRY) == expected_entry("30000000-0000-4000-8000-000000000000")


def test_an_entry_row_object_becomes_the_same_message_and_no_payment_is_empty():
    assert ledger.entry_message(LedgerEntryRow(**ENTRY)) == expected_entry("30000000-0000-4000-8000-000000000000")
    assert ledger.entry_message({**ENTRY, "payment_id": None}) == expected_entry("")


def test_postings_are_recorded_by_the_payments_workload():
    assert source() == get_settings().spiffe_id("payments")
    assert source().endswith("/sa/payments")
