"""The ISO 20022 file exchange on the test mesh: files dropped into the object store become payments through the
real payments service, answered by a pain.002; statements come from the lake's events."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p

from libs.iso20022 import camt053
from libs.iso20022.schema import Message, validate
from services.lake.adapters.exchange_tasks import statements_of
from services.runtime.config import Settings
from services.runtime.object_store import s3_client
from tests.exchange.files import Block, Tx, pain001
from tests.payments.api import Bank, release_if_held

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "features", "risk", "payments", "object_store", "lake")
NS = {"d": Message.PAIN_002.namespace}
# The inbound round runs every few seconds; the lake sink commits within its flush interval.
PATIENCE = 60.0


@pytest.fixture(scope="module")
def bank(settings: Settings, mesh) -> Bank:
    mesh.up("postgres", "kafka", "customer", "features", "risk", "payments", "object_store", "lake")
    return Bank(settings)


@pytest.fixture(scope="module")
def s3(settings: Settings):
    return s3_client(settings.object_store)


def drop(settings: Settings, s3, customer_id: str, name: str, data: bytes) -> str:
    key = f"{settings.exchange.prefix}/inbound/{customer_id}/{name}"
    s3.put_object(Bucket=settings.object_store.bucket, Key=key, Body=data)
    return key


def keys(settings: Settings, s3, folder: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=settings.object_store.bucket, Prefix=f"{settings.exchange.prefix}/{folder}/")
    return sorted(item["Key"] for item in listed.get("Contents", []))


def reports_of(settings: Settings, s3, customer_id: str, name: str, count: int) -> list[bytes]:
    """The pain.002 reports answering `count` drops of the file `name`, oldest first (waits for them)."""
    suffix = f"-{customer_id}_{name}.pain002.xml"
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        found = [key for key in keys(settings, s3, "reports") if key.endswith(suffix)]
        if len(found) >= count:
            bucket = settings.object_store.bucket
            return [s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in found]
        time.sleep(0.5)
    pytest.fail(f"no {count} report(s) on {name} within {PATIENCE} s")


def file_payments(bank: Bank, account_id: str) -> list[p.Payment]:
    request = isvc.ListPaymentsRequest(account_id=account_id, page_size=100)
    payments = bank.api.call(bank.api.payments.ListPayments, request).payments
    return [payment for payment in payments if payment.channel == p.PAYMENT_CHANNEL_FILE]


def test_a_file_pays_its_good_transactions_once_and_reports_the_bad_one(bank: Bank, settings: Settings, s3) -> None:
    alice, alice_account = bank.customer(amount=300_000)
    _, bob_account = bank.customer(amount=1)
    run = uuid.uuid4().hex[:8]
    good = [Tx(f"E2E-{run}-{n}", amount, creditor_account=uuid.UUID(bob_account).hex, remittance=f"invoice {n}")
            for n, amount in enumerate(("10.00", "20.50", "30.25"))]  # fmt: skip
    bad = Tx(f"E2E-{run}-USD", "5.00", currency="USD", creditor_account=uuid.UUID(bob_account).hex)
    data = pain001(f"MSG-{run}", [Block(f"PMT-{run}", uuid.UUID(alice_account).hex, [*good[:2], bad, good[2]])])

    drop(settings, s3, alice, "orders.xml", data)
    (report,) = reports_of(settings, s3, alice, "orders.xml", 1)
    root = validate(Message.PAIN_002, report).root
    assert [e.text for e in root.findall(".//d:OrgnlGrpInfAndSts/d:GrpSts", NS)] == ["PART"]
    assert [e.text for e in root.findall(".//d:OrgnlGrpInfAndSts/d:OrgnlMsgId", NS)] == [f"MSG-{run}"]
    assert [e.text for e in root.findall(".//d:TxInfAndSts/d:OrgnlEndToEndId", NS)] == [bad.end_to_end_id]
    assert [e.text for e in root.findall(".//d:TxInfAndSts//d:Rsn/d:Cd", NS)] == ["AM11"]  # currency mismatch
    assert not [key for key in keys(settings, s3, "inbound") if alice in key]  # answered, moved
    assert [key for key in keys(settings, s3, "processed") if key.endswith(f"-{alice}_orders.xml")]

    paid = file_payments(bank, alice_account)
    assert sorted(payment.end_to_end_id for payment in paid) == sorted(tx.end_to_end_id for tx in good)
    by_e2e = {payment.end_to_end_id: payment for payment in paid}
    for tx in good:
        payment = by_e2e[tx.end_to_end_id]
        assert payment.amount.amount_minor == int(Decimal(tx.amount) * 100) and payment.amount.currency_code == "EUR"
        assert payment.creditor_account_id == bob_account and payment.debtor_account_id == alice_account
    executed = [release_if_held(bank.api, payment) for payment in paid]

    # The same file again (a customer's resend): answered the same way, nothing paid twice.
    drop(settings, s3, alice, "orders.xml", data)
    again = validate(Message.PAIN_002, reports_of(settings, s3, alice, "orders.xml", 2)[-1]).root
    assert [e.text for e in again.findall(".//d:TxInfAndSts/d:OrgnlEndToEndId", NS)] == [bad.end_to_end_id]
    assert sorted(x.payment_id for x in file_payments(bank, alice_account)) == sorted(x.payment_id for x in paid)

    check_statement(bank, settings, alice_account, executed)


def check_statement(bank: Bank, settings: Settings, account_id: str, executed: list[p.Payment]) -> None:
    """The account's camt.053 of today, from the lake: valid, its debits are the executed payments, its closing
    balance is the account's."""
    retrieved = [bank.api.call(bank.api.payments.RetrievePayment, isvc.RetrievePaymentRequest(payment_id=x.payment_id))
                 .payment for x in executed]  # fmt: skip
    done = {x.payment_id: x for x in retrieved if x.state == p.PAYMENT_STATE_EXECUTED}
    assert done, "no payment executed"
    balance = bank.api.balance(account_id).account.ledger_balance.amount_minor
    statements = statements_of(settings)
    today = datetime.now(UTC).date()
    deadline = time.monotonic() + PATIENCE
    while True:  # the lake sink commits its batch within its flush interval
        written = asyncio.run(statements.for_account(account_id, today))
        if written is not None and written.statement.closing_minor == balance:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"the lake's statement of {account_id} did not reach the ledger's balance {balance}")
        time.sleep(1)
    validate(Message.CAMT_053, written.document)
    debits = {e.payment_id: e for e in written.statement.entries if not e.credit and e.payment_id}
    assert set(debits) == set(done)
    assert sum(e.amount_minor for e in debits.values()) == sum(x.amount.amount_minor for x in done.values())
    assert {debits[x].end_to_end_id for x in done} == {x.end_to_end_id for x in done.values()}
    statement = written.statement
    assert statement.opening_minor + sum(e.signed_minor for e in statement.entries) == statement.closing_minor
    # Every account with activity today gets a valid statement.
    for other in asyncio.run(statements.write_statements(today)):
        validate(Message.CAMT_053, other.document)
        assert isinstance(other.statement, camt053.Statement)


