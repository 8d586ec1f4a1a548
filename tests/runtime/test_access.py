"""End-user access (services/runtime/access.py): who calls, whether their role may call the RPC, whose
resources they reach, and the security event every refusal leaves (one log line and a counter).

The interceptor runs in a real grpc.aio server on 127.0.0.1 in cluster mode, where the caller's workload
comes from the `x-forwarded-client-cert` header the sidecar would set; tokens are signed with a key of
the test's own (the dev issuer's code, in a temporary state directory).
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import jwt
import pytest
import structlog
from cryptography.hazmat.primitives.asymmetric import rsa
from fintech.common.v1 import access_pb2
from fintech.customer.v1 import customer_onboarding_service_pb2  # noqa: F401 - loads the contract's descriptors
from fintech.payments.v1 import payment_initiation_service_pb2  # noqa: F401 - loads the contract's descriptors
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from prometheus_client import REGISTRY

from services.runtime import access
from services.runtime.access import (
    ADMIN,
    COMPLIANCE_OFFICER,
    CUSTOMER,
    MODEL_RISK,
    RISK_OFFICER,
    ROLES,
    TELLER,
    AccessControl,
    InvalidClaims,
    Kind,
    Principal,
    Rule,
    actor,
    bind,
    caller,
    check_role,
    decode_claims,
    denied,
    principal_from_claims,
    require_owner,
    require_owner_of_any,
    role_name,
    rule_for,
    scoped_customer,
    unknown,
    verify_token,
)
from services.runtime.call_pipeline import CallPipeline
from services.runtime.config import EdgeSettings, MeshSettings, Settings
from services.runtime.errors import Code, NotFound, PermissionDenied, Unauthenticated
from tools.edge.tokens import ensure_signing_key, issue_token, jwks_document, key_id

SERVICE = "fintech.payments.v1.PaymentInitiationService"
RETRIEVE = f"/{SERVICE}/RetrievePayment"  # customer, teller, risk officer, admin; customers their own; operator read
CONTROL = f"/{SERVICE}/ControlPayment"  # risk officers only
VERIFICATION = "/fintech.customer.v1.CustomerOnboardingService/RetrieveCustomerVerification"  # internal: no rule
SA = "spiffe://cluster.local/ns/fintech/sa/"
RETRIEVE_RULE = Rule(frozenset({CUSTOMER, TELLER, RISK_OFFICER, ADMIN}), frozenset({CUSTOMER}), operator_read=True)
# A rule that limits both customers and tellers to their own (as the customer directory's reads do).
BOTH_SCOPED = Rule(frozenset({CUSTOMER, TELLER, ADMIN}), frozenset({CUSTOMER, TELLER}))


def xfcc(workload: str, domain: str = "cluster.local") -> tuple[str, str]:
    return "x-forwarded-client-cert", f"By={SA}payments;URI=spiffe://{domain}/ns/fintech/sa/{workload}"


def payload(claims: object) -> str:
    """An `x-jwt-payload` value as Envoy forwards it: base64url JSON without padding."""
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")


def denials(reason: str, principal: str, method: str = "RetrievePayment", service: str = "PaymentInitiationService"):
    labels = {"service": service, "method": method, "principal": principal, "reason": reason}
    return REGISTRY.get_sample_value("fintech_access_denied_total", labels) or 0.0


def security_events(logs: list[dict]) -> list[dict]:
    return [{k: v for k, v in entry.items() if k != "log_level"} for entry in logs if entry["event"] == "access.denied"]


@pytest.fixture(autouse=True)
def unbound() -> Iterator[None]:
    yield
    bind(None)


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("access-state")


@pytest.fixture(scope="module")
def settings(state: Path) -> Settings:
    """Cluster mode (the caller's workload from x-forwarded-client-cert); the issuer's JWKS in `state`."""
    settings = Settings(mesh=MeshSettings(mode="cluster", state_dir=state), edge=EdgeSettings(jwks_file=""))
    issue_token(settings, "warm-up")  # creates the signing key and <state>/edge/jwks.json
    return settings


# ---------------------------------------------------------------------------------------------- pure rules


def test_role_names_as_the_roles_claim_spells_them():
    assert role_name(access_pb2.ROLE_RISK_OFFICER) == "risk_officer"
    assert role_name(access_pb2.ROLE_CUSTOMER) == "customer"
    assert {"customer", "teller", "risk_officer", "compliance_officer", "model_risk", "admin"} == ROLES
    assert (CUSTOMER, TELLER, RISK_OFFICER, COMPLIANCE_OFFICER, MODEL_RISK, ADMIN) == (
        "customer",
        "teller",
        "risk_officer",
        "compliance_officer",
        "model_risk",
        "admin",
    )


def test_principal_roles_and_kinds():
    teller = Principal("t-1", frozenset({TELLER, ADMIN}))
    assert teller.has(TELLER) and teller.has(CUSTOMER, ADMIN)
    assert not teller.has(CUSTOMER) and not teller.has()
    assert (teller.kind, teller.customer_id, teller.branch_id, teller.workload) == (Kind.USER, "", "", "")
    assert (teller.operator, teller.service) == (False, False)
    assert (Principal("cli", kind=Kind.OPERATOR).operator, Principal("cli", kind=Kind.OPERATOR).service) == (
        True,
        False,
    )
    assert (Principal("risk", kind=Kind.SERVICE).operator, Principal("risk", kind=Kind.SERVICE).service) == (
        False,
        True,
    )


def test_rule_from_the_contract_option():
    declared = access_pb2.AccessRule(
        roles=[access_pb2.ROLE_CUSTOMER, access_pb2.ROLE_TELLER], owner_scoped=[access_pb2.ROLE_CUSTOMER]
    )
    assert Rule.from_proto(declared) == Rule(frozenset({CUSTOMER, TELLER}), frozenset({CUSTOMER}), False)
    assert Rule.from_proto(access_pb2.AccessRule(roles=[access_pb2.ROLE_ADMIN], operator_read=True)) == Rule(
        frozenset({ADMIN}), frozenset(), True
    )


@pytest.mark.parametrize(
    ("who", "unscoped"),
    [
        (Principal("cli", kind=Kind.OPERATOR), True),
        (Principal("risk", kind=Kind.SERVICE), True),
        (Principal("c-1", frozenset({CUSTOMER}), customer_id="c-1"), False),  # owner-scoped
        (Principal("t-1", frozenset({TELLER})), True),  # granted, not scoped
        (Principal("x-1", frozenset({CUSTOMER, ADMIN})), True),  # one unscoped role is enough
        (Principal("m-1", frozenset({MODEL_RISK})), False),  # not granted at all
        (Principal("nobody"), False),
    ],
)
def test_who_reaches_every_resource(who: Principal, unscoped: bool):
    assert RETRIEVE_RULE.unscoped(who) is unscoped


def test_rules_of_the_contracts():
    assert rule_for(RETRIEVE) == RETRIEVE_RULE
    assert rule_for(CONTROL) == Rule(frozenset({RISK_OFFICER}))
    assert rule_for(VERIFICATION) is None  # internal: the mesh policy alone decides
    assert rule_for("/grpc.health.v1.Health/Check") is None
    assert rule_for("/no.such.Service/Method") is None
    with pytest.raises(LookupError, match="^/fintech.nowhere.v1.Gone/Do: its generated module is not loaded"):
        rule_for("/fintech.nowhere.v1.Gone/Do")


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"sub": "u-1"}, Principal("u-1", workload="w")),
        (
            {"sub": "u-1", "roles": ["customer", "root", 7, "teller"], "customer_id": "c-1", "branch_id": "b-1"},
            Principal("u-1", frozenset({CUSTOMER, TELLER}), "c-1", "b-1", workload="w"),
        ),
        ({"sub": "u-1", "roles": "teller  admin root"}, Principal("u-1", frozenset({TELLER, ADMIN}), workload="w")),
        (  # Keycloak's realm roles add to `roles`
            {"sub": "u-1", "roles": ["admin"], "realm_access": {"roles": ["teller", "offline_access"]}},
            Principal("u-1", frozenset({ADMIN, TELLER}), workload="w"),
        ),
        (
            {"sub": "u-1", "roles": "admin", "realm_access": {"roles": ["teller"]}},
            Principal("u-1", frozenset({ADMIN, TELLER}), workload="w"),
        ),
        (
            {"sub": "u-1", "realm_access": {"roles": ["model_risk"]}},
            Principal("u-1", frozenset({MODEL_RISK}), workload="w"),
        ),
        ({"sub": "u-1", "realm_access": ["teller"]}, Principal("u-1", workload="w")),  # not Keycloak's shape
        ({"sub": "u-1", "realm_access": {"roles": "teller"}}, Principal("u-1", workload="w")),
        ({"sub": "u-1", "customer_id": 42, "branch_id": ["b"]}, Principal("u-1", workload="w")),  # not strings
    ],
)
def test_principal_from_claims(claims: dict, expected: Principal):
    assert principal_from_claims(claims, "w") == expected


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (["sub", "u-1"], "the token has no subject"),
        ({"roles": ["admin"]}, "the token has no subject"),
        ({"sub": ""}, "the token has no subject"),
        ({"sub": 7}, "the token has no subject"),
        ({"sub": "u-1", "roles": {"admin": True}}, "roles must be a list"),
        ({"sub": "u-1", "roles": None}, "roles must be a list"),
    ],
)
def test_invalid_claims_are_refused(claims: object, message: str):
    with pytest.raises(InvalidClaims) as refused:
        principal_from_claims(claims, "w")
    assert str(refused.value) == message


@pytest.mark.parametrize("sub", ["a", "ab", "abc", "abcd"])  # every length of the missing padding
def test_decode_forwarded_claims(sub: str):
    assert decode_claims(payload({"sub": sub, "roles": ["teller"]})) == Principal(
        sub, frozenset({TELLER}), workload="edge-gateway"
    )
    assert decode_claims(payload({"sub": sub}), "cli").workload == "cli"


def test_every_length_of_forwarded_claims_decodes():
    """Envoy strips the base64 padding; whatever the length, it is restored."""
    for length in range(1, 40):
        assert decode_claims(payload({"sub": "u" * length})).subject == "u" * length


@pytest.mark.parametrize("value", ["%%%", base64.urlsafe_b64encode(b"not json").decode(), "", payload([1, 2])])
def test_unreadable_forwarded_claims(value: str):
    with pytest.raises(InvalidClaims):
        decode_claims(value)


def test_an_unreadable_payload_says_what_it_is_not():
    with pytest.raises(InvalidClaims, match="^x-jwt-payload is not base64url JSON$"):
        decode_claims("%%%")
    with pytest.raises(InvalidClaims, match="^x-jwt-payload is not base64url JSON$"):
        decode_claims(base64.urlsafe_b64encode(b"{").decode())


# ------------------------------------------------------------------------------------------ bearer tokens


def _sign(settings: Settings, claims: dict, headers: dict | None = None, key=None, algorithm: str = "RS256") -> str:
    private, kid = ensure_signing_key(settings)
    now = int(time.time())
    body = {"iss": settings.edge.issuer, "aud": settings.edge.audience, "iat": now, "exp": now + 300, **claims}
    return jwt.encode(body, key or private, algorithm=algorithm, headers={"kid": kid} if headers is None else headers)


def test_a_valid_bearer_token_gives_its_claims(settings: Settings):
    claims = verify_token(issue_token(settings, "ops-1", roles=["admin"]), settings)
    assert (claims["sub"], claims["roles"], claims["iss"], claims["aud"]) == (
        "ops-1",
        ["admin"],
        settings.edge.issuer,
        settings.edge.audience,
    )


def test_the_configured_jwks_file_is_the_one_read(settings: Settings, tmp_path: Path):
    copy = tmp_path / "keys.json"
    copy.write_text((settings.state_dir / "edge" / "jwks.json").read_text())
    elsewhere = Settings(mesh=MeshSettings(state_dir=tmp_path / "none"), edge=EdgeSettings(jwks_file=str(copy)))
    assert verify_token(issue_token(settings, "ops-1"), elsewhere)["sub"] == "ops-1"
    missing = Settings(
        mesh=MeshSettings(state_dir=settings.state_dir), edge=EdgeSettings(jwks_file=str(tmp_path / "x"))
    )
    with pytest.raises(Unauthenticated, match="^the bearer token is not valid: FileNotFoundError$"):
        verify_token(issue_token(settings, "ops-1"), missing)


def test_a_replaced_jwks_file_is_read_again(settings: Settings, tmp_path: Path):
    path = tmp_path / "jwks.json"
    configured = Settings(mesh=MeshSettings(state_dir=tmp_path), edge=EdgeSettings(jwks_file=str(path)))
    path.write_text((settings.state_dir / "edge" / "jwks.json").read_text())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert verify_token(issue_token(settings, "before"), configured)["sub"] == "before"
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = key_id(rotated.public_key())
    path.write_text(json.dumps(jwks_document(rotated.public_key(), kid)))
    os.utime(path, ns=(2_000_000_000, 2_000_000_000))
    token = _sign(configured, {"sub": "after"}, headers={"kid": kid}, key=rotated)
    assert verify_token(token, configured)["sub"] == "after"
    with pytest.raises(Unauthenticated, match="KeyError$"):  # the old key is gone
        verify_token(issue_token(settings, "before"), configured)


def test_a_token_without_a_kid_picks_no_key_but_one_whose_kid_is_empty(settings: Settings, tmp_path: Path):
    """A token names its key: without a `kid` header it is looked up as kid "", never as a key that has none."""
    private, kid = ensure_signing_key(settings)
    [jwk] = json.loads((settings.state_dir / "edge" / "jwks.json").read_text())["keys"]
    path = tmp_path / "jwks.json"
    configured = Settings(mesh=MeshSettings(state_dir=tmp_path), edge=EdgeSettings(jwks_file=str(path)))
    no_kid = _sign(settings, {"sub": "ops-1"}, headers={})
    path.write_text(json.dumps({"keys": [{k: v for k, v in jwk.items() if k != "kid"}]}))
    with pytest.raises(Unauthenticated, match="^the bearer token is not valid: KeyError$"):
        verify_token(no_kid, configured)
    path.write_text(json.dumps({"keys": [{**jwk, "kid": ""}]}))
    os.utime(path, ns=(3_000_000_000, 3_000_000_000))
    assert verify_token(no_kid, configured)["sub"] == "ops-1"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"aud": "another-api"}, "InvalidAudienceError"),
        ({"iss": "https://someone.else"}, "InvalidIssuerError"),
        ({"exp": 1_000_000}, "ExpiredSignatureError"),
        ({"kid": "unknown"}, "KeyError"),
        ({"kid": None}, "KeyError"),  # no kid header at all
        ({"key": "another"}, "InvalidSignatureError"),
        ({"algorithm": "HS256"}, "InvalidAlgorithmError"),
    ],
)
def test_invalid_bearer_tokens_are_unauthenticated(settings: Settings, change: dict, error: str):
    _, kid = ensure_signing_key(settings)
    claims = {"sub": "ops-1", **{k: v for k, v in change.items() if k in ("aud", "iss", "exp")}}
    headers = {"kid": change.get("kid", kid)} if change.get("kid", kid) is not None else {}
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if "key" in change else None
    if change.get("algorithm") == "HS256":
        key = "a shared secret that is long enough for HS256 keys"
    token = _sign(settings, claims, headers=headers, key=key, algorithm=change.get("algorithm", "RS256"))
    with pytest.raises(Unauthenticated) as refused:
        verify_token(token, settings)
    assert refused.value.message == f"the bearer token is not valid: {error}"
    assert refused.value.code == Code.UNAUTHENTICATED


def test_garbage_is_not_a_token(settings: Settings):
    with pytest.raises(Unauthenticated, match="^the bearer token is not valid: DecodeError$"):
        verify_token("not-a-jwt", settings)


# ------------------------------------------------------------------------------- role rule and ownership


def test_check_role():
    method = CONTROL
    check_role(Rule(frozenset({RISK_OFFICER})), Principal("risk", kind=Kind.SERVICE), method)  # the mesh decided
    check_role(RETRIEVE_RULE, Principal("cli", kind=Kind.OPERATOR), RETRIEVE)  # operator read
    check_role(Rule(frozenset({RISK_OFFICER})), Principal("r-1", frozenset({RISK_OFFICER, TELLER})), method)


@pytest.mark.parametrize(
    ("who", "error", "message", "reason"),
    [
        (None, Unauthenticated, "this call needs an end user's token", "no_user"),
        (
            Principal("cli", kind=Kind.OPERATOR, workload="cli"),
            PermissionDenied,
            f"{CONTROL} needs a staff member's token; the operator's tool alone may only read",
            "operator_needs_person",
        ),
        (
            Principal("t-1", frozenset({TELLER, ADMIN}), workload="edge-gateway"),
            PermissionDenied,
            f"{CONTROL} is not open to the caller's roles",
            "role",
        ),
        (
            Principal("nobody", workload="edge-gateway"),
            PermissionDenied,
            f"{CONTROL} is not open to the caller's roles",
            "role",
        ),
    ],
)
def test_check_role_refusals_are_security_events(who, error, message, reason):
    principal = who.subject if who else "anonymous"
    before = denials(reason, principal, "ControlPayment")
    with structlog.testing.capture_logs() as logs, pytest.raises(error) as refused:
        check_role(Rule(frozenset({RISK_OFFICER})), who, CONTROL)
    assert refused.value.message == message
    assert denials(reason, principal, "ControlPayment") == before + 1
    assert security_events(logs) == [
        {
            "event": "access.denied",
            "method": CONTROL,
            "principal": principal,
            "workload": who.workload if who else None,
            "roles": sorted(who.roles) if who else [],
            "reason": reason,
        }
    ]


def test_denied_names_the_bound_rpc_and_sorts_roles():
    who = Principal("t-9", frozenset({TELLER, ADMIN, CUSTOMER}), workload="edge-gateway")
    bind(who, RETRIEVE_RULE, RETRIEVE)
    before = denials("ownership", "t-9")
    with structlog.testing.capture_logs() as logs:
        denied(who, "ownership")
    assert denials("ownership", "t-9") == before + 1
    assert security_events(logs) == [
        {
            "event": "access.denied",
            "method": RETRIEVE,
            "principal": "t-9",
            "workload": "edge-gateway",
            "roles": ["admin", "customer", "teller"],
            "reason": "ownership",
        }
    ]
    bind(who, RETRIEVE_RULE)  # bound anew, outside an RPC: the previous RPC is forgotten
    with structlog.testing.capture_logs() as logs:
        denied(who, "ownership")
    assert [e["method"] for e in security_events(logs)] == [""]
    before = denials("test", "anonymous", "Do", "Svc")
    denied(None, "test", "/Svc/Do")  # an explicit method wins; a service without a package keeps its name
    assert denials("test", "anonymous", "Do", "Svc") == before + 1


def test_caller_needs_the_interceptor():
    with pytest.raises(RuntimeError, match="^no caller bound: AccessControl is not installed on this server$"):
        caller()
    who = Principal("u-1", frozenset({CUSTOMER}), customer_id="c-1")
    bind(who, RETRIEVE_RULE, RETRIEVE)
    assert caller() is who
    bind(None)
    with pytest.raises(RuntimeError):
        caller()


CUSTOMER_1 = Principal("u-1", frozenset({CUSTOMER}), customer_id="c-1", workload="edge-gateway")
NO_CUSTOMER_ID = Principal("u-2", frozenset({CUSTOMER}), workload="edge-gateway")
TELLER_B1 = Principal("t-1", frozenset({TELLER}), branch_id="b-1", workload="edge-gateway")
TELLER_NO_BRANCH = Principal("t-2", frozenset({TELLER}), workload="edge-gateway")
TELLER_WITH_CUSTOMER_ID = Principal("t-3", frozenset({TELLER}), customer_id="c-1", branch_id="b-1")
BOTH = Principal("u-3", frozenset({CUSTOMER, TELLER}), customer_id="c-1", branch_id="b-1")


@pytest.mark.parametrize(
    ("who", "rule", "owner", "branch", "allowed"),
    [
        (CUSTOMER_1, RETRIEVE_RULE, "c-1", None, True),
        (CUSTOMER_1, RETRIEVE_RULE, "c-2", None, False),
        (CUSTOMER_1, RETRIEVE_RULE, "c-2", "b-1", False),
        (NO_CUSTOMER_ID, RETRIEVE_RULE, "", None, False),  # no claim owns nothing, not the ownerless
        (TELLER_B1, RETRIEVE_RULE, "c-2", "b-9", True),  # tellers reach every payment
        (TELLER_B1, BOTH_SCOPED, "c-2", "b-1", True),  # their branch's customer
        (TELLER_B1, BOTH_SCOPED, "c-2", "b-2", False),
        (TELLER_B1, BOTH_SCOPED, "c-2", None, False),  # a resource without a branch
        (TELLER_NO_BRANCH, BOTH_SCOPED, "c-2", "", False),
        (TELLER_WITH_CUSTOMER_ID, BOTH_SCOPED, "c-1", "b-2", False),  # customer_id counts for customers only
        (BOTH, BOTH_SCOPED, "c-9", "b-1", True),
        (BOTH, BOTH_SCOPED, "c-1", "b-9", True),
        (BOTH, BOTH_SCOPED, "c-9", "b-9", False),
        (Principal("cli", kind=Kind.OPERATOR), BOTH_SCOPED, "c-9", None, True),
        (Principal("risk", kind=Kind.SERVICE), BOTH_SCOPED, "c-9", None, True),
    ],
)
def test_require_owner(who: Principal, rule: Rule, owner: str, branch: str | None, allowed: bool):
    bind(who, rule, RETRIEVE)
    before = denials("ownership", who.subject)
    if allowed:
        require_owner(owner, branch)
        assert denials("ownership", who.subject) == before
        return
    with structlog.testing.capture_logs() as logs, pytest.raises(PermissionDenied) as refused:
        require_owner(owner, branch)
    assert refused.value.message == "the caller may not access this resource, or it does not exist"
    assert refused.value.code == Code.PERMISSION_DENIED
    assert denials("ownership", who.subject) == before + 1
    assert [(e["principal"], e["reason"], e["method"]) for e in security_events(logs)] == [
        (who.subject, "ownership", RETRIEVE)
    ]


def test_background_work_and_rpcs_without_a_rule_are_not_scoped():
    require_owner("c-9")  # nothing bound: background work
    require_owner_of_any(["c-9"])
    assert scoped_customer() is None
    error = NotFound("payment p-1 not found")
    assert unknown(error) is error
    bind(CUSTOMER_1, None, VERIFICATION)  # an RPC without a rule
    require_owner("c-9")
    require_owner_of_any([])
    assert scoped_customer() is None
    assert unknown(error) is error


@pytest.mark.parametrize(
    ("who", "owners", "allowed"),
    [
        (CUSTOMER_1, ["c-2", "c-1"], True),
        (CUSTOMER_1, ["c-2", "c-3"], False),
        (CUSTOMER_1, [], False),
        (NO_CUSTOMER_ID, ["", "c-2"], False),
        (TELLER_WITH_CUSTOMER_ID, ["c-1"], False),  # a scoped teller owns no payment
        (Principal("r-1", frozenset({RISK_OFFICER, CUSTOMER}), customer_id="c-1"), ["c-9"], True),  # unscoped
    ],
)
def test_require_owner_of_any(who: Principal, owners: list[str], allowed: bool):
    bind(who, Rule(RETRIEVE_RULE.roles, frozenset({CUSTOMER, TELLER})), RETRIEVE)
    before = denials("ownership", who.subject)
    if allowed:
        require_owner_of_any(owners)
        assert denials("ownership", who.subject) == before
        return
    with pytest.raises(PermissionDenied, match="^the caller may not access this resource, or it does not exist$"):
        require_owner_of_any(owners)
    assert denials("ownership", who.subject) == before + 1


def test_unknown_looks_like_another_customers_to_a_scoped_caller():
    error = NotFound("payment p-1 not found")
    bind(TELLER_B1, RETRIEVE_RULE, RETRIEVE)
    assert unknown(error) is error  # tellers may learn that it does not exist
    bind(CUSTOMER_1, RETRIEVE_RULE, RETRIEVE)
    before = denials("ownership", "u-1")
    with structlog.testing.capture_logs() as logs:
        refusal = unknown(error)
    assert isinstance(refusal, PermissionDenied)
    assert refusal.message == "the caller may not access this resource, or it does not exist"
    assert denials("ownership", "u-1") == before + 1
    assert [(e["principal"], e["reason"]) for e in security_events(logs)] == [("u-1", "ownership")]


@pytest.mark.parametrize(
    ("who", "rule", "expected"),
    [
        (CUSTOMER_1, RETRIEVE_RULE, "c-1"),
        (NO_CUSTOMER_ID, RETRIEVE_RULE, ""),
        (TELLER_B1, BOTH_SCOPED, ""),  # limited, but not to a customer
        (TELLER_WITH_CUSTOMER_ID, BOTH_SCOPED, ""),  # a customer id counts for customers only
        (TELLER_B1, RETRIEVE_RULE, None),
        (Principal("cli", kind=Kind.OPERATOR), RETRIEVE_RULE, None),
    ],
)
def test_scoped_customer(who: Principal, rule: Rule, expected: str | None):
    bind(who, rule, RETRIEVE)
    assert scoped_customer() == expected


# ---------------------------------------------------------------------------------- the interceptor


def _describe(who: Principal | None) -> dict | None:
    if who is None:
        return None
    return {
        "subject": who.subject,
        "roles": sorted(who.roles),
        "customer_id": who.customer_id,
        "branch_id": who.branch_id,
        "kind": who.kind.value,
        "workload": who.workload,
    }


class Handler:
    """Answers with what the handler sees: the bound caller, the audit actor, the customer scope."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.calls = 0

    async def __call__(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        self.calls += 1
        if request.startswith(b"owner:"):  # the resource found belongs to this customer
            require_owner(request.removeprefix(b"owner:").decode())
        try:
            who = caller()
        except RuntimeError:
            who = None
        seen = {"caller": _describe(who), "actor": actor(context, self.settings), "scoped": scoped_customer()}
        return json.dumps(seen).encode()


@pytest.fixture(scope="module")
async def server(settings: Settings):
    handler = Handler(settings)
    server = grpc.aio.server(interceptors=[CallPipeline("payments"), AccessControl(settings)])
    methods = {"RetrievePayment": handler, "ControlPayment": handler}
    server.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                SERVICE, {name: grpc.unary_unary_rpc_method_handler(h) for name, h in methods.items()}
            ),
            grpc.method_handlers_generic_handler(
                "fintech.customer.v1.CustomerOnboardingService",
                {"RetrieveCustomerVerification": grpc.unary_unary_rpc_method_handler(handler)},
            ),
        ]
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield handler, channel
    await server.stop(None)


