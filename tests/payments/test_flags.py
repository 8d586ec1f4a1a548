"""The payments service's flags on the real mesh, flipped at run time in the flag file it reads: the webhook kill
switch holds deliveries (kept pending, none sent) and delivers them once it is on again; the wearable channel takes
payments only from the customers its rollout admits, and refuses the others with FAILED_PRECONDITION
CHANNEL_NOT_ENABLED."""

from __future__ import annotations

import asyncio
import json
import uuid

import grpc
import pytest
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import payment_pb2 as p
from sqlalchemy import text

from services.runtime.config import Settings
from tests.customer.support import reason as _reason
from tests.edge.rest import Reply, request
from tests.payments.api import Bank, payment_request
from tests.payments.support import payments_database
from tests.payments.test_webhooks_api import CANCELLED, INITIATED, Api, Receiver, initiate_and_cancel
from tests.runtime.events_support import wait_until
from tests.runtime.flag_files import mesh_flag_file, repo_flags, wearable_share, with_default, write
from tools.edge.mint import mint

RELOAD = 1.5  # seconds: the flag file is polled every 0.25 s


@pytest.fixture
def flag_file(settings: Settings):
    path = mesh_flag_file(settings.flags.path)
    yield path
    write(path, repo_flags())


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


@pytest.mark.mesh("postgres", "kafka", "payments")
async def test_the_kill_switch_holds_webhook_deliveries_and_then_delivers_them(
    settings, flag_file, api, receiver, database
):
    write(flag_file, with_default("webhook-delivery", "off"))
    await asyncio.sleep(RELOAD)
    customer = str(uuid.uuid4())
    registered = await api.register(customer, receiver.url("/held"), INITIATED, CANCELLED)
    receiver.secrets["/held"] = registered.signing_secret
    endpoint_id = registered.webhook_endpoint.webhook_endpoint_id
    _, event_ids = await initiate_and_cancel(database, customer)

    async def deliveries() -> list[tuple[int, int]]:
        async with database.session() as session:
            rows = await session.execute(
                text("SELECT state, attempt_count FROM webhook_deliveries WHERE webhook_endpoint_id = :id"),
                {"id": endpoint_id},
            )
            return [tuple(row) for row in rows]

    await wait_until(lambda: _count(deliveries, 2), timeout=30)  # matched from Kafka: both events have a delivery
    await asyncio.sleep(3)  # the dispatcher polls every second: it would have sent them by now
    assert receiver.requests == []
    assert await deliveries() == [(1, 0), (1, 0)]  # PENDING, never attempted: held, not dropped

    write(flag_file, repo_flags())  # on again, no restart
    await wait_until(lambda: len(receiver.acknowledged("/held")) == 2, timeout=30)
    assert sorted(r["body"]["eventId"] for r in receiver.acknowledged("/held")) == sorted(event_ids)
    assert all(r["verified"] for r in receiver.requests)


async def _count(rows, n: int) -> bool:
    return len(await rows()) == n


def pay_through_the_edge(settings: Settings, customer: str, debtor: str, creditor: str) -> Reply:
    """The customer pays from their watch, through Envoy with their own token."""
    body = {
        "idempotencyKey": str(uuid.uuid4()), "debtorAccountId": debtor, "creditorAccountId": creditor,
        "amount": {"amountMinor": "1000", "currencyCode": "EUR"}, "channel": "PAYMENT_CHANNEL_WEARABLE",
    }  # fmt: skip
    return request(
        f"http://127.0.0.1:{settings.envoy.rest_port}/v1/payments", "POST",
        token=mint(settings, "customer", customer_id=customer, subject=f"test-{uuid.uuid4()}"),
        body=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def bank(settings: Settings, mesh) -> Bank:
    mesh.up("postgres", "kafka", "customer", "features", "risk", "payments")
    return Bank(settings)


# With the edge: the refusal's HTTP status through Envoy too.
@pytest.mark.mesh("postgres", "kafka", "customer", "features", "risk", "payments", "envoy")
async def test_the_new_channel_admits_only_the_customers_in_its_rollout(settings, flag_file, bank):
    alice, alice_account = await asyncio.to_thread(bank.customer)
    _, bob_account = await asyncio.to_thread(bank.customer, 1)
    firm = await asyncio.to_thread(bank.customer)
    firm_account = bank.api.open_account(firm[0], account_type=a.ACCOUNT_TYPE_BUSINESS).account_id
    await asyncio.to_thread(bank.fund, firm_account, 300_000)

    def pay(debtor: str, channel: int) -> p.Payment:
        request = payment_request(debtor, bob_account, 1_000)
        request.channel = channel
        return bank.api.call(bank.api.payments.InitiatePayment, request).payment

    write(flag_file, wearable_share(0))
    await asyncio.sleep(RELOAD)
    with pytest.raises(grpc.RpcError) as refused:
        await asyncio.to_thread(pay, alice_account, p.PAYMENT_CHANNEL_WEARABLE)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert _reason(refused.value) == "CHANNEL_NOT_ENABLED"
    reply = await asyncio.to_thread(pay_through_the_edge, settings, alice, alice_account, bob_account)
    assert reply.status == 400, (reply.status, reply.body)  # FAILED_PRECONDITION, as Envoy's transcoder maps it
    body = reply.json()
    assert body["code"] == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert [d["reason"] for d in body["details"] if "reason" in d] == ["CHANNEL_NOT_ENABLED"], body
    assert (await asyncio.to_thread(pay, alice_account, p.PAYMENT_CHANNEL_WEB)).payment_id  # other channels open

    write(flag_file, wearable_share(100))
    await asyncio.sleep(RELOAD)
    admitted = await asyncio.to_thread(pay, alice_account, p.PAYMENT_CHANNEL_WEARABLE)
    assert admitted.channel == p.PAYMENT_CHANNEL_WEARABLE and admitted.payment_id
    with pytest.raises(grpc.RpcError) as business:  # the rollout is for retail customers only
        await asyncio.to_thread(pay, firm_account, p.PAYMENT_CHANNEL_WEARABLE)
    assert _reason(business.value) == "CHANNEL_NOT_ENABLED"

    write(flag_file, '{"flags": ')  # broken: the safe default closes the new channel, the others stay open
    await asyncio.sleep(RELOAD)
    with pytest.raises(grpc.RpcError) as closed:
        await asyncio.to_thread(pay, alice_account, p.PAYMENT_CHANNEL_WEARABLE)
    assert _reason(closed.value) == "CHANNEL_NOT_ENABLED"
    assert (await asyncio.to_thread(pay, alice_account, p.PAYMENT_CHANNEL_WEB)).payment_id
