"""The access matrix, proven: every public REST operation through the real Envoy edge with a token of every role
and ownership case, and every public RPC over gRPC as `cli` and `edge-gateway`; each answer matches the rule the
contracts declare ((fintech.common.v1.access)), and the refused calls change nothing in any database or topic.

"Allowed" means the caller got past authorization: any answer but 401/403 (the request may still be refused for
what it asks: a 400, 404 or 409). "Denied" is 403 (401 without a token), whatever the request.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import re
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import grpc
import pytest
from aiokafka import TopicPartition
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import customer_profile_pb2 as cp
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import payment_notification_service_pb2 as nsvc
from fintech.risk.v1 import credit_risk_assessment_service_pb2 as credit_svc
from google.api import annotations_pb2
from google.protobuf import descriptor_pool, symbol_database
from google.protobuf.message import Message
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.ml.adapters.drift_bins import FLUSH_SECONDS
from services.runtime import kafka
from services.runtime.access import ROLES, TELLER, Rule, rule_for
from services.runtime.config import SERVICES, Settings
from services.runtime.tls import channel_credentials
from tests.customer.support import (
    BRANCH,
    OTHER_BRANCH,
    Api,
    claims,
    kyc_request,
    new_customer,
    register,
    start_kyc,
)
from tests.payments.api import Bank, payment_request
from tools.demo.actors import credit_application
from tools.edge.mint import mint
from tools.edge.rest import RestClient, RestError
from tools.edge.tokens import issue_token
from tools.policy.contracts import contract_rpcs, load_generated_services

pytestmark = pytest.mark.mesh()

load_generated_services()
PUBLIC = [rpc for rpc in contract_rpcs() if rpc.public and not rpc.internal]
STAFF = ("risk_officer", "compliance_officer", "model_risk", "admin")


@dataclass(frozen=True)
class Case:
    name: str
    role: str | None  # None: no token
    own: bool = True  # a customer's own resources, a teller's own branch


CASES = [
    Case("no token", None),
    Case("customer, own", "customer"),
    Case("customer, another's", "customer", own=False),
    Case("teller, own branch", "teller"),
    Case("teller, another branch", "teller", own=False),
    *(Case(role, role) for role in STAFF),
    Case("unknown role", "auditor"),
]
assert {case.role for case in CASES} >= ROLES


def expected(rule: Rule, case: Case) -> int | None:
    """The status the declared rule promises: 401, 403, or None for 'past authorization'."""
    if case.role is None:
        return 401
    if case.role not in rule.roles:
        return 403
    if case.role in rule.owner_scoped and not case.own:
        return 403
    return None


@dataclass
class World:
    """Two verified customers in two branches, and what belongs to the first: the resources every case asks for."""

    alice: str
    bob: str
    alice_account: str
    bob_account: str
    alice_payment: str
    alice_kyc: str
    alice_endpoint: str
    alice_credit: str
    settings: Settings
    carol: str = "1d4c2b3a-0000-4000-8000-00000000ca01"  # a customer with nothing of Alice's

    def throwaway_customer(self) -> str:
        teller = claims("matrix-teller", "teller", branch_id=BRANCH)
        return register(Api(self.settings), new_customer(), teller).customer_id

    def throwaway_endpoint(self) -> str:
        return _endpoint(self.settings, self.alice)

    def ids(self) -> dict[str, str]:
        return {
            "customer_id": self.alice,
            "account_id": self.alice_account,
            "payment_id": self.alice_payment,
            "kyc_check_id": self.alice_kyc,
            "webhook_endpoint_id": self.alice_endpoint,
            "credit_assessment_id": self.alice_credit,
            "branch_id": BRANCH,
            "model_name": "fraud",
            "model_version": "1",
        }


@pytest.fixture(scope="module")
def world(mesh, settings: Settings) -> World:
    mesh.up()
    api = Api(settings)
    teller = claims("matrix-teller", "teller", branch_id=BRANCH)
    alice = register(api, new_customer(), teller).customer_id
    bob = register(api, new_customer(branch_id=OTHER_BRANCH), claims("t2", "teller", branch_id=OTHER_BRANCH))
    kyc = start_kyc(api, alice, teller).kyc_check_id
    start_kyc(api, bob.customer_id, claims("t2", "teller", branch_id=OTHER_BRANCH))
    bank = Bank(settings)
    alice_account = bank.api.open_account(alice).account_id
    bob_account = bank.api.open_account(bob.customer_id).account_id
    bank.fund(alice_account, 1_000_000)
    as_alice = claims("matrix-alice", "customer", customer_id=alice)
    payment = bank.api.pay(alice_account, bob_account, 2_500, claims=as_alice).payment_id
    endpoint = _endpoint(settings, alice)
    evaluate = _grpc_stub(settings, "CreditRiskAssessmentService").EvaluateCreditRisk
    application = credit_svc.EvaluateCreditRiskRequest(
        application=credit_application(alice), request_id=str(uuid.uuid4())
    )
    # Risk's breaker to ml may still be open from an earlier module's mesh without ml: wait for it to close.
    deadline = time.monotonic() + 60
    while True:
        try:
            assessment = bank.api.call(evaluate, application, as_alice).credit_assessment.credit_assessment_id
            break
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            time.sleep(1)
    return World(alice, bob.customer_id, alice_account, bob_account, payment, kyc, endpoint, assessment, settings)


def _endpoint(settings: Settings, customer_id: str) -> str:
    """A webhook endpoint of the customer's, registered by them."""
    request = nsvc.RegisterWebhookEndpointRequest(
        customer_id=customer_id, url="https://127.0.0.1:9/hook", event_types=["fintech.payments.v1.PaymentExecuted"]
    )
    metadata = (("x-jwt-payload", claims(f"user-{customer_id}", "customer", customer_id=customer_id)),)
    stub = _grpc_stub(settings, "PaymentNotificationService")
    return stub.RegisterWebhookEndpoint(request, metadata=metadata, timeout=15).webhook_endpoint.webhook_endpoint_id


