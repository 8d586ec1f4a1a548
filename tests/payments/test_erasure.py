"""A customer's erasure reaches payments: their payment data keys are destroyed (crypto-shredding), so the
personal data sealed in their payment events cannot be opened any more, while the books stay whole."""

from __future__ import annotations

import time

import pytest
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p

from services.runtime.config import Settings
from tests.customer.support import Api as CustomerApi
from tests.customer.support import erase
from tests.payments.api import OFFICER, Bank, query

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "features", "risk", "payments")
PAYEE = p.ExternalAccount(iban="DE44500105175407324931", bic="INGDDEFFXXX", holder_name="Max Mustermann")


def test_erasure_destroys_the_payment_data_keys_and_keeps_the_books(settings: Settings, mesh):
    bank = Bank(settings)
    customer_id, account_id = bank.customer()
    payment = bank.api.pay(account_id, PAYEE, 1_250, remittance_information="Rent March, flat 3b")
    keys = "SELECT count(*) FROM payment_data_keys WHERE customer_id = :customer"
    assert query(settings, keys, customer=customer_id)[0][0] == 1
    seen = bank.api.call(bank.api.payments.RetrievePayment, isvc.RetrievePaymentRequest(payment_id=payment.payment_id),
                         OFFICER).payment  # fmt: skip
    assert seen.creditor_external_account.iban == PAYEE.iban  # opened with the customer's key while it exists

    erase(CustomerApi(settings), customer_id)
    deadline = time.monotonic() + 60
    while query(settings, keys, customer=customer_id)[0][0] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert query(settings, keys, customer=customer_id)[0][0] == 0, "the CustomerErased event did not reach payments"

    after = bank.api.call(bank.api.payments.RetrievePayment, isvc.RetrievePaymentRequest(payment_id=payment.payment_id),
                          OFFICER).payment  # fmt: skip
    assert after.amount == payment.amount and after.state == payment.state  # the books stay
    assert not after.creditor_external_account.iban and not after.remittance_information  # the person is gone
