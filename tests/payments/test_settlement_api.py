"""Settlement over the real mesh: off-us payments made through InitiatePayment (customer, risk and
payments services, PostgreSQL, Kafka), netted and settled through SettlementService."""

from __future__ import annotations

import secrets
import string
import time
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p
from fintech.payments.v1 import settlement_batch_pb2 as sb
from fintech.payments.v1 import settlement_service_pb2 as ssvc
from fintech.payments.v1 import settlement_service_pb2_grpc as ssvc_grpc
from google.protobuf import timestamp_pb2

from services.payments.domain import clearing
from services.runtime.config import Settings
from tests.customer.support import claims, error_details, reason
from tests.payments.api import Bank, query, release_if_held

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk", "payments")
CLOSE, SETTLE, FAIL = (
    ssvc.SETTLEMENT_BATCH_ACTION_CLOSE,
    ssvc.SETTLEMENT_BATCH_ACTION_MARK_SETTLED,
    ssvc.SETTLEMENT_BATCH_ACTION_MARK_FAILED,
)


def new_bic() -> str:
    """A participant of this test only: its clearing account starts empty."""
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(6)) + "2X"


def new_iban() -> str:
    """A German IBAN of its own (valid check digits): risk's counterparty features see a new payee each time,
    so repeated payouts across tests never look like card testing against one account."""
    bban = "37040044" + "".join(secrets.choice(string.digits) for _ in range(10))
    check = 98 - int(bban + "131400") % 97  # D=13, E=14, then "00"
    return f"DE{check:02d}{bban}"


def stamp(value: datetime) -> timestamp_pb2.Timestamp:
    result = timestamp_pb2.Timestamp()
    result.FromDatetime(value)
    return result


class World:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bank = Bank(settings)
        self.stub = ssvc_grpc.SettlementServiceStub(self.bank.cli.channel)

    def pay_out(self, bic: str, amount: int) -> p.Payment:
        """An executed off-us payment to an account at `bic`, from an internal account of its own: risk would
        rightly see card testing in one payer's quick run of small payouts."""
        creditor = p.ExternalAccount(iban=new_iban(), bic=bic, holder_name="Erika Mustermann")
        payer = Bank(self.settings)
        payment = release_if_held(payer.api, payer.cli.pay(payer.account, creditor, amount, claims=None))
        assert payment.state == p.PAYMENT_STATE_EXECUTED, payment
        return payment

    def call(self, method, request, metadata=()):
        return method(request, metadata=metadata, timeout=30)

    def initiate(self, start: datetime, end: datetime, *, bic: str = "", key: str | None = None) -> sb.SettlementBatch:
        request = ssvc.InitiateSettlementBatchRequest(
            idempotency_key=key or f"batch-{uuid.uuid4()}", currency_code="EUR", participant_bic=bic,
            window_start_time=stamp(start), window_end_time=stamp(end),
        )  # fmt: skip
        return self.call(self.stub.InitiateSettlementBatch, request).settlement_batch

    def control(self, batch_id: str, action: int, **fields) -> sb.SettlementBatch:
        request = ssvc.ControlSettlementBatchRequest(settlement_batch_id=batch_id, action=action, **fields)
        return self.call(self.stub.ControlSettlementBatch, request).settlement_batch

    def report(self, batch_id: str) -> sb.SettlementReport:
        request = ssvc.RetrieveSettlementReportRequest(settlement_batch_id=batch_id)
        return self.call(self.stub.RetrieveSettlementReport, request).settlement_report

    def payment(self, payment_id: str) -> p.Payment:
        request = isvc.RetrievePaymentRequest(payment_id=payment_id)
        return self.bank.cli.call(self.bank.cli.payments.RetrievePayment, request, None).payment

    def balance(self, account_id: uuid.UUID) -> int:
        rows = query(self.settings, "SELECT balance_minor FROM accounts WHERE account_id = :id", id=account_id)
        return rows[0][0] if rows else 0


@pytest.fixture
def world(settings: Settings) -> World:
    """A new bank account per test: risk's velocity rules count payments per payer."""
    return World(settings)


def ended_window_end() -> datetime:
    """An end for a window that holds everything executed so far, and has passed already."""
    end = datetime.now(UTC) + timedelta(milliseconds=10)
    time.sleep(0.05)
    return end


def invalid_transition(world: World, batch_id: str, action: int, **fields) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        world.control(batch_id, action, **fields)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason(caught.value) == "INVALID_STATE_TRANSITION"