def test_an_invalid_file_is_rejected_whole_and_moved(bank: Bank, settings: Settings, s3) -> None:
    customer = str(uuid.uuid4())
    drop(settings, s3, customer, "broken.xml", b"<?xml version='1.0'?><Document><CstmrCdtTrfInitn>")
    (report,) = reports_of(settings, s3, customer, "broken.xml", 1)
    root = validate(Message.PAIN_002, report).root
    assert [e.text for e in root.findall(".//d:OrgnlGrpInfAndSts/d:GrpSts", NS)] == ["RJCT"]
    assert [e.text for e in root.findall(".//d:OrgnlGrpInfAndSts/d:StsRsnInf/d:Rsn/d:Cd", NS)] == ["FF01"]
    assert not [key for key in keys(settings, s3, "inbound") if customer in key]
    assert [key for key in keys(settings, s3, "processed") if key.endswith(f"-{customer}_broken.xml")]


def test_a_file_waits_while_payments_is_away_and_is_paid_once_it_is_back(
    bank: Bank, settings: Settings, s3, mesh
) -> None:
    alice, alice_account = bank.customer(amount=100_000)
    _, bob_account = bank.customer(amount=1)
    run = uuid.uuid4().hex[:8]
    txs = [Tx(f"E2E-{run}-{n}", "1.50", creditor_account=uuid.UUID(bob_account).hex) for n in range(2)]
    data = pain001(f"MSG-{run}", [Block(f"PMT-{run}", uuid.UUID(alice_account).hex, txs)])
    mesh.stop("payments")
    try:
        key = drop(settings, s3, alice, "while-away.xml", data)
        time.sleep(3 * settings.exchange.inbound_interval_seconds)  # rounds that find payments away
        assert key in keys(settings, s3, "inbound")  # not answered, not moved: nothing lost
        assert not [k for k in keys(settings, s3, "reports") if k.endswith(f"-{alice}_while-away.xml.pain002.xml")]
    finally:
        mesh.up("payments")
    (report,) = reports_of(settings, s3, alice, "while-away.xml", 1)
    root = validate(Message.PAIN_002, report).root
    assert [e.text for e in root.findall(".//d:OrgnlGrpInfAndSts/d:GrpSts", NS)] == ["ACCP"]
    paid = file_payments(bank, alice_account)
    assert sorted(x.end_to_end_id for x in paid) == sorted(tx.end_to_end_id for tx in txs)