async def _call(server, method: str, *metadata: tuple[str, str], request: bytes = b"") -> dict:
    _, channel = server
    response = await channel.unary_unary(method)(request, metadata=metadata, timeout=5)
    return json.loads(response)


async def _refused(
    server, method: str, *metadata: tuple[str, str], request: bytes = b"", runs: int = 0
) -> tuple[grpc.StatusCode, str, str]:
    """The refusal's code, message and ErrorInfo reason; `runs`: 1 when the handler itself refuses."""
    handler, channel = server
    calls = handler.calls
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await channel.unary_unary(method)(request, metadata=metadata, timeout=5)
    assert handler.calls == calls + runs
    reasons = []
    for detail in rpc_status.from_call(refused.value).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reasons.append(info.reason)
    assert len(reasons) == 1
    return refused.value.code(), refused.value.details(), reasons[0]


async def test_a_customer_through_the_edge(server):
    claims = {"sub": "u-1", "roles": ["customer"], "customer_id": "c-1", "branch_id": "b-1"}
    seen = await _call(server, RETRIEVE, xfcc("edge-gateway"), ("x-jwt-payload", payload(claims)))
    assert seen == {
        "caller": {
            "subject": "u-1",
            "roles": ["customer"],
            "customer_id": "c-1",
            "branch_id": "b-1",
            "kind": "user",
            "workload": "edge-gateway",
        },
        "actor": "user:u-1",
        "scoped": "c-1",
    }