def _grpc_stub(settings: Settings, service: str, workload: str = "edge-gateway"):
    """A generic stub of a fintech gRPC service by its short name, over mTLS as `workload`."""
    rpc = next(r for r in PUBLIC if r.label.startswith(f"{service}/"))
    full = rpc.path[1:].split("/")[0]
    descriptor = descriptor_pool.Default().FindServiceByName(full)
    channel = grpc.secure_channel(settings.service(rpc.workload).address, channel_credentials(workload, settings))

    class Stub:
        pass

    stub = Stub()
    for method in descriptor.methods:
        request = symbol_database.Default().GetSymbol(method.input_type.full_name)
        response = symbol_database.Default().GetSymbol(method.output_type.full_name)
        setattr(stub, method.name, channel.unary_unary(
            f"/{full}/{method.name}", request.SerializeToString, response.FromString))  # fmt: skip
    return stub


# Requests a caller with the right may make: valid, so an owner-scoped caller's refusal is the ownership rule's.
BODIES: dict[str, Callable[[World, Case], dict]] = {
    # A customer onboards themselves online (a token without a customer id yet); staff at the branch.
    "RegisterCustomer": lambda w, case: {
        "customer": new_customer(onboarding_channel=c.ONBOARDING_CHANNEL_ONLINE)
        if case.role == "customer"
        else new_customer(),
        "request_id": str(uuid.uuid4()),
    },
    # Erasure and deletion get resources of their own: the sweep goes on reading Alice's.
    "EraseCustomer": lambda w, case: {
        "customer_id": w.throwaway_customer(),
        "reason": c.ERASURE_REASON_CONSENT_WITHDRAWN,
    },
    "DeleteWebhookEndpoint": lambda w, case: {"webhook_endpoint_id": w.throwaway_endpoint()},
    "UpdateCustomer": lambda w, case: {
        "customer": c.Customer(customer_id=w.alice, family_name=f"Muster{uuid.uuid4().hex[:6]}", etag='W/"1"'),
        "update_mask": {"paths": ["family_name"]},
    },
    "InitiateKycCheck": lambda w, case: {"request": kyc_request(w.alice)},
    "UpdateCustomerProfile": lambda w, case: {
        "profile": cp.CustomerProfile(customer_id=w.alice, email=f"{uuid.uuid4().hex[:8]}@example.com", etag='W/"1"'),
        "update_mask": {"paths": ["email"]},
    },
    "OpenAccount": lambda w, case: {
        "idempotency_key": str(uuid.uuid4()),
        "currency_code": "EUR",
        "account_type": a.ACCOUNT_TYPE_CURRENT,
    },
    "InitiatePayment": lambda w, case: {"request": payment_request(w.alice_account, w.bob_account, 1)},
    "CancelPayment": lambda w, case: {},
    "EvaluateCreditRisk": lambda w, case: {"application": credit_application(w.alice), "request_id": str(uuid.uuid4())},
    "RegisterWebhookEndpoint": lambda w, case: {
        "url": "https://127.0.0.1:9/hook",
        "event_types": ["fintech.payments.v1.PaymentExecuted"],
    },
    "ControlAccount": lambda w, case: {"expected_version": 999_999},
}


