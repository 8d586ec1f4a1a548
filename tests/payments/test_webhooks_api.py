"""Webhooks end to end on the real mesh: the payments service's API, its Kafka matcher and its HTTP
dispatcher, delivering to a real HTTPS receiver that verifies every signature.

Payment events are appended through the event store (the payments core's API), so they reach Kafka
the way every payment event does: outbox, relay, topic. Retries are not waited for: the test moves a
pending delivery's due time to now (the schedule itself is checked on the recorded times and in the
unit tests).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import ssl
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import events_pb2 as pev
from fintech.payments.v1 import payment_notification_service_pb2 as nsvc
from fintech.payments.v1 import payment_notification_service_pb2_grpc as nsvc_grpc
from fintech.payments.v1 import payment_pb2
from fintech.payments.v1 import webhook_pb2 as w
from sqlalchemy import text

from services.payments.adapters.db import event_store
from services.runtime.config import Settings
from services.runtime.tls import certs_dir, channel_credentials
from tests.customer.support import claims, error_details
from tests.payments.api import Bank, PaymentsApi, release_if_held, verified_customer
from tests.payments.support import open_accounts, payments_database
from tests.runtime.events_support import wait_until

pytestmark = pytest.mark.mesh("postgres", "kafka", "payments")
INITIATED, CANCELLED = "fintech.payments.v1.PaymentInitiated", "fintech.payments.v1.PaymentCancelled"


class Receiver:
    """An HTTPS webhook receiver on 127.0.0.1 (the dev CA's certificate) that checks signatures itself.

    `plan[path]` is how many first attempts of each delivery to answer with 503 (-1: always 500).
    """

    def __init__(self, settings: Settings) -> None:
        self.secrets: dict[str, str] = {}
        self.plan: dict[str, int] = {}
        self.requests: list[dict] = []
        self.attempts: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.receive(self.path, dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        certs = certs_dir(settings)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certs / "cli.pem", certs / "cli-key.pem")
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}{path}"

    def receive(self, path: str, headers: dict, body: bytes) -> int:
        secret, timestamp = self.secrets.get(path, ""), headers.get("Fintech-Webhook-Timestamp", "")
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        offered = [
            value.strip().removeprefix("v1=") for value in headers.get("Fintech-Webhook-Signature", "").split(",")
        ]
        verified = any(hmac.compare_digest(expected, value) for value in offered)
        verified = verified and abs(time.time() - int(timestamp)) <= 300
        delivery_id = headers.get("Fintech-Webhook-Id", "")
        with self.lock:
            self.attempts[delivery_id] += 1
            failures = self.plan.get(path, 0)
            if not verified:
                status = 401
            elif failures == -1:
                status = 500
            else:
                status = 503 if self.attempts[delivery_id] <= failures else 200
            self.requests.append({"path": path, "headers": headers, "body": json.loads(body), "status": status,
                                  "verified": verified})  # fmt: skip
        return status

    def acknowledged(self, path: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path and r["status"] == 200]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def as_customer(customer_id: str) -> tuple[tuple[str, str], ...]:
    return (("x-jwt-payload", claims(f"user-{customer_id}", "customer", customer_id=customer_id)),)


class Api:
    def __init__(self, settings: Settings, workload: str = "edge-gateway") -> None:
        credentials = channel_credentials(workload, settings)
        self.channel = grpc.aio.secure_channel(settings.service("payments").address, credentials)
        self.stub = nsvc_grpc.PaymentNotificationServiceStub(self.channel)

    async def register(self, customer_id: str, url: str, *event_types: str, metadata=None):
        request = nsvc.RegisterWebhookEndpointRequest(customer_id=customer_id, url=url, event_types=event_types)
        metadata = metadata or as_customer(customer_id)
        return await self.stub.RegisterWebhookEndpoint(request, metadata=metadata, timeout=15)


@pytest.fixture
async def api(settings):
    api = Api(settings)
    yield api
    await api.channel.close()


@pytest.fixture
def receiver(settings):
    receiver = Receiver(settings)
    yield receiver
    receiver.close()


@pytest.fixture
async def database(settings):
    database = await payments_database(settings)
    yield database
    await database.dispose()


def violated(error: grpc.aio.AioRpcError) -> tuple[str, list[str]]:
    info, violations = error_details(error)
    return info.reason, [v.field for v in violations]


async def initiate_and_cancel(database, customer_id: str) -> tuple[str, list[str]]:
    """A payment's first and last events through the event store; returns its id and event ids."""
    debtor, creditor = await open_accounts(database, 2, customer_id=customer_id)
    payment_id = str(uuid.uuid4())
    initiated = pev.PaymentInitiated(
        payment_id=payment_id, idempotency_key=f"key-{payment_id}", customer_id=customer_id, initiated_by=customer_id,
        debtor_account_id=str(debtor), creditor_account_id=str(creditor),
        amount=Money(amount_minor=1_250, currency_code="EUR"), end_to_end_id="NOTPROVIDED",
        channel=payment_pb2.PAYMENT_CHANNEL_WEB,
    )  # fmt: skip
    initiated.create_time.FromDatetime(datetime.now(UTC))
    cancelled = pev.PaymentCancelled(payment_id=payment_id, cancelled_by=customer_id)
    cancelled.cancel_time.FromDatetime(datetime.now(UTC))
    async with database.transaction() as session:
        await event_store.append(session, payment_id, 0, [initiated])
    async with database.transaction() as session:
        await event_store.append(session, payment_id, 1, [cancelled])
    async with database.session() as session:
        events = await event_store.load_events(session, payment_id)
    return payment_id, [envelope.event_id for envelope in events]


async def fast_forward(database, endpoint_ids: list[str], *, expire: bool = False) -> None:
    """Make the endpoints' pending retries due now (with `expire`, as if the first attempt were 73 h ago)."""
    extra = ", first_attempt_time = now() - interval '73 hours'" if expire else ""
    async with database.transaction() as session:
        await session.execute(
            text(f"UPDATE webhook_deliveries SET next_attempt_time = now(){extra} "
                 "WHERE state = 1 AND attempt_count > 0 AND webhook_endpoint_id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": endpoint_ids},
        )  # fmt: skip


async def test_each_subscribed_event_reaches_each_endpoint_once_signed_after_retries(api, receiver, database):
    customer, stranger = str(uuid.uuid4()), str(uuid.uuid4())
    a = await api.register(customer, receiver.url("/a"), INITIATED, CANCELLED)
    b = await api.register(customer, receiver.url("/b"), CANCELLED)
    c = await api.register(stranger, receiver.url("/c"), INITIATED, CANCELLED)
    for path, registered in (("/a", a), ("/b", b), ("/c", c)):
        receiver.secrets[path] = registered.signing_secret
    receiver.plan["/a"] = 2  # the first two attempts of each delivery to /a fail
    endpoint_a = a.webhook_endpoint.webhook_endpoint_id

    payment_id, (initiated_id, cancelled_id) = await initiate_and_cancel(database, customer)

    async def delivered():
        await fast_forward(database, [endpoint_a])
        return len(receiver.acknowledged("/a")) >= 2 and len(receiver.acknowledged("/b")) >= 1

    await wait_until(delivered, timeout=90, interval=0.5)
    await asyncio.sleep(2)  # a late duplicate would arrive now
    assert all(r["verified"] for r in receiver.requests)
    got_a = receiver.acknowledged("/a")
    assert sorted(r["body"]["eventId"] for r in got_a) == sorted([initiated_id, cancelled_id])  # each once
    by_event = {r["body"]["eventId"]: r["body"] for r in got_a}
    assert by_event[initiated_id]["eventType"] == INITIATED
    assert by_event[initiated_id]["payment"]["state"] == "PAYMENT_STATE_INITIATED"  # as right after the event
    assert by_event[cancelled_id]["payment"]["state"] == "PAYMENT_STATE_CANCELLED"
    assert by_event[cancelled_id]["payment"]["paymentId"] == payment_id
    assert by_event[cancelled_id]["payment"]["version"] == "2"
    assert [r["body"]["eventId"] for r in receiver.acknowledged("/b")] == [cancelled_id]
    assert not [r for r in receiver.requests if r["path"] == "/c"]  # another customer's endpoint
    for request in got_a:  # the delivery id is the header and the body's, the same over the retries
        delivery_id = request["headers"]["Fintech-Webhook-Id"]
        assert request["body"]["webhookDeliveryId"] == delivery_id and receiver.attempts[delivery_id] == 3

    listed = await api.stub.ListWebhookDeliveries(
        nsvc.ListWebhookDeliveriesRequest(webhook_endpoint_id=endpoint_a), metadata=as_customer(customer), timeout=15
    )
    deliveries = listed.webhook_deliveries
    assert [d.event_id for d in deliveries] == [cancelled_id, initiated_id]  # newest first
    for delivery in deliveries:
        assert delivery.state == w.WEBHOOK_DELIVERY_STATE_SUCCEEDED
        assert (delivery.attempt_count, delivery.last_http_status_code, delivery.last_error) == (3, 200, "")
        assert delivery.HasField("deliver_time") and not delivery.HasField("next_attempt_time")
        assert delivery.subject_id == payment_id
    one = await api.stub.RetrieveWebhookDelivery(
        nsvc.RetrieveWebhookDeliveryRequest(webhook_endpoint_id=endpoint_a,
                                            webhook_delivery_id=deliveries[0].webhook_delivery_id),
        metadata=as_customer(customer), timeout=15,
    )  # fmt: skip
    assert one.webhook_delivery == deliveries[0]


async def test_a_delivery_that_keeps_failing_backs_off_then_fails(api, receiver, database):
    customer = str(uuid.uuid4())
    registered = await api.register(customer, receiver.url("/down"), INITIATED)
    receiver.secrets["/down"], receiver.plan["/down"] = registered.signing_secret, -1
    endpoint_id = registered.webhook_endpoint.webhook_endpoint_id
    await initiate_and_cancel(database, customer)

    async def first_failure():
        async with database.session() as session:
            return (await session.execute(
                text("SELECT attempt_count, next_attempt_time - last_attempt_time FROM webhook_deliveries "
                     "WHERE webhook_endpoint_id = :id AND attempt_count > 0"), {"id": endpoint_id},
            )).first()  # fmt: skip

    attempts, wait = await wait_until(first_failure, timeout=60)
    assert attempts == 1 and 54 <= wait.total_seconds() <= 66  # about 1 minute, jittered by 10%

    async def failed():
        await fast_forward(database, [endpoint_id], expire=True)  # the 72 hours are over
        listed = await api.stub.ListWebhookDeliveries(
            nsvc.ListWebhookDeliveriesRequest(webhook_endpoint_id=endpoint_id,
                                              states=[w.WEBHOOK_DELIVERY_STATE_FAILED]),
            metadata=as_customer(customer), timeout=15,
        )  # fmt: skip
        return list(listed.webhook_deliveries)

    (delivery,) = await wait_until(failed, timeout=60, interval=0.5)
    assert (delivery.last_http_status_code, delivery.last_error) == (500, "http_500")
    assert delivery.attempt_count >= 2 and not delivery.HasField("next_attempt_time")
    assert all(r["verified"] and r["status"] == 500 for r in receiver.requests)


async def test_registration_rules_access_paging_and_deletion(api, receiver, settings):
    customer, other = str(uuid.uuid4()), str(uuid.uuid4())
    with pytest.raises(grpc.aio.AioRpcError) as caught:  # the contract's URL rule: https only
        await api.register(customer, "http://example.com/hook", INITIATED)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT and violated(caught.value)[1] == ["url"]
    with pytest.raises(grpc.aio.AioRpcError) as caught:  # a private address, and an event that does not exist
        await api.register(customer, "https://10.1.2.3/hook", INITIATED, "fintech.payments.v1.PaymentTeleported")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated(caught.value) == ("FIELD_VIOLATION", ["event_types[1]", "url"])
    with pytest.raises(grpc.aio.AioRpcError) as caught:  # only for oneself
        await api.register(other, receiver.url("/x"), INITIATED, metadata=as_customer(customer))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED

    registered = [await api.register(customer, receiver.url(f"/e{i}"), INITIATED) for i in range(3)]
    first = registered[0]
    assert first.signing_secret.startswith("whsec_")
    assert first.webhook_endpoint.signing_secret_hint == first.signing_secret[-4:]
    assert first.webhook_endpoint.state == w.WEBHOOK_ENDPOINT_STATE_ACTIVE
    endpoint_id = first.webhook_endpoint.webhook_endpoint_id
    retrieved = await api.stub.RetrieveWebhookEndpoint(
        nsvc.RetrieveWebhookEndpointRequest(webhook_endpoint_id=endpoint_id), metadata=as_customer(customer), timeout=15
    )
    assert retrieved.webhook_endpoint == first.webhook_endpoint  # never the secret again
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        request = nsvc.RetrieveWebhookEndpointRequest(webhook_endpoint_id=endpoint_id)
        await api.stub.RetrieveWebhookEndpoint(request, metadata=as_customer(other), timeout=15)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED

    seen, token, tokens = [], "", []
    while True:
        page = await api.stub.ListWebhookEndpoints(
            nsvc.ListWebhookEndpointsRequest(customer_id=customer, page_size=2, page_token=token),
            metadata=as_customer(customer), timeout=15,
        )  # fmt: skip
        seen += [e.webhook_endpoint_id for e in page.webhook_endpoints]
        token = page.next_page_token
        tokens.append(token)
        if not token:
            break
    assert seen == [r.webhook_endpoint.webhook_endpoint_id for r in registered]  # oldest first, each once
    with pytest.raises(grpc.aio.AioRpcError) as caught:  # a token of another filter
        await api.stub.ListWebhookEndpoints(
            nsvc.ListWebhookEndpointsRequest(customer_id=other, page_token=tokens[0]),
            metadata=as_customer(other), timeout=15,
        )  # fmt: skip
    assert violated(caught.value)[0] == "INVALID_PAGE_TOKEN"

    operator = Api(settings, workload="cli")
    try:
        listed = await operator.stub.ListWebhookEndpoints(
            nsvc.ListWebhookEndpointsRequest(customer_id=customer), timeout=15
        )
        assert len(listed.webhook_endpoints) == 3
        with pytest.raises(grpc.aio.AioRpcError) as caught:  # operators only read
            await operator.stub.DeleteWebhookEndpoint(
                nsvc.DeleteWebhookEndpointRequest(webhook_endpoint_id=endpoint_id), timeout=15
            )
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await operator.channel.close()

    delete = nsvc.DeleteWebhookEndpointRequest(webhook_endpoint_id=endpoint_id)
    await api.stub.DeleteWebhookEndpoint(delete, metadata=as_customer(customer), timeout=15)
    for call, request in [
        (api.stub.DeleteWebhookEndpoint, delete),
        (api.stub.RetrieveWebhookEndpoint, nsvc.RetrieveWebhookEndpointRequest(webhook_endpoint_id=endpoint_id)),
        (api.stub.ListWebhookDeliveries, nsvc.ListWebhookDeliveriesRequest(webhook_endpoint_id=endpoint_id)),
    ]:
        # Gone, to its owner as to anyone who reaches only their own: refused like another's (AIP-211) ...
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(request, metadata=as_customer(customer), timeout=15)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # ... while the back office, which reaches every endpoint, learns it does not exist.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(request, metadata=(("x-jwt-payload", claims("admin-9", "admin")),), timeout=15)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.mesh("postgres", "kafka", "customer", "risk", "payments")
async def test_a_real_payment_and_account_notify_their_customer_without_holding_up_the_payment(api, receiver, settings):
    customer = await asyncio.to_thread(verified_customer, settings)
    registered = await api.register(customer, receiver.url("/live"), "fintech.payments.v1.AccountOpened", INITIATED,
                                    "fintech.payments.v1.PaymentExecuted")  # fmt: skip
    receiver.secrets["/live"], receiver.plan["/live"] = registered.signing_secret, 1  # each first attempt fails
    payments, bank = PaymentsApi(settings), await asyncio.to_thread(Bank, settings)
    account = (await asyncio.to_thread(payments.open_account, customer)).account_id
    other = (await asyncio.to_thread(payments.open_account, customer)).account_id
    await asyncio.to_thread(bank.fund, account, 10_000)
    # The payment completes whatever the receiver does: notification happens after, from the events.
    payment = await asyncio.to_thread(payments.pay, account, other, 2_500, remittance_information="Invoice 42")
    payment = await asyncio.to_thread(release_if_held, payments, payment)  # screening may want a person
    assert payment.state == payment_pb2.PAYMENT_STATE_EXECUTED

    async def delivered():
        await fast_forward(payments_db, [registered.webhook_endpoint.webhook_endpoint_id])
        types = sorted(r["body"]["eventType"].rsplit(".", 1)[1] for r in receiver.acknowledged("/live"))
        return types == ["AccountOpened", "AccountOpened", "PaymentExecuted", "PaymentInitiated"] and types

    payments_db = await payments_database(settings)
    try:
        await wait_until(delivered, timeout=90, interval=0.5)
    finally:
        await payments_db.dispose()
    bodies = [r["body"] for r in receiver.acknowledged("/live")]
    assert all(r["verified"] for r in receiver.requests)
    opened = sorted(b["account"]["accountId"] for b in bodies if b["eventType"].endswith("AccountOpened"))
    assert opened == sorted([account, other])
    executed = next(b["payment"] for b in bodies if b["eventType"].endswith("PaymentExecuted"))
    assert executed["paymentId"] == payment.payment_id and executed["state"] == "PAYMENT_STATE_EXECUTED"
    assert executed["ledgerPostingId"] == payment.ledger_posting_id
    assert "remittanceInformation" not in executed  # no personal data in notifications
    initiated = next(b["payment"] for b in bodies if b["eventType"].endswith("PaymentInitiated"))
    assert initiated["state"] == "PAYMENT_STATE_INITIATED" and initiated["version"] == "1"