def test_a_batch_nets_per_participant_and_settling_settles_every_payment_and_conserves_money(world, settings):
    a, b = new_bic(), new_bic()
    start = datetime.now(UTC) - timedelta(milliseconds=10)
    paid = [world.pay_out(a, 100), world.pay_out(a, 250), world.pay_out(b + "XXX", 1_000), world.pay_out(a, 400),
            world.pay_out(b, 5)]  # fmt: skip
    end = ended_window_end()
    total_before = query(settings, "SELECT sum(balance_minor) FROM accounts")[0][0]

    batch = world.initiate(start, end)  # the window has ended: closed and netted at once
    assert batch.state == sb.SETTLEMENT_BATCH_STATE_NETTED and batch.version == 3
    assert (batch.payment_count, batch.gross_debit_amount.amount_minor, batch.net_amount.amount_minor) == (
        5,
        1_755,
        -1_755,
    )
    report = world.report(batch.settlement_batch_id)
    assert report.balanced and report.positions_final
    positions = [
        (
            x.participant_bic,
            x.payment_count,
            x.gross_debit_amount.amount_minor,
            x.gross_credit_amount.amount_minor,
            x.net_amount.amount_minor,
        )
        for x in report.positions
    ]
    assert positions == sorted([(a, 3, 750, 0, -750), (b, 2, 1_005, 0, -1_005)])  # BIC branch codes net together
    assert report.net_settlement_amount.amount_minor == -1_755 and report.payment_count == 5

    clearing_a, clearing_b = (clearing.clearing_account_id(bic, "EUR") for bic in (a, b))
    assert (world.balance(clearing_a), world.balance(clearing_b)) == (750, 1_005)  # the bank owes them
    settlement = clearing.settlement_account_id("EUR")
    settlement_before = world.balance(settlement)

    settled = world.control(batch.settlement_batch_id, SETTLE, settlement_reference="CLR-2026-0001",
                            expected_version=batch.version)  # fmt: skip
    assert settled.state == sb.SETTLEMENT_BATCH_STATE_SETTLED and settled.ledger_posting_id
    assert settled.settlement_reference == "CLR-2026-0001" and settled.version == 4
    for payment in paid:
        after = world.payment(payment.payment_id)
        assert after.state == p.PAYMENT_STATE_SETTLED and after.settlement_batch_id == batch.settlement_batch_id
        assert after.HasField("settle_time")
    # The nets moved off the clearing accounts into the settlement account; no money made or lost.
    assert (world.balance(clearing_a), world.balance(clearing_b)) == (0, 0)
    assert world.balance(settlement) == settlement_before + 1_755
    assert query(settings, "SELECT sum(balance_minor) FROM accounts")[0][0] == total_before
    entries = query(settings, "SELECT direction, sum(amount_minor) FROM ledger_entries WHERE ledger_posting_id = :id "
                              "GROUP BY direction", id=settled.ledger_posting_id)  # fmt: skip
    assert sorted(amount for _, amount in entries) == [1_755, 1_755]  # debits equal credits

    # Settling again with the same reference changes nothing; anything else is refused.
    again = world.control(batch.settlement_batch_id, SETTLE, settlement_reference="CLR-2026-0001")
    assert again == settled
    postings = query(settings, "SELECT count(*) FROM ledger_postings WHERE settlement_batch_id = :id",
                     id=batch.settlement_batch_id)  # fmt: skip
    assert postings[0][0] == 1
    invalid_transition(world, batch.settlement_batch_id, SETTLE, settlement_reference="CLR-2026-0002")
    invalid_transition(world, batch.settlement_batch_id, FAIL, failure_reason="too late")
    invalid_transition(world, batch.settlement_batch_id, CLOSE)

    # Its events: the batch's lifecycle and one PaymentSettled per payment, through the outbox.
    events = query(settings, "SELECT event_type FROM outbox_events WHERE key = :id ORDER BY position",
                   id=batch.settlement_batch_id)  # fmt: skip
    assert [row[0].rsplit(".", 1)[1] for row in events] == [
        "SettlementBatchCreated", "SettlementBatchClosed", "SettlementBatchNetted", "SettlementBatchSettled",
    ]  # fmt: skip
    for payment in paid:
        settled_events = query(settings, "SELECT count(*) FROM outbox_events WHERE key = :id AND event_type = :t",
                               id=payment.payment_id, t="fintech.payments.v1.PaymentSettled")  # fmt: skip
        assert settled_events[0][0] == 1