async def test_the_handler_checks_the_owner_of_what_it_found(server):
    customer = (
        xfcc("edge-gateway"),
        ("x-jwt-payload", payload({"sub": "u-1", "roles": ["customer"], "customer_id": "c-1"})),
    )
    assert (await _call(server, RETRIEVE, *customer, request=b"owner:c-1"))["scoped"] == "c-1"
    before = denials("ownership", "u-1")
    with structlog.testing.capture_logs() as logs:
        refusal = await _refused(server, RETRIEVE, *customer, request=b"owner:c-2", runs=1)
    assert refusal == (
        grpc.StatusCode.PERMISSION_DENIED,
        "the caller may not access this resource, or it does not exist",
        "ACCESS_DENIED",
    )
    assert denials("ownership", "u-1") == before + 1
    assert [(e["method"], e["principal"], e["reason"]) for e in security_events(logs)] == [
        (RETRIEVE, "u-1", "ownership")
    ]


async def test_the_edge_without_exactly_one_user_is_unauthenticated(server, settings):
    one = payload({"sub": "u-1", "roles": ["customer"]})
    for extra in [(), (("x-jwt-payload", one), ("x-jwt-payload", one))]:
        before = denials("no_user", "anonymous")
        with structlog.testing.capture_logs() as logs:
            refusal = await _refused(server, RETRIEVE, xfcc("edge-gateway"), *extra)
        assert refusal == (grpc.StatusCode.UNAUTHENTICATED, "this call needs an end user's token", "UNAUTHENTICATED")
        assert denials("no_user", "anonymous") == before + 1
        assert security_events(logs) == [
            {
                "event": "access.denied",
                "method": RETRIEVE,
                "principal": "anonymous",
                "workload": None,
                "roles": [],
                "reason": "no_user",
            }
        ]


