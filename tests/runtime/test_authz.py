"""Policy evaluation as Istio does it, and the shipped istio/ policies: valid, complete, least privilege."""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path

import grpc
import jsonschema
import pytest
import yaml
from fintech.common.v1 import error_reason_pb2
from google.api import annotations_pb2
from google.protobuf.json_format import MessageToDict
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from services.runtime.authz import (
    CALLER_NOT_ALLOWED,
    UNAUTHENTICATED,
    AuthorizationInterceptor,
    Decision,
    Policy,
    PolicySet,
    _reason,
)
from services.runtime.config import APPS, ROOT, SERVICES
from tests.contracts.conftest import Contracts, load_contracts
from tools.certs import WORKLOADS
from tools.policy.check import OPERATOR_RPCS

ISTIO = ROOT / "istio"
SCHEMAS = ROOT / "tests" / "schemas" / "security.istio.io"
P = "cluster.local/ns/fintech/sa/"
HEALTH = "/grpc.health.v1.Health/Check"
REFLECTION = (
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
)
# Internal calls of the platform, and nothing more: (caller, callee, path).
CALL_GRAPH = {
    ("payments", "customer", "/fintech.customer.v1.CustomerOnboardingService/RetrieveCustomerVerification"),
    ("payments", "risk", "/fintech.risk.v1.FraudDetectionService/EvaluateTransactionFraud"),
    ("payments", "risk", "/fintech.risk.v1.RegulatoryComplianceService/EvaluateTransactionAml"),
    ("payments", "risk", "/fintech.risk.v1.TransactionScreeningService/ScreenTransaction"),
    ("customer", "risk", "/fintech.risk.v1.RegulatoryComplianceService/ScreenParty"),
    ("risk", "ml", "/fintech.ml.v1.ModelServingService/Predict"),
    ("risk", "features", "/fintech.features.v1.FeatureStoreService/RetrieveOnlineFeatures"),
    ("lake", "payments", "/fintech.payments.v1.PaymentInitiationService/InitiatePayment"),
    ("lake", "payments", "/fintech.payments.v1.PositionKeepingService/RetrieveAccount"),
    ("lake", "payments", "/fintech.payments.v1.PositionKeepingService/RetrieveExecutedPaymentTotals"),
}


def policy_set(text: str) -> PolicySet:
    documents = [doc for doc in yaml.safe_load_all(text) if doc]
    return PolicySet([Policy.from_resource(doc) for doc in documents], namespace="fintech")


def policy(name: str, spec: str, *, namespace: str = "fintech", selector: str = "app: risk") -> str:
    selector_block = f"  selector: {{matchLabels: {{{selector}}}}}\n" if selector else ""
    body = "\n".join(f"  {line}" for line in spec.strip().splitlines())
    return (
        f"apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\nspec:\n{selector_block}{body}\n---\n"
    )


ALLOW_PAYMENTS = policy(
    "allow",
    """
action: ALLOW
rules:
  - from: [{source: {principals: [cluster.local/ns/fintech/sa/payments]}}]
    to: [{operation: {paths: ["/pkg.Svc/*"]}}]
""",
)


def test_allow_matches_principal_and_path():
    policies = policy_set(ALLOW_PAYMENTS)
    decision = policies.evaluate("risk", "spiffe://cluster.local/ns/fintech/sa/payments", "/pkg.Svc/Do")
    assert (decision.allowed, decision.policy, decision.rule) == (True, "fintech/allow", 0)
    assert not policies.evaluate("risk", P + "customer", "/pkg.Svc/Do").allowed
    assert not policies.evaluate("risk", P + "payments", "/pkg.Other/Do").allowed
    assert not policies.evaluate("risk", None, "/pkg.Svc/Do").allowed


def test_deny_beats_allow():
    deny = policy(
        "deny",
        """
action: DENY
rules: [{to: [{operation: {paths: [/pkg.Svc/Erase]}}]}]
""",
    )
    policies = policy_set(ALLOW_PAYMENTS + deny)
    decision = policies.evaluate("risk", P + "payments", "/pkg.Svc/Erase")
    assert (decision.allowed, decision.policy) == (False, "fintech/deny")
    assert policies.evaluate("risk", P + "payments", "/pkg.Svc/Read").allowed