def test_idempotent_initiation_failure_returns_payments_and_an_open_batch_closes_on_request(world):
    c = new_bic()
    start = datetime.now(UTC) - timedelta(milliseconds=10)
    first, second = world.pay_out(c, 700), world.pay_out(c, 300)
    end = ended_window_end()

    key = f"batch-{uuid.uuid4()}"
    batch = world.initiate(start, end, bic=c, key=key)
    assert batch.participant_bic == c and batch.payment_count == 2 and batch.net_amount.amount_minor == -1_000
    assert world.initiate(start, end, bic=c, key=key) == batch  # the first call's response, replayed
    with pytest.raises(grpc.RpcError) as caught:
        world.initiate(start, end + timedelta(seconds=1), bic=c, key=key)
    assert (
        caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION and reason(caught.value) == "IDEMPOTENCY_KEY_REUSED"
    )
    assert world.initiate(start, end, bic=c).payment_count == 0  # a payment is in one live batch only

    with pytest.raises(grpc.RpcError) as caught:  # stale version
        world.control(batch.settlement_batch_id, FAIL, failure_reason="clearing rejected", expected_version=1)
    assert caught.value.code() == grpc.StatusCode.ABORTED
    with pytest.raises(grpc.RpcError) as caught:
        world.control(batch.settlement_batch_id, FAIL)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in error_details(caught.value)[1]] == ["failure_reason"]
    failed = world.control(batch.settlement_batch_id, FAIL, failure_reason="clearing rejected")
    assert failed.state == sb.SETTLEMENT_BATCH_STATE_FAILED and failed.failure_reason == "clearing rejected"
    assert world.control(batch.settlement_batch_id, FAIL, failure_reason="again") == failed
    invalid_transition(world, batch.settlement_batch_id, SETTLE, settlement_reference="CLR-X")
    for payment in (first, second):
        assert world.payment(payment.payment_id).state == p.PAYMENT_STATE_EXECUTED  # nothing settled

    retry = world.initiate(start, end, bic=c)  # the failed batch's payments join a new one
    assert retry.payment_count == 2 and retry.state == sb.SETTLEMENT_BATCH_STATE_NETTED

    running = world.initiate(
        datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1), bic=new_bic()
    )
    assert running.state == sb.SETTLEMENT_BATCH_STATE_OPEN
    assert not world.report(running.settlement_batch_id).positions_final
    invalid_transition(world, running.settlement_batch_id, SETTLE, settlement_reference="CLR-Y")
    closed = world.control(running.settlement_batch_id, CLOSE)
    assert closed.state == sb.SETTLEMENT_BATCH_STATE_NETTED and closed.HasField("close_time")


def test_bad_windows_and_callers_are_refused(world):
    now = datetime.now(UTC)
    for start, end in [(now, now), (now, now - timedelta(seconds=1)), (now, now + timedelta(hours=25))]:
        with pytest.raises(grpc.RpcError) as caught:
            world.initiate(start, end)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert [v.field for v in error_details(caught.value)[1]] == ["window_end_time"]
    customer = str(uuid.uuid4())
    metadata = (("x-jwt-payload", claims(customer, "customer", customer_id=customer)),)
    request = ssvc.ListSettlementBatchesRequest()
    edge = ssvc_grpc.SettlementServiceStub(world.bank.api.channel)
    with pytest.raises(grpc.RpcError) as caught:
        world.call(edge.ListSettlementBatches, request, metadata)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    listed = world.call(world.stub.ListSettlementBatches, ssvc.ListSettlementBatchesRequest(page_size=2))
    assert len(listed.settlement_batches) == 2 and listed.next_page_token
    starts = [b.window_start_time.ToDatetime() for b in listed.settlement_batches]
    assert starts == sorted(starts, reverse=True)  # newest window first


def test_an_open_batch_collects_payments_and_closes_on_its_own_when_its_window_ends(world):
    d = new_bic()
    running = world.initiate(datetime.now(UTC) - timedelta(seconds=1), datetime.now(UTC) + timedelta(seconds=15), bic=d)
    assert running.state == sb.SETTLEMENT_BATCH_STATE_OPEN and running.payment_count == 0
    world.pay_out(d, 640)  # executed inside the running window

    def netted():
        request = ssvc.RetrieveSettlementBatchRequest(settlement_batch_id=running.settlement_batch_id)
        batch = world.call(world.stub.RetrieveSettlementBatch, request).settlement_batch
        return batch if batch.state == sb.SETTLEMENT_BATCH_STATE_NETTED else None

    deadline = time.monotonic() + 60
    while (batch := netted()) is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert batch is not None, "the batch did not close after its window"
    assert batch.payment_count == 1 and batch.net_amount.amount_minor == -640 and batch.HasField("close_time")
