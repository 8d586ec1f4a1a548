"""Payments remembers that a customer passed KYC (adapters/verified_customers.py), so their next payments do not ask
the customer service again; a customer whose KYC no longer holds, or who is erased, cannot pay once the payments
process has applied the customer event, although a positive answer about them was remembered (and its TTL has
not run out). When the customer service does not answer, the payment is refused as transient (UNAVAILABLE)
and a retry with the same key, once it answers again, makes the payment."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request
import uuid
from collections.abc import Callable

import grpc
import pytest
from fintech.customer.v1 import customer_directory_service_pb2 as dsvc
from fintech.customer.v1 import customer_pb2 as c
from google.protobuf import field_mask_pb2

from services.payments.adapters.verified_customers import TTL
from services.runtime.config import Settings
from tests.customer.support import Api as CustomerApi
from tests.customer.support import erase, reason
from tests.customer.support import query as customer_query
from tests.payments.api import Bank, query, verified_customer
from tests.payments.support import open_accounts, payments_database

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "features", "risk", "payments")
VERIFICATION_CALLS = re.compile(
    r'grpc_server_handled_total\{[^}]*grpc_method="RetrieveCustomerVerification"[^}]*\} (\S+)'
)


def _verification_calls(settings: Settings) -> float:
    """How many RetrieveCustomerVerification calls the customer service has answered."""
    url = f"http://127.0.0.1:{settings.service('customer').metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as reply:
        return sum(float(count) for count in VERIFICATION_CALLS.findall(reply.read().decode()))


def _pays_unasked(settings: Settings, pay: Callable[[], object]) -> float:
    """A payment whose KYC answer is remembered: the customer service is not asked (the first payments may
    ask while the process's consumer of customer events is still joining its group). Returns when the
    payment whose answer was remembered started: the answer is trusted until TTL after it at most."""
    deadline = time.monotonic() + 20
    asked = time.monotonic()
    pay()
    while True:
        before, started = _verification_calls(settings), time.monotonic()
        pay()
        if _verification_calls(settings) == before:
            return asked
        assert time.monotonic() < deadline, "every payment asked the customer service: nothing is remembered"
        asked = started
        time.sleep(2)


def _latest_event_applied(settings: Settings, customer_id: str, event_type: str) -> None:
    """Wait until the payments process's own consumer (KeyEviction) has applied the customer's latest such event."""
    [[event_id]] = customer_query(
        settings, "SELECT id FROM outbox_events WHERE key = :key AND event_type = :type ORDER BY position DESC LIMIT 1",
        key=customer_id, type=f"fintech.customer.v1.{event_type}",
    )  # fmt: skip
    applied = (
        "SELECT count(*) FROM processed_events WHERE consumer_group LIKE 'payments-key-eviction-%' AND event_id = :id"
    )
    deadline = time.monotonic() + 30
    while not query(settings, applied, id=event_id)[0][0]:
        assert time.monotonic() < deadline, f"{event_type} did not reach the payments process"
        time.sleep(0.2)


def test_a_customer_whose_kyc_no_longer_holds_cannot_pay_once_the_event_is_applied(settings: Settings, mesh):
    bank = Bank(settings)
    customer_id, account_id = bank.customer()
    _, payee = bank.customer()
    remembered = _pays_unasked(settings, lambda: bank.api.pay(account_id, payee, 1_000))

    customers = CustomerApi(settings)  # a change of identity data sets the customer back to PENDING
    current = customers.call(
        customers.directory.RetrieveCustomer, dsvc.RetrieveCustomerRequest(customer_id=customer_id)
    )
    customers.call(customers.directory.UpdateCustomer, dsvc.UpdateCustomerRequest(
        customer_id=customer_id, customer=c.Customer(place_of_birth="Bonn", etag=current.customer.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["place_of_birth"]),
    ))  # fmt: skip
    _latest_event_applied(settings, customer_id, "CustomerVerificationChanged")
    before = bank.api.balance(account_id).account

    with pytest.raises(grpc.RpcError) as caught:
        bank.api.pay(account_id, payee, 1_000)
    assert time.monotonic() - remembered < TTL, "the answer's TTL may have run out: the test cannot tell"
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason(caught.value) == "CUSTOMER_NOT_VERIFIED"
    after = bank.api.balance(account_id).account
    assert (after.ledger_balance, after.available_balance) == (before.ledger_balance, before.available_balance)


def test_an_erased_customer_cannot_pay_once_the_event_is_applied(settings: Settings, mesh):
    bank = Bank(settings)
    customer_id, account_id = bank.customer()
    _, payee = bank.customer()
    remembered = _pays_unasked(settings, lambda: bank.api.pay(account_id, payee, 1_000))

    erase(CustomerApi(settings), customer_id)
    _latest_event_applied(settings, customer_id, "CustomerErased")

    with pytest.raises(grpc.RpcError) as caught:
        bank.api.pay(account_id, payee, 1_000)
    assert time.monotonic() - remembered < TTL, "the answer's TTL may have run out: the test cannot tell"
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason(caught.value) == "CUSTOMER_ERASED"


def _account_unasked(settings: Settings, bank: Bank, customer_id: str) -> str:
    """A funded account of the customer opened in the database: OpenAccount would ask (and remember) their KYC."""

    async def run() -> str:
        database = await payments_database(settings)
        try:
            [account] = await open_accounts(database, 1, customer_id=customer_id)
        finally:
            await database.dispose()
        return str(account)

    account_id = asyncio.run(run())
    bank.fund(account_id, 10_000)
    return account_id


def test_a_payment_the_customer_service_cannot_verify_is_refused_as_transient_and_its_key_retried(
    settings: Settings, mesh
):
    bank = Bank(settings)
    account_id = _account_unasked(settings, bank, verified_customer(settings))
    _, payee = bank.customer()
    key = str(uuid.uuid4())
    mesh.stop("customer")
    try:
        with pytest.raises(grpc.RpcError) as caught:
            bank.api.pay(account_id, payee, 1_000, key=key)
    finally:
        mesh.start("customer")
    assert caught.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    assert reason(caught.value) in ("DEPENDENCY_UNAVAILABLE", "DEADLINE_EXCEEDED")

    # As a client does: the same key again until the answer is not transient (payments' channel to the
    # customer service reconnects with a backoff). The key kept nothing from the refusals: this is its payment.
    deadline = time.monotonic() + 60
    while True:
        try:
            payment = bank.api.pay(account_id, payee, 1_000, key=key)
            break
        except grpc.RpcError as error:
            transient = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
            if error.code() not in transient or time.monotonic() > deadline:
                raise
            time.sleep(1)
    assert payment.debtor_account_id == account_id and payment.amount.amount_minor == 1_000
    assert query(settings, "SELECT count(*) FROM payment_history WHERE debtor_account_id = :id", id=account_id) == [
        (1,)
    ]