def test_no_allow_policy_allows_and_an_allow_policy_denies_the_rest():
    assert policy_set(ALLOW_PAYMENTS).evaluate("ml", P + "anyone", "/x.Y/Z").allowed
    assert not policy_set(ALLOW_PAYMENTS).evaluate("risk", P + "anyone", "/x.Y/Z").allowed
    # A DENY policy alone leaves everything it does not match allowed.
    deny_only = policy("deny", "action: DENY\nrules: [{from: [{source: {principals: ['*/sa/cli']}}]}]")
    assert policy_set(deny_only).evaluate("risk", P + "payments", "/x.Y/Z").allowed
    assert not policy_set(deny_only).evaluate("risk", P + "cli", "/x.Y/Z").allowed


@pytest.mark.parametrize(
    ("rules", "allowed"),
    [
        ("rules: []", False),  # allow-nothing: no rule, no match
        ("", False),  # no rules field is the same
        ("rules: [{}]", True),  # an empty rule matches everything
        ("rules: [{to: [{operation: {methods: [POST]}}]}]", True),  # gRPC is always POST
        ("rules: [{to: [{operation: {methods: [GET]}}]}]", False),
        ("rules: [{to: [{operation: {notPaths: ['/pkg.Svc/Erase']}}]}]", True),
        ("rules: [{to: [{operation: {paths: ['*/Do']}}]}]", True),  # suffix
        ("rules: [{to: [{operation: {paths: ['/pkg.*']}}]}]", True),  # prefix
        ("rules: [{to: [{operation: {paths: ['/pkg.Svc/Do']}}]}]", True),  # exact
        ("rules: [{to: [{operation: {paths: ['/pkg.Svc/D']}}]}]", False),
        ("rules: [{from: [{source: {principals: ['*']}}]}]", True),  # presence
        ("rules: [{from: [{source: {notPrincipals: ['*/sa/payments']}}]}]", False),
        ("rules: [{from: [{source: {notPrincipals: ['*/sa/cli']}}]}]", True),
        ("rules: [{from: [{source: {namespaces: [fintech]}}]}]", True),
        ("rules: [{from: [{source: {notNamespaces: [fintech]}}]}]", False),
        ("rules: [{from: [{source: {serviceAccounts: [fintech/payments]}}]}]", True),
        ("rules: [{from: [{source: {principals: [x]}}, {source: {namespaces: [fintech]}}]}]", True),  # any source
        ("rules: [{from: [{source: {principals: ['*'], namespaces: [other]}}]}]", False),  # fields AND
        ("rules: [{when: [{key: source.namespace, values: [fintech]}]}]", True),
        ("rules: [{when: [{key: source.principal, notValues: ['*payments']}]}]", False),
        # What this process cannot see never allows.
        ("rules: [{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}]", False),
        ("rules: [{to: [{operation: {ports: ['7003']}}]}]", False),
        ("rules: [{when: [{key: 'request.auth.claims[iss]', values: ['*']}]}]", False),
    ],
)
def test_rule_semantics(rules: str, allowed: bool):
    policies = policy_set(policy("p", f"action: ALLOW\n{rules}"))
    assert policies.evaluate("risk", P + "payments", "/pkg.Svc/Do").allowed is allowed


@pytest.mark.parametrize(
    ("rules", "denied"),
    [
        ("rules: [{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}]", True),  # unknown fields deny
        ("rules: [{from: [{source: {notPrincipals: ['*/sa/payments']}}]}]", False),
        ("rules: [{from: [{source: {principals: ['*']}}]}]", True),
        ("rules: []", False),  # a DENY policy without rules denies nothing
    ],
)
def test_deny_rule_semantics(rules: str, denied: bool):
    policies = policy_set(policy("p", f"action: DENY\n{rules}"))
    assert policies.evaluate("risk", P + "payments", "/pkg.Svc/Do").allowed is not denied


