"""A customer's erasure holds on every payments process: with two payments processes running, each having
opened (and cached) the customer's payment data key, both refuse to open the customer's data soon after the
`CustomerErased` event, not only the one whose consumer destroyed the key."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import grpc
import pytest
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.payments.adapters.sealing import CACHE_TTL
from services.runtime.config import Settings
from services.runtime.tls import channel_credentials
from tests.customer.support import Api as CustomerApi
from tests.customer.support import erase
from tests.payments.api import OFFICER, Bank, PaymentsApi, query
from tools.mesh.settings_file import settings_file

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "features", "risk", "payments")
PAYEE = p.ExternalAccount(iban="DE89370400440532013000", bic="COBADEFFXXX", holder_name="Greta Replikant")
# The second process's ports: outside every port the test mesh moves its components to.
SECOND_PORT, SECOND_METRICS_PORT = 27903, 29913


def _second_settings(settings: Settings) -> Settings:
    second = settings.model_copy(deep=True)
    second.services["payments"].port = SECOND_PORT
    second.services["payments"].metrics_port = SECOND_METRICS_PORT
    return second


def _serving(settings: Settings) -> bool:
    address = settings.service("payments").address
    with grpc.secure_channel(address, channel_credentials("cli", settings)) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
        except grpc.RpcError:
            return False
    return response.status == health_pb2.HealthCheckResponse.SERVING


@pytest.fixture
def second_payments(settings: Settings):
    """A second payments process (as the mesh starts one, other ports), logging beside the mesh's logs."""
    second = _second_settings(settings)
    environment = {**os.environ, "FINTECH_CONFIG": str(settings_file(settings)), "PYTHONUNBUFFERED": "1",
                   "FINTECH_SERVICES__PAYMENTS__PORT": str(SECOND_PORT),
                   "FINTECH_SERVICES__PAYMENTS__METRICS_PORT": str(SECOND_METRICS_PORT)}  # fmt: skip
    log_path = settings.state_dir / "log" / "payments-2.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "services.payments"], env=environment, stdout=log,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not _serving(second):
            assert process.poll() is None, f"the second payments process exited; see {log_path}"
            assert time.monotonic() < deadline, "the second payments process did not become SERVING"
            time.sleep(0.5)
        yield second
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _retrieve(api: PaymentsApi, payment_id: str) -> p.Payment:
    return api.call(api.payments.RetrievePayment, isvc.RetrievePaymentRequest(payment_id=payment_id), OFFICER).payment


def test_every_payments_process_forgets_an_erased_customers_key(settings: Settings, second_payments: Settings):
    bank = Bank(settings)
    customer_id, account_id = bank.customer()
    payment = bank.api.pay(account_id, PAYEE, 990, remittance_information="Invoice 4711 Replikant")
    replicas = [bank.api, PaymentsApi(second_payments)]
    for replica in replicas:  # each process opens the data, so each caches the customer's key
        for _ in range(3):
            assert _retrieve(replica, payment.payment_id).creditor_external_account.iban == PAYEE.iban

    erase(CustomerApi(settings), customer_id)
    keys = "SELECT count(*) FROM payment_data_keys WHERE customer_id = :customer"
    deadline = time.monotonic() + 60
    while query(settings, keys, customer=customer_id)[0][0] and time.monotonic() < deadline:
        time.sleep(0.3)
    assert query(settings, keys, customer=customer_id)[0][0] == 0, "the CustomerErased event did not reach payments"
    destroyed = time.monotonic()

    # Both processes stop opening the data, well before a cached key would expire by itself.
    pending = set(range(len(replicas)))
    while pending and time.monotonic() - destroyed < CACHE_TTL / 3:
        for index in list(pending):
            seen = _retrieve(replicas[index], payment.payment_id)
            if not seen.creditor_external_account.iban and not seen.remittance_information:
                pending.discard(index)
        time.sleep(0.3)
    assert not pending, f"payments process(es) {sorted(pending)} still open the erased customer's data"
    for replica in replicas:  # and it stays so; the books stay readable
        seen = _retrieve(replica, payment.payment_id)
        assert not seen.creditor_external_account.iban and not seen.remittance_information
        assert seen.amount == payment.amount and seen.state == payment.state