async def test_unreadable_forwarded_claims_are_an_invalid_token(server):
    for value in ["%%%", payload({"roles": ["admin"]})]:
        before = denials("invalid_token", "anonymous")
        refusal = await _refused(server, RETRIEVE, xfcc("edge-gateway"), ("x-jwt-payload", value))
        assert refusal == (
            grpc.StatusCode.UNAUTHENTICATED,
            "the forwarded token claims cannot be read",
            "UNAUTHENTICATED",
        )
        assert denials("invalid_token", "anonymous") == before + 1


async def test_a_role_outside_the_rule_is_denied(server):
    claims = {"sub": "u-1", "roles": ["customer", "teller"]}
    before = denials("role", "u-1", "ControlPayment")
    refusal = await _refused(server, CONTROL, xfcc("edge-gateway"), ("x-jwt-payload", payload(claims)))
    assert refusal == (
        grpc.StatusCode.PERMISSION_DENIED,
        f"{CONTROL} is not open to the caller's roles",
        "ACCESS_DENIED",
    )
    assert denials("role", "u-1", "ControlPayment") == before + 1


async def test_the_operators_tool_alone_may_only_read(server):
    seen = await _call(server, RETRIEVE, xfcc("cli"), ("authorization", "Basic b3A6cHc="))
    assert seen == {
        "caller": {
            "subject": "cli",
            "roles": [],
            "customer_id": "",
            "branch_id": "",
            "kind": "operator",
            "workload": "cli",
        },
        "actor": SA + "cli",
        "scoped": None,
    }
    before = denials("operator_needs_person", "cli", "ControlPayment")
    refusal = await _refused(server, CONTROL, xfcc("cli"))
    assert refusal == (
        grpc.StatusCode.PERMISSION_DENIED,
        f"{CONTROL} needs a staff member's token; the operator's tool alone may only read",
        "ACCESS_DENIED",
    )
    assert denials("operator_needs_person", "cli", "ControlPayment") == before + 1