def test_unauthenticated_callers_match_not_principals_only():
    match_all_but_cli = policy("p", "rules: [{from: [{source: {notPrincipals: ['*/sa/cli']}}]}]")
    assert policy_set(match_all_but_cli).evaluate("risk", None, "/pkg.Svc/Do").allowed
    any_principal = policy("p", "rules: [{from: [{source: {principals: ['*']}}]}]")
    assert not policy_set(any_principal).evaluate("risk", None, "/pkg.Svc/Do").allowed


def test_which_policies_apply():
    text = (
        policy("other-app", "rules: [{}]", selector="app: ml")
        + policy("other-ns", "rules: [{}]", namespace="elsewhere")
        + policy("ns-wide", "rules: []", selector="")  # allow-nothing for the whole namespace
        + policy(
            "root",
            "action: DENY\nrules: [{to: [{operation: {paths: [/x.Y/Z]}}]}]",
            namespace="istio-system",
            selector="",
        )
        + policy("custom", "action: CUSTOM\nprovider: {name: ext}\nrules: [{}]")
        + policy("audit", "action: AUDIT\nrules: [{}]")
    )
    policies = policy_set(text)
    assert [p.name for p in policies.for_workload("risk")] == ["ns-wide", "root", "custom", "audit"]
    decision = policies.evaluate("risk", P + "payments", "/pkg.Svc/Do")
    assert not decision.allowed and decision.policy is None  # only ns-wide ALLOW applies; it matches nothing
    assert policies.evaluate("ml", P + "payments", "/pkg.Svc/Do").allowed  # other-app allows all
    assert policies.evaluate("ml", P + "payments", "/x.Y/Z").policy == "istio-system/root"


def test_unknown_rule_fields_fail_closed():
    typo = policy("p", "rules: [{form: [{source: {principals: [nobody]}}]}]")
    assert not policy_set(typo).evaluate("risk", P + "payments", "/pkg.Svc/Do").allowed


