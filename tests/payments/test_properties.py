"""Property test: random sequences of initiate / cancel / release / reject / execute (some racing) on the
payments application with the real PostgreSQL conserve money and never book a payment twice.

The risk service's decision is an input of each generated step (a scripted screening that answers
what the step drew); everything else (event store, ledger, reservations, projection) is the real code
on the real database.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p
from google.type import date_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from services.payments.adapters.db import event_store
from services.payments.adapters.db.models import AccountRow, LedgerPostingRow
from services.payments.adapters.sealing import Sealer
from services.payments.api.initiation import order_of
from services.payments.app.payments import Payments
from services.payments.config import load_keys
from services.runtime.access import Principal
from services.runtime.errors import DomainError, reason_name
from tests.payments.support import balances, fund, funding_account, open_accounts, payments_database

pytestmark = pytest.mark.mesh("postgres", "kafka")
S = p.PaymentState
DECISIONS = {
    "approve": (p.SCREENING_DECISION_APPROVE, p.SCREENING_DECISION_APPROVE, False),
    "review": (p.SCREENING_DECISION_REVIEW, p.SCREENING_DECISION_APPROVE, False),
    "decline": (p.SCREENING_DECISION_APPROVE, p.SCREENING_DECISION_DECLINE, False),
    "unreachable": (p.SCREENING_DECISION_UNSPECIFIED, p.SCREENING_DECISION_UNSPECIFIED, True),
}
TELLER = Principal("prop-teller", frozenset({"teller"}))
OFFICER = Principal("prop-officer", frozenset({"risk_officer"}))
EXPECTED_REFUSALS = {"INSUFFICIENT_FUNDS", "INVALID_STATE_TRANSITION", "PAYMENT_DECLINED", "CONCURRENT_MODIFICATION"}
FUNDS, OVERDRAFT = 10_000, 1_000


class ScriptedScreening:
    """Answers each screening with the decision the generated step drew."""

    def __init__(self) -> None:
        self.next = "approve"

    async def screen(self, tx) -> p.ScreeningOutcome:
        fraud, compliance, skipped = DECISIONS[self.next]
        return p.ScreeningOutcome(fraud_decision=fraud, compliance_decision=compliance, screening_skipped=skipped)


index = st.integers(min_value=0, max_value=30)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("initiate"), st.integers(1, 4_000), st.integers(0, 2), st.sampled_from(sorted(DECISIONS)),
                  st.booleans()),
        st.tuples(st.just("cancel"), index),
        st.tuples(st.just("release"), index),
        st.tuples(st.just("reject"), index),
        st.tuples(st.just("execute"), index),
        st.tuples(st.just("race"), index),
    ),
    min_size=1,
    max_size=25,
)  # fmt: skip


async def _step(app: Payments, screening: ScriptedScreening, step: tuple, payer, payees, made: list[str]) -> None:
    kind = step[0]
    if kind == "initiate":
        _, amount, creditor, decision, future = step
        screening.next = decision
        request = isvc.InitiatePaymentRequest(
            idempotency_key=str(uuid.uuid4()), debtor_account_id=str(payer), creditor_account_id=str(payees[creditor]),
            amount=Money(amount_minor=amount, currency_code="EUR"), channel=p.PAYMENT_CHANNEL_WEB,
        )  # fmt: skip
        if future:
            tomorrow = datetime.now(UTC).date() + timedelta(days=1)
            request.requested_execution_date.CopyFrom(date_pb2.Date(year=tomorrow.year, month=tomorrow.month,
                                                                     day=tomorrow.day))  # fmt: skip
        try:
            made.append((await app.initiate(TELLER, order_of(request))).payment_id)
        except DomainError as error:
            if reason_name(error.reason) == "PAYMENT_DECLINED":
                made.append(error.metadata["payment_id"])
            raise
        return
    if not made:
        return
    payment_id = made[step[1] % len(made)]
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    if kind == "cancel":
        await app.cancel(TELLER, payment_id, "")
    elif kind in ("release", "reject"):
        decision = p.REVIEW_DECISION_RELEASE if kind == "release" else p.REVIEW_DECISION_REJECT
        await app.control(OFFICER, payment_id, decision, "decided")
    elif kind == "execute":
        await app.execute(payment_id, today=tomorrow)
    else:  # two executions and a cancellation at once: at most one booking, never both outcomes
        results = await asyncio.gather(
            app.execute(payment_id, today=tomorrow), app.execute(payment_id, today=tomorrow),
            app.cancel(TELLER, payment_id, ""), return_exceptions=True,
        )  # fmt: skip
        for result in results:
            if isinstance(result, Exception) and not isinstance(result, DomainError):
                raise result
            if isinstance(result, DomainError):
                assert reason_name(result.reason) in EXPECTED_REFUSALS, result


async def _check(app: Payments, payer, accounts: list, made: list[str], total: int) -> None:
    database = app.database
    result = await balances(database, accounts)
    assert all(cached == truth for cached, truth in result.values()), result
    assert sum(cached for cached, _ in result.values()) == total
    assert result[payer][0] >= -OVERDRAFT
    async with database.session() as session:
        folds = [await event_store.load(session, payment_id) for payment_id in made]
        postings = Counter(
            str(pid) for pid in (await session.scalars(
                select(LedgerPostingRow.payment_id).where(LedgerPostingRow.payment_id.in_([uuid.UUID(x) for x in made]))
            )).all()
        )  # fmt: skip
        reserved = await session.scalar(select(AccountRow.reserved_minor).where(AccountRow.account_id == payer))
        history = await session.scalar(
            select(func.count()).select_from(LedgerPostingRow).where(LedgerPostingRow.payment_id.is_not(None))
            .where(LedgerPostingRow.payment_id.in_([uuid.UUID(x) for x in made]))
        )  # fmt: skip
    booked = {f.payment.payment_id for f in folds if f.state in (S.PAYMENT_STATE_EXECUTED, S.PAYMENT_STATE_SETTLED)}
    assert all(count == 1 for count in postings.values()) and set(postings) == booked and history == len(booked)
    assert reserved == sum(f.reserved_minor for f in folds)
    spent = sum(f.payment.amount.amount_minor for f in folds if f.payment.payment_id in booked)
    assert result[payer][0] == FUNDS - spent


async def _scenario(settings_, plan: list[tuple]) -> None:
    database = await payments_database(settings_)
    try:
        bank = await funding_account(database)
        payer, *payees = await open_accounts(database, 4, overdraft=OVERDRAFT)
        await fund(database, bank, payer, FUNDS)
        screening = ScriptedScreening()
        app = Payments(database, Sealer(load_keys(settings_)), screening, verification=None)
        accounts = [bank, payer, *payees]
        made: list[str] = []
        for step in plan:
            try:
                await _step(app, screening, step, payer, payees, made)
            except DomainError as error:
                assert reason_name(error.reason) in EXPECTED_REFUSALS, (step, error)
            await _check(app, payer, accounts, made, total=0)
    finally:
        await database.dispose()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
def test_money_is_conserved_and_no_payment_is_booked_twice(settings_, plan):
    asyncio.run(_scenario(settings_, plan))


@pytest.fixture(name="settings_")
def _settings(settings):  # `settings` is hypothesis' decorator in this module
    return settings