@pytest.mark.parametrize("scheme", ["Bearer ", "bearer ", "BEARER  "])
async def test_a_person_through_the_operators_tool(server, settings, scheme: str):
    token = issue_token(settings, "r-1", roles=["risk_officer"], branch_id="b-7")
    seen = await _call(server, CONTROL, xfcc("cli"), ("authorization", f"{scheme}{token} "))
    assert seen == {
        "caller": {
            "subject": "r-1",
            "roles": ["risk_officer"],
            "customer_id": "",
            "branch_id": "b-7",
            "kind": "user",
            "workload": "cli",
        },
        "actor": "user:r-1",
        "scoped": None,
    }


async def test_an_invalid_bearer_token_is_unauthenticated(server, settings):
    before = denials("invalid_token", "anonymous", "ControlPayment")
    expired = issue_token(settings, "r-1", ttl=-60, roles=["risk_officer"])
    refusal = await _refused(server, CONTROL, xfcc("cli"), ("authorization", f"Bearer {expired}"))
    assert refusal == (
        grpc.StatusCode.UNAUTHENTICATED,
        "the bearer token is not valid: ExpiredSignatureError",
        "UNAUTHENTICATED",
    )
    no_subject = _sign(settings, {"sub": "", "roles": ["risk_officer"]})
    refusal = await _refused(server, CONTROL, xfcc("cli"), ("authorization", f"Bearer {no_subject}"))
    assert refusal == (grpc.StatusCode.UNAUTHENTICATED, "the bearer token has no subject", "UNAUTHENTICATED")
    assert denials("invalid_token", "anonymous", "ControlPayment") == before + 2