def test_load_reads_only_authorization_policies(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(ALLOW_PAYMENTS + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    (tmp_path / "notes.md").write_text("not yaml")
    assert [p.name for p in PolicySet.load(tmp_path, namespace="fintech").policies] == ["allow"]


# The shipped policies.
def shipped_documents() -> list[tuple[Path, dict]]:
    return [(path, doc) for path in sorted(ISTIO.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())]


@pytest.fixture(scope="module")
def contracts() -> Contracts:
    return load_contracts()


@pytest.fixture(scope="module")
def shipped() -> PolicySet:
    return PolicySet.load(ISTIO, namespace="fintech")


def methods(contracts: Contracts) -> dict[str, tuple[str, bool]]:
    """Every RPC path of the contracts -> (serving workload, public)."""
    return {
        f"/{service.full_name}/{method.name}": (
            service.full_name.split(".")[1],
            method.GetOptions().HasExtension(annotations_pb2.http),
        )
        for service in contracts.services()
        for method in service.methods
    }


def test_shipped_resources_follow_their_schemas():
    kinds = {"AuthorizationPolicy": "authorizationpolicy_v1.json", "PeerAuthentication": "peerauthentication_v1.json"}
    documents = shipped_documents()
    assert {doc["kind"] for _, doc in documents} == set(kinds)
    for path, doc in documents:
        schema = json.loads((SCHEMAS / kinds[doc["kind"]]).read_text())
        jsonschema.validate(doc, schema, cls=jsonschema.Draft7Validator)
        assert doc["apiVersion"] == "security.istio.io/v1", path
        assert set(doc) == {"apiVersion", "kind", "metadata", "spec"}, path


def test_mesh_wide_strict_mtls():
    peer = [doc for _, doc in shipped_documents() if doc["kind"] == "PeerAuthentication"]
    assert peer == [
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": {"name": "default", "namespace": "istio-system"},
            "spec": {"mtls": {"mode": "STRICT"}},
        }
    ]


def test_one_allow_policy_per_service(shipped: PolicySet):
    for service in SERVICES:
        assert (ISTIO / f"authz-{service}.yaml").is_file()
        applying = shipped.for_workload(service)
        assert [(p.name, p.action, dict(p.selector or {})) for p in applying] == [(service, "ALLOW", {"app": service})]
        assert applying[0].namespace == "fintech"


def test_shipped_paths_and_principals_exist(shipped: PolicySet, contracts: Contracts):
    known_paths = set(methods(contracts)) | {"/grpc.health.v1.Health/*"}
    known_paths |= {"/grpc.reflection.v1.ServerReflection/*", "/grpc.reflection.v1alpha.ServerReflection/*"}
    for policy in shipped.policies:
        for rule in policy.rules:
            for entry in rule.get("from", []):
                for principal in entry["source"]["principals"]:
                    assert principal.removeprefix(P) in WORKLOADS, (policy.name, principal)
            for entry in rule.get("to", []):
                for path in entry["operation"].get("paths", []):  # the console's web port rule names a port
                    assert path in known_paths, (policy.name, path)
                    if path in methods(contracts):
                        assert methods(contracts)[path][0] == policy.name, (policy.name, path)


def expected_allowed(caller: str, callee: str, path: str, rpcs: dict[str, tuple[str, bool]]) -> bool:
    if path.startswith("/grpc.health.v1.Health/"):
        return caller in WORKLOADS and caller not in APPS  # the console calls no service, not even health
    if path.startswith("/grpc.reflection."):
        return caller == "cli"
    owner, public = rpcs.get(path, (None, False))
    if owner == callee and public and caller in ("edge-gateway", "cli"):
        return True
    # The operator's tool (cli) also reaches the INTERNAL RPCs made for operators (tools/policy OPERATOR_RPCS).
    return (caller, callee, path) in CALL_GRAPH or (caller == "cli" and owner == callee and path in OPERATOR_RPCS)


def test_shipped_policies_allow_exactly_the_platform_calls(shipped: PolicySet, contracts: Contracts):
    rpcs = methods(contracts)
    paths = [*rpcs, HEALTH, "/grpc.health.v1.Health/Watch", *REFLECTION]
    wrong = [
        (caller, callee, path)
        for callee in SERVICES
        for caller in (*WORKLOADS, "intruder")
        for path in paths
        if shipped.evaluate(callee, P + caller, path).allowed != expected_allowed(caller, callee, path, rpcs)
    ]
    assert wrong == []


def test_internal_rpcs_are_closed_to_the_edge(shipped: PolicySet, contracts: Contracts):
    internal = [(path, owner) for path, (owner, public) in methods(contracts).items() if not public]
    assert internal, "the contracts have internal RPCs"
    for path, owner in internal:
        assert not shipped.evaluate(owner, P + "edge-gateway", path).allowed, path
        assert shipped.evaluate(owner, P + "cli", path).allowed == (path in OPERATOR_RPCS), path


def test_payments_may_not_read_features_but_risk_may(shipped: PolicySet):
    path = "/fintech.features.v1.FeatureStoreService/RetrieveOnlineFeatures"
    assert not shipped.evaluate("features", "spiffe://cluster.local/ns/fintech/sa/payments", path).allowed
    decision = shipped.evaluate("features", "spiffe://cluster.local/ns/fintech/sa/risk", path)
    assert decision.allowed and decision.policy == "fintech/features"


def test_nobody_unauthenticated(shipped: PolicySet):
    for service in SERVICES:
        assert not shipped.evaluate(service, None, HEALTH).allowed


# The interceptor: the same decisions on real calls, for every handler kind, before the handler runs.
SIDECAR = "x-forwarded-client-cert"
INTERCEPTED = policy(
    "risk",
    """
action: ALLOW
rules:
  - from: [{source: {principals: [cluster.local/ns/fintech/sa/payments]}}]
    to: [{operation: {paths: ["/pkg.Svc/*"]}}]
""",
) + policy("deny", "action: DENY\nrules: [{to: [{operation: {paths: [/pkg.Svc/Erase]}}]}]")


def xfcc(workload: str) -> tuple[str, str]:
    return SIDECAR, f"By=spiffe://{P}risk;URI=spiffe://{P}{workload}"


def tag(context) -> bytes:
    """The caller's `x-tag` header: the handlers answer with it, so they need their call's context."""
    return dict(context.invocation_metadata()).get("x-tag", "").encode()


class Behaviours:
    """A handler of every kind gRPC has; each counts its runs and echoes the request and the x-tag header."""

    def __init__(self) -> None:
        self.runs = 0

    async def unary(self, request: bytes, context) -> bytes:
        self.runs += 1
        return b"unary " + request + tag(context)

    def sync_unary(self, request: bytes, context) -> bytes:
        self.runs += 1
        return b"sync " + request + tag(context)

    async def async_generator(self, request: bytes, context):
        self.runs += 1
        for part in (b"a", b"b"):
            yield part + request + tag(context)

    def generator(self, request: bytes, context):
        self.runs += 1
        yield from (b"c" + request + tag(context), b"d" + request)

    async def writer(self, request: bytes, context) -> None:
        self.runs += 1
        await context.write(b"w" + request + tag(context))

    async def client_stream(self, requests, context) -> bytes:
        self.runs += 1
        return b"+".join([request async for request in requests]) + tag(context)

    async def bidi(self, requests, context):
        self.runs += 1
        async for request in requests:
            yield request.upper() + tag(context)

    def handlers(self) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler(
            "pkg.Svc",
            {
                "Do": grpc.unary_unary_rpc_method_handler(self.unary),
                "Erase": grpc.unary_unary_rpc_method_handler(self.unary),
                "Sync": grpc.unary_unary_rpc_method_handler(self.sync_unary),
                "AsyncGenerator": grpc.unary_stream_rpc_method_handler(self.async_generator),
                "Generator": grpc.unary_stream_rpc_method_handler(self.generator),
                "Writer": grpc.unary_stream_rpc_method_handler(self.writer),
                "Upload": grpc.stream_unary_rpc_method_handler(self.client_stream),
                "Chat": grpc.stream_stream_rpc_method_handler(self.bidi),
            },
        )


class Served:
    def __init__(self, behaviours: Behaviours, channel: grpc.aio.Channel) -> None:
        self.behaviours, self.channel = behaviours, channel

    async def call(self, method: str, *metadata: tuple[str, str]) -> list[bytes]:
        """Every response of `method`, whatever its kind, for the request b"x" (or the stream x, y)."""
        kind = method.rsplit("/", 1)[1]
        options = {"metadata": metadata, "timeout": 5}
        if kind in ("Do", "Erase", "Sync"):
            return [await self.channel.unary_unary(method)(b"x", **options)]
        if kind in ("AsyncGenerator", "Generator", "Writer"):
            return [response async for response in self.channel.unary_stream(method)(b"x", **options)]
        if kind == "Upload":
            return [await self.channel.stream_unary(method)(iter([b"x", b"y"]), **options)]
        if kind == "Chat":
            return [response async for response in self.channel.stream_stream(method)(iter([b"x", b"y"]), **options)]
        return [await self.channel.unary_unary(method)(b"x", **options)]

    async def refused(self, method: str, *metadata: tuple[str, str]) -> tuple[grpc.StatusCode, str, dict]:
        """The refusal of `method`: its code, message and ErrorInfo. Streaming calls send no request, so
        that the client does not race the server's early end of the call."""
        runs = self.behaviours.runs
        kind = method.rsplit("/", 1)[1]
        options = {"metadata": metadata, "timeout": 5}
        if kind in ("Upload", "Chat"):
            multicallable = self.channel.stream_unary if kind == "Upload" else self.channel.stream_stream
            call = multicallable(method)(**options)
        elif kind in ("AsyncGenerator", "Generator", "Writer"):
            call = self.channel.unary_stream(method)(b"x", **options)
        else:
            call = self.channel.unary_unary(method)(b"x", **options)
        code, message = await call.code(), await call.details()
        assert self.behaviours.runs == runs  # refused before the handler ran
        [details] = [value for key, value in await call.trailing_metadata() if key == "grpc-status-details-bin"]
        status = status_pb2.Status.FromString(details)
        assert (status.code, status.message) == (code.value[0], message)
        [detail] = status.details
        info = error_details_pb2.ErrorInfo()
        assert detail.Unpack(info)
        return code, message, MessageToDict(info)


@contextlib.asynccontextmanager
async def serving(mode: str):
    behaviours = Behaviours()
    interceptor = AuthorizationInterceptor(policy_set(INTERCEPTED), "risk", mode)
    server = grpc.aio.server(interceptors=[interceptor])
    server.add_generic_rpc_handlers([behaviours.handlers()])
    health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield Served(behaviours, channel)
    finally:
        await server.stop(None)


@pytest.fixture
async def cluster():
    async with serving("cluster") as served:
        yield served


@pytest.mark.parametrize(
    ("method", "responses"),
    [
        ("/pkg.Svc/Do", [b"unary x!"]),
        ("/pkg.Svc/Sync", [b"sync x!"]),
        ("/pkg.Svc/AsyncGenerator", [b"ax!", b"bx!"]),
        ("/pkg.Svc/Generator", [b"cx!", b"dx"]),
        ("/pkg.Svc/Writer", [b"wx!"]),
        ("/pkg.Svc/Upload", [b"x+y!"]),
        ("/pkg.Svc/Chat", [b"X!", b"Y!"]),
    ],
)
async def test_an_allowed_caller_reaches_every_kind_of_handler(cluster: Served, method: str, responses: list[bytes]):
    runs = cluster.behaviours.runs
    assert await cluster.call(method, xfcc("payments"), ("x-tag", "!")) == responses
    assert cluster.behaviours.runs == runs + 1


@pytest.mark.parametrize(
    "method",
    [
        "/pkg.Svc/Do",
        "/pkg.Svc/Sync",
        "/pkg.Svc/AsyncGenerator",
        "/pkg.Svc/Generator",
        "/pkg.Svc/Writer",
        "/pkg.Svc/Upload",
        "/pkg.Svc/Chat",
    ],
)
async def test_a_refused_caller_reaches_no_handler(cluster: Served, method: str, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="services.runtime.authz"):
        refusal = await cluster.refused(method, xfcc("customer"))
    assert refusal == (
        grpc.StatusCode.PERMISSION_DENIED,
        f"{P}customer may not call {method}",
        {
            "reason": "CALLER_NOT_ALLOWED",
            "domain": "risk.fintech.svc",
            "metadata": {"principal": f"{P}customer", "method": method},
        },
    )
    [record] = [r for r in caplog.records if r.name == "services.runtime.authz"]
    assert (record.levelno, record.getMessage()) == (logging.WARNING, "call refused")
    assert (record.method, record.principal, record.decision) == (
        method,
        f"{P}customer",
        "no ALLOW policy of risk matches",
    )


async def test_a_deny_policy_refuses_even_an_allowed_caller(cluster: Served, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="services.runtime.authz"):
        code, message, _ = await cluster.refused("/pkg.Svc/Erase", xfcc("payments"))
    assert (code, message) == (grpc.StatusCode.PERMISSION_DENIED, f"{P}payments may not call /pkg.Svc/Erase")
    assert [r.decision for r in caplog.records if r.name == "services.runtime.authz"] == [
        "denied by fintech/deny rule 0"
    ]


@pytest.mark.parametrize(
    "metadata",
    [
        (),  # no sidecar header
        (xfcc("payments"), xfcc("payments")),  # two: which one did the sidecar append?
        ((SIDECAR, "URI=https://payments.example"),),  # not a SPIFFE id
    ],
)
async def test_a_caller_without_an_identity_is_unauthenticated(cluster: Served, metadata, caplog):
    with caplog.at_level(logging.WARNING, logger="services.runtime.authz"):
        refusal = await cluster.refused("/pkg.Svc/Do", *metadata)
    assert refusal == (
        grpc.StatusCode.UNAUTHENTICATED,
        "the caller has no SPIFFE identity",
        {"reason": "UNAUTHENTICATED", "domain": "risk.fintech.svc", "metadata": {"method": "/pkg.Svc/Do"}},
    )
    [record] = [r for r in caplog.records if r.name == "services.runtime.authz"]
    assert (record.method, record.principal) == ("/pkg.Svc/Do", None)


async def test_the_kubelets_probe_passes_in_a_cluster_only(cluster: Served):
    check = cluster.channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
        response_deserializer=health_pb2.HealthCheckResponse.FromString,
    )
    # From inside the pod (no sidecar header): the probe. The policy allows no caller to check health.
    assert (await check(health_pb2.HealthCheckRequest(), timeout=5)).status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.aio.AioRpcError) as refused:  # through the sidecar: the policy decides
        await check(health_pb2.HealthCheckRequest(), metadata=(xfcc("payments"),), timeout=5)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # Only the probe's paths: any other call without an identity is refused.
    assert (await cluster.refused("/pkg.Svc/Do"))[0] == grpc.StatusCode.UNAUTHENTICATED
    async with serving("local") as local:  # local mode has no probe exemption: a plaintext caller is nobody
        local_check = local.channel.unary_unary(
            "/grpc.health.v1.Health/Check", request_serializer=health_pb2.HealthCheckRequest.SerializeToString
        )
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await local_check(health_pb2.HealthCheckRequest(), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        # In local mode the identity is the TLS peer's: a forwarded header counts for nothing.
        assert (await local.refused("/pkg.Svc/Do", xfcc("payments")))[0] == grpc.StatusCode.UNAUTHENTICATED


async def test_an_unknown_method_is_unimplemented(cluster: Served):
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await cluster.channel.unary_unary("/pkg.Svc/Nothing")(b"x", metadata=(xfcc("payments"),), timeout=5)
    assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_error_reasons_are_the_enum_names_without_their_prefix():
    assert _reason(error_reason_pb2.ERROR_REASON_CALLER_NOT_ALLOWED) == "CALLER_NOT_ALLOWED"
    assert (CALLER_NOT_ALLOWED, UNAUTHENTICATED) == ("CALLER_NOT_ALLOWED", "UNAUTHENTICATED")


def test_the_namespace_defaults_to_the_meshs():
    assert PolicySet([]).namespace == "fintech"
    assert PolicySet([], namespace="other").namespace == "other"


@pytest.mark.parametrize(
    ("rules", "allowed"),
    [
        ("rules: [{when: [{key: request.method, values: [POST]}]}]", True),
        ("rules: [{when: [{key: request.method, values: [GET]}]}]", False),
        ("rules: [{when: [{key: source.namespace, values: [other]}]}]", False),
        ("rules: [{when: [{key: source.namespace, notValues: [other]}]}]", True),
        ("rules: [{from: [{source: {serviceAccounts: [fintech/customer]}}]}]", False),
        ("rules: [{from: [{source: {serviceAccounts: ['fintech/*']}}]}]", False),  # no patterns for accounts
        ("rules: [{from: [{source: {notServiceAccounts: [fintech/payments]}}]}]", False),
        ("rules: [{to: [{operation: {paths: ['/pkg.Svc/Dx*']}}]}]", False),  # the whole prefix
        ("rules: [{to: [{operation: {paths: ['*xDo']}}]}]", False),  # the whole suffix
        ("rules: [{to: [{operation: {paths: ['/pkg.Svc/Do*']}}]}]", True),
        ("rules: [{to: [{operation: {paths: ['*/Do']}}]}]", True),
        # An entry with a field besides source / operation is unknown: it never allows.
        ("rules: [{from: [{source: {principals: ['*']}, remote: {}}]}]", False),
        ("rules: [{to: [{operation: {paths: ['*']}, remote: {}}]}]", False),
    ],
)
def test_more_rule_semantics(rules: str, allowed: bool):
    policies = policy_set(policy("p", f"action: ALLOW\n{rules}"))
    assert policies.evaluate("risk", P + "payments", "/pkg.Svc/Do").allowed is allowed


@pytest.mark.parametrize(
    "rules",
    [
        "rules: [{to: [{operation: {ports: ['7003']}}]}]",  # unknown operation field: a DENY matches
        "rules: [{when: [{key: 'request.auth.claims[iss]', values: [x]}]}]",  # unknown condition key
        "rules: [{from: [{source: {principals: [nobody]}, remote: {}}]}]",  # unknown entry field
        "rules: [{to: [{operation: {paths: [/x.Y/Z]}, remote: {}}]}]",
    ],
)
def test_what_a_deny_rule_cannot_check_denies(rules: str):
    decision = policy_set(policy("p", f"action: DENY\n{rules}")).evaluate("risk", P + "payments", "/pkg.Svc/Do")
    assert (decision.allowed, decision.policy, decision.rule) == (False, "fintech/p", 0)


def test_an_empty_principal_is_no_principal():
    present = policy_set(policy("p", "rules: [{from: [{source: {principals: ['*']}}]}]"))
    assert not present.evaluate("risk", "", "/pkg.Svc/Do").allowed
    assert present.evaluate("risk", "spiffe://" + P + "x", "/pkg.Svc/Do").allowed


def test_decisions_name_the_policy_rule_and_reason():
    deny = policy(
        "deny",
        "action: DENY\nrules: [{to: [{operation: {paths: [/a.B/Erase]}}]}, {to: [{operation: {paths: [/a.B/Drop]}}]}]",
    )
    allow = policy("allow", "rules: [{to: [{operation: {paths: [/a.B/C]}}]}, {to: [{operation: {paths: [/x.Y/*]}}]}]")
    policies = policy_set(deny + allow)
    decisions = {path: policies.evaluate("risk", P + "payments", path) for path in ("/a.B/Drop", "/x.Y/Z", "/q.R/S")}
    assert decisions["/a.B/Drop"] == Decision(False, "fintech/deny", 1, "denied by fintech/deny rule 1")
    assert decisions["/x.Y/Z"] == Decision(True, "fintech/allow", 1, "allowed by fintech/allow rule 1")
    assert decisions["/q.R/S"] == Decision(False, None, None, "no ALLOW policy of risk matches")
    assert policies.evaluate("ml", P + "payments", "/q.R/S") == Decision(
        True, None, None, "no ALLOW policy applies to ml"
    )


def test_policies_bound_to_waypoints_or_gateways_do_not_apply():
    for target in ("targetRef: {kind: Gateway, name: edge}", "targetRefs: [{kind: Service, name: risk}]"):
        text = policy("bound", f"action: DENY\n{target}\nrules: [{{}}]", selector="")
        assert policy_set(text).for_workload("risk") == []
        assert policy_set(text).policies[0].targeted


def test_a_policy_without_a_namespace_is_in_default(tmp_path: Path):
    text = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p}\nspec: {rules: [{}]}\n"
    (tmp_path / "p.yaml").write_text(text)
    loaded = PolicySet.load(tmp_path, namespace="other")
    assert loaded.namespace == "other"
    [only] = loaded.policies
    assert (only.namespace, only.id, only.source, only.action, only.selector) == (
        "default",
        "default/p",
        tmp_path / "p.yaml",
        "ALLOW",
        None,
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("metadata: {namespace: fintech}\nspec: {}", "None: AuthorizationPolicy without metadata.name"),
        ("metadata: {name: p}\nspec: {rules: allow-all}", "None: p: spec.rules must be a list of rules"),
        ("metadata: {name: p}\nspec: {rules: [{}, allow]}", "None: p: spec.rules must be a list of rules"),
    ],
)
def test_malformed_policies_are_refused(spec: str, message: str):
    with pytest.raises(ValueError) as refused:
        Policy.from_resource(yaml.safe_load(f"kind: AuthorizationPolicy\n{spec}"))
    assert str(refused.value) == message
