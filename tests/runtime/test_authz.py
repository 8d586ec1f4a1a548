"""Policy evaluation as Istio does it, and the shipped istio/ policies: valid, complete, least privilege."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from google.api import annotations_pb2

from services.runtime.authz import Policy, PolicySet
from services.runtime.config import ROOT, SERVICES
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
    ("customer", "risk", "/fintech.risk.v1.RegulatoryComplianceService/ScreenParty"),
    ("risk", "ml", "/fintech.ml.v1.ModelServingService/Predict"),
    ("risk", "features", "/fintech.features.v1.FeatureStoreService/RetrieveOnlineFeatures"),
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
                for path in entry["operation"]["paths"]:
                    assert path in known_paths, (policy.name, path)
                    if path in methods(contracts):
                        assert methods(contracts)[path][0] == policy.name, (policy.name, path)


def expected_allowed(caller: str, callee: str, path: str, rpcs: dict[str, tuple[str, bool]]) -> bool:
    if path.startswith("/grpc.health.v1.Health/"):
        return caller in WORKLOADS
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