async def test_other_services_are_decided_by_the_mesh_alone(server):
    seen = await _call(server, CONTROL, xfcc("payments"), ("x-jwt-payload", payload({"sub": "u-1"})))
    assert seen == {
        "caller": {
            "subject": "payments",
            "roles": [],
            "customer_id": "",
            "branch_id": "",
            "kind": "service",
            "workload": "payments",
        },
        "actor": SA + "payments",
        "scoped": None,
    }


@pytest.mark.parametrize(
    "metadata",
    [
        (),  # no sidecar header: not a workload of this mesh
        (xfcc("edge-gateway", domain="other.domain"),),  # another trust domain's edge is not ours
    ],
)
async def test_a_caller_of_no_known_workload(server, metadata):
    seen = await _call(server, RETRIEVE, *metadata)
    assert seen["caller"] == {
        "subject": "unknown",
        "roles": [],
        "customer_id": "",
        "branch_id": "",
        "kind": "service",
        "workload": "",
    }
    assert seen["actor"] == ("unknown" if not metadata else "spiffe://other.domain/ns/fintech/sa/edge-gateway")


async def test_an_rpc_without_a_rule_needs_no_user_and_binds_none(server):
    assert await _call(server, VERIFICATION, xfcc("edge-gateway")) == {
        "caller": None,
        "actor": SA + "edge-gateway",
        "scoped": None,
    }
    claims = payload({"sub": "u-1", "roles": ["customer"], "customer_id": "c-1"})
    seen = await _call(server, VERIFICATION, xfcc("edge-gateway"), ("x-jwt-payload", claims))
    assert (seen["caller"]["subject"], seen["actor"], seen["scoped"]) == ("u-1", "user:u-1", None)


def test_module_exports():
    assert access.JWT_PAYLOAD_HEADER == "x-jwt-payload"
    assert access.AUTHORIZATION_HEADER == "authorization"
    assert (access.EDGE_WORKLOAD, access.OPERATOR_WORKLOAD) == ("edge-gateway", "cli")