def build(rpc, world: World | None, case: Case = Case("staff", "admin")) -> Message:
    """The request of `rpc` for Alice's resources: its ids by field name, then the valid body it needs."""
    method = descriptor_pool.Default().FindMethodByName(rpc.path[1:].replace("/", "."))
    request = symbol_database.Default().GetSymbol(method.input_type.full_name)()
    name = rpc.label.split("/")[1]
    if world is None:  # an empty request: for calls refused before the request is read
        return request
    extra = BODIES.get(name, lambda w, case: {})(world, case)
    if "request" in extra:  # a whole prepared request
        return extra["request"]
    for field, value in world.ids().items():
        if field in request.DESCRIPTOR.fields_by_name and request.DESCRIPTOR.fields_by_name[field].type == 9:
            setattr(request, field, value)
    rule = method.GetOptions().Extensions[annotations_pb2.http]
    template = getattr(rule, rule.WhichOneof("pattern"))
    for variable in re.findall(r"\{([a-z_]+)\}", template):  # ids of things that need not exist: any will do
        if not getattr(request, variable):
            setattr(request, variable, str(uuid.uuid4()))
    for field in ("request_id", "idempotency_key"):
        if field in request.DESCRIPTOR.fields_by_name:
            setattr(request, field, str(uuid.uuid4()))
    for field, value in extra.items():
        target = getattr(request, field)
        if isinstance(value, Message):
            target.CopyFrom(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                getattr(target, key).extend(item)
        elif isinstance(value, list):
            target.extend(value)
        else:
            setattr(request, field, value)
    return request


def token(settings: Settings, case: Case, world: World, rpc=None) -> str | None:
    subject = f"matrix-{case.name.replace(' ', '-').replace(',', '').replace(chr(39), '')}-{uuid.uuid4().hex[:6]}"
    if case.role is None:
        return None
    if case.role == "customer" and case.own and rpc is not None and rpc.label.endswith("/RegisterCustomer"):
        return issue_token(settings, subject, roles=["customer"])  # self-onboarding: no customer id yet
    if case.role == "customer":
        # Another customer: not Bob, who as the payee of Alice's payment may read it.
        return mint(settings, "customer", customer_id=world.alice if case.own else world.carol, subject=subject)
    if case.role == TELLER:
        return mint(settings, "teller", branch_id=BRANCH if case.own else OTHER_BRANCH, subject=subject)
    if case.role in ROLES:
        return mint(settings, case.role, subject=subject)
    return issue_token(settings, subject, roles=[case.role])


def _method(rpc):
    return descriptor_pool.Default().FindMethodByName(rpc.path[1:].replace("/", "."))


def _status(client: RestClient, rpc, request: Message, bearer: str | None) -> int:
    try:
        client.call(_method(rpc), request, token=bearer)
        return 200
    except RestError as error:
        return error.status


# -- what a refused call must not change ------------------------------------------------------------------

STATE_QUERY = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'
"""


async def _database_state(settings: Settings) -> dict[str, str]:
    state = {}
    # Not the lake's database: its catalog moves with every reconciliation run (a report appended every few
    # seconds), and the events it mirrors are the topics' offsets compared below.
    for service in (s for s in SERVICES if s != "lake"):
        engine = create_async_engine(settings.postgres.url(service))
        try:
            async with engine.connect() as connection:
                tables = (await connection.execute(text(STATE_QUERY))).scalars().all()
                for table in tables:
                    digest = await connection.scalar(
                        text(
                            f"SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "
                            f'FROM "{table}" t'
                        )  # fmt: skip
                    )
                    state[f"{service}.{table}"] = digest
        finally:
            await engine.dispose()
    return state


async def _topic_offsets(settings: Settings) -> dict[str, int]:
    consumer = kafka.make_consumer("access-matrix-offsets", settings=settings)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # an unsubscribed consumer knows no topics until asked
        cluster = consumer._client.cluster
        topics = [t for t in cluster.topics() if t.startswith("fintech.")]
        partitions = [TopicPartition(t, p) for t in topics for p in cluster.partitions_for_topic(t) or ()]
        assert partitions, "no fintech topics seen: the check would prove nothing"
        ends = await consumer.end_offsets(partitions)
        return {f"{tp.topic}/{tp.partition}": offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


def _state(settings: Settings) -> tuple[dict, dict]:
    async def both():
        return await _database_state(settings), await _topic_offsets(settings)

    return asyncio.run(both())


# ml writes what it served every FLUSH_SECONDS (drift_bins.py): at rest means unchanged for longer than that.
_REST_SECONDS = math.ceil(FLUSH_SECONDS) + 1


def _quiet_state(settings: Settings, attempts: int = 60) -> tuple[dict, dict]:
    """The state once the mesh is at rest (the setup's events consumed, ml's counts flushed)."""
    previous, unchanged = _state(settings), 0
    for _ in range(attempts):
        time.sleep(1)
        current = _state(settings)
        unchanged = unchanged + 1 if current == previous else 0
        if unchanged >= _REST_SECONDS:
            return current
        previous = current
    pytest.fail("the mesh never came to rest")


def _changes(before: tuple[dict, dict], after: tuple[dict, dict]) -> list[str]:
    return [key for part in (0, 1) for key in sorted(set(before[part]) | set(after[part]))
            if before[part].get(key) != after[part].get(key)]  # fmt: skip


# -- the sweeps --------------------------------------------------------------------------------------------


def test_every_rest_operation_answers_each_role_as_declared_and_refusals_change_nothing(
    settings: Settings, world: World
):
    client = RestClient(f"http://127.0.0.1:{settings.envoy.rest_port}")
    plan = [(rpc, case) for rpc in PUBLIC for case in CASES]
    denied = [(rpc, case) for rpc, case in plan if expected(rpc.access, case) is not None]
    allowed = [(rpc, case) for rpc, case in plan if expected(rpc.access, case) is None]
    assert len(PUBLIC) >= 50 and len(denied) > len(allowed) > 100

    # Requests and tokens first: building some (a throwaway customer to erase) writes.
    calls = {(rpc.path, case.name): (build(rpc, world, case), token(settings, case, world, rpc)) for rpc, case in plan}
    wrong: list[str] = []
    before = _quiet_state(settings)
    for rpc, case in denied:
        status = _status(client, rpc, *calls[(rpc.path, case.name)])
        if status != expected(rpc.access, case):
            wrong.append(f"{rpc.label} as {case.name}: HTTP {status}, declared {expected(rpc.access, case)}")
    after = _quiet_state(settings)
    assert not wrong, "\n".join(wrong)
    assert not _changes(before, after), f"refused calls changed {_changes(before, after)}"

    # Owners first: a deletion by staff would leave the owner asking for what no longer exists.
    allowed.sort(key=lambda item: (item[0].path, item[1].role != "customer"))
    for rpc, case in allowed:
        status = _status(client, rpc, *calls[(rpc.path, case.name)])
        if status in (401, 403):
            wrong.append(f"{rpc.label} as {case.name}: HTTP {status}, declared allowed")
    assert not wrong, "\n".join(wrong)


def _payload(sub: str, *roles: str, **extra: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"sub": sub, "roles": list(roles), **extra}).encode()).decode()


def test_every_rpc_over_grpc_as_cli_and_edge_gateway(settings: Settings, world: World):
    wrong: list[str] = []
    cli_person = issue_token(settings, "matrix-cli-admin", roles=list(ROLES))
    for rpc in PUBLIC:
        request, rule = build(rpc, world), rpc.access
        assert rule == rule_for(rpc.path)
        outsider = sorted(ROLES - rule.roles)
        calls = {
            "cli alone": ("cli", (), None if rule.operator_read else grpc.StatusCode.PERMISSION_DENIED),
            "cli with a forged edge payload": (
                "cli", (("x-jwt-payload", _payload("forger", *ROLES)),),
                None if rule.operator_read else grpc.StatusCode.PERMISSION_DENIED,
            ),
            "cli with an invalid token": ("cli", (("authorization", "Bearer not.a.token"),),
                                          grpc.StatusCode.UNAUTHENTICATED),
            "cli with a person's token": ("cli", (("authorization", f"Bearer {cli_person}"),), None),
            "edge-gateway without a user": ("edge-gateway", (), grpc.StatusCode.UNAUTHENTICATED),
        }  # fmt: skip
        if outsider:
            calls["edge-gateway, a role outside the rule"] = (
                "edge-gateway", (("x-jwt-payload", _payload("outsider", outsider[0])),),
                grpc.StatusCode.PERMISSION_DENIED,
            )  # fmt: skip
        for name, (workload, metadata, want) in calls.items():
            address = settings.service(rpc.workload).address
            with grpc.secure_channel(address, channel_credentials(workload, settings)) as channel:
                call = channel.unary_unary(rpc.path, type(request).SerializeToString, lambda b: b)
                try:
                    call(request, metadata=metadata, timeout=20)
                    code = grpc.StatusCode.OK
                except grpc.RpcError as error:
                    code = error.code()
            denied = code in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED)
            if (want is None and denied) or (want is not None and code != want):
                wrong.append(f"{rpc.label} as {name}: {code.name}, declared {want.name if want else 'allowed'}")
    assert not wrong, "\n".join(wrong)


# INTERNAL RPCs (no end user; the mesh policy alone decides): the workloads that may call each, every other refused.
INTERNAL_CALLERS = {
    "/fintech.risk.v1.TransactionScreeningService/ScreenTransaction": {"payments"},
    "/fintech.risk.v1.FraudDetectionService/EvaluateTransactionFraud": {"payments"},
    "/fintech.risk.v1.RegulatoryComplianceService/EvaluateTransactionAml": {"payments"},
    "/fintech.payments.v1.PositionKeepingService/RetrieveExecutedPaymentTotals": {"lake"},
}


@pytest.mark.parametrize("path", sorted(INTERNAL_CALLERS))
def test_internal_rpcs_answer_only_their_callers(settings: Settings, path: str):
    rpc = next(r for r in contract_rpcs() if r.path == path)
    assert rpc.internal and not rpc.public and rpc.access is None
    request = build(rpc, None)  # empty: a caller past authorization gets INVALID_ARGUMENT, the others no answer
    wrong = []
    for workload in sorted(set(SERVICES) | {"edge-gateway", "cli"}):
        with grpc.secure_channel(settings.service(rpc.workload).address, channel_credentials(workload, settings)) as ch:
            call = ch.unary_unary(path, type(request).SerializeToString, lambda b: b)
            try:
                call(request, timeout=20)
                code = grpc.StatusCode.OK
            except grpc.RpcError as error:
                code = error.code()
        allowed = workload in INTERNAL_CALLERS[path]
        want = grpc.StatusCode.INVALID_ARGUMENT if allowed else grpc.StatusCode.PERMISSION_DENIED
        if code != want:
            wrong.append(f"{rpc.label} as {workload}: {code.name}, declared {want.name}")
    assert not wrong, "\n".join(wrong)


def test_a_refusal_is_a_security_event_logged_and_counted(settings: Settings):
    subject = f"matrix-probe-{uuid.uuid4().hex[:8]}"
    nosy = mint(settings, "customer", customer_id=str(uuid.uuid4()), subject=subject)
    client = RestClient(f"http://127.0.0.1:{settings.envoy.rest_port}")
    audit = next(rpc for rpc in PUBLIC if rpc.label == "RegulatoryComplianceService/ListAuditRecords")
    assert _status(client, audit, build(audit, None), nosy) == 403

    metrics_url = f"http://127.0.0.1:{settings.service('risk').metrics_port}/metrics"
    with urllib.request.urlopen(metrics_url, timeout=10) as reply:
        exposition = reply.read().decode()
    counted = re.search(
        rf'fintech_access_denied_total\{{[^}}]*principal="{subject}"[^}}]*reason="role"[^}}]*\}} (\S+)', exposition
    )
    assert counted and float(counted.group(1)) == 1.0, "no security event counted for the refusal"
    lines = [json.loads(line) for line in (settings.state_dir / "log" / "risk.log").read_text().splitlines()
             if subject in line]  # fmt: skip
    assert [(line["event"], line["reason"], line["roles"]) for line in lines] == [
        ("access.denied", "role", ["customer"])
    ]
    assert lines[0]["method"] == audit.path and "request" not in lines[0]
