"""The database work of one InitiatePayment, counted on the real PostgreSQL: statements and transactions.

Counts are deterministic (a SQLAlchemy engine listener sees every statement), so this pins them: a
change that adds a round trip to the hottest path fails here and has to say why. (Before the batched
event store: 23 statements in 4 transactions.)
"""

from __future__ import annotations

import re
import uuid

import pytest
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p

from services.payments.adapters.sealing import Sealer
from services.payments.api.initiation import order_of
from services.payments.app.payments import Payments
from services.payments.config import load_keys
from services.runtime.access import Principal
from tests.features.support import counting
from tests.payments.support import payer_and_payee, payments_database

pytestmark = pytest.mark.mesh("postgres", "kafka")
TELLER = Principal("counting-teller", frozenset({"teller"}))
# One executed on-us payment of a customer whose data key is cached, per transaction.
EXPECTED = [
    # the key's claim and the accounts
    ["INSERT idempotency_keys", "SELECT accounts"],
    # the recording: reserve (locks the debtor), PaymentInitiated + PaymentScreeningStarted, the key's payment
    ["UPDATE accounts", "INSERT payment_events", "INSERT outbox_events", "INSERT payment_history",
     "UPDATE idempotency_keys"],
    # after screening: lock both accounts, book, PaymentScreened + PaymentExecuted (+ LedgerPosted), the response
    ["SELECT accounts", "INSERT ledger_postings", "UPDATE accounts", "INSERT ledger_entries", "INSERT payment_events",
     "INSERT outbox_events", "INSERT payment_history", "UPDATE idempotency_keys"],
]  # fmt: skip


class Approves:
    async def screen(self, tx) -> p.ScreeningOutcome:
        return p.ScreeningOutcome(fraud_decision=p.SCREENING_DECISION_APPROVE,
                                  compliance_decision=p.SCREENING_DECISION_APPROVE)  # fmt: skip


def summary(statement: str) -> str:
    verb = statement.split(None, 1)[0].upper()
    table = re.search(r"\b(?:INTO|FROM|UPDATE)\s+(\w+)", statement, re.IGNORECASE)
    return f"{verb} {table.group(1) if table else '?'}"


def request(debtor: uuid.UUID, creditor: uuid.UUID) -> isvc.InitiatePaymentRequest:
    return isvc.InitiatePaymentRequest(
        idempotency_key=str(uuid.uuid4()), debtor_account_id=str(debtor), creditor_account_id=str(creditor),
        amount=Money(amount_minor=125, currency_code="EUR"), channel=p.PAYMENT_CHANNEL_WEB,
        remittance_information="Counted",
    )  # fmt: skip


async def test_an_executed_payment_costs_pinned_statements_and_transactions(settings):
    database = await payments_database(settings)
    try:
        payer, payee = await payer_and_payee(database, 10_000)
        app = Payments(database, Sealer(load_keys(settings)), Approves(), verification=None)
        await app.initiate(TELLER, order_of(request(payer, payee)))  # the customer's data key is made and cached
        with counting(database) as counted:
            response = await app.initiate(TELLER, order_of(request(payer, payee)))
        assert response.state == p.PAYMENT_STATE_EXECUTED
        assert [[summary(sql) for sql in statements] for statements in counted.transactions] == EXPECTED
        assert sum(map(len, counted.transactions)) == 15
    finally:
        await database.dispose()
