"""End-user access: who is calling, whether their role may call the RPC, and whose resources they reach.

The mesh policy (`authz.py`, istio/) decides which workloads may call an RPC. This module decides the
rest, from one declaration per public RPC in the contracts, `(fintech.common.v1.access)`:

    option (fintech.common.v1.access) = {roles: [ROLE_CUSTOMER, ROLE_TELLER], owner_scoped: [ROLE_CUSTOMER]};

`AccessControl` checks it for every call, after the mesh policy and before validation, admission and
the handler, and binds the caller (`caller()`) for the handler. Handlers then check the resource they
found, or failed to find, with `require_owner` / `unknown`: the one ownership rule of every domain.

Callers:
- an end user through the edge: the `edge-gateway` workload forwards the JWT claims it validated as
  `x-jwt-payload` (base64url JSON); trusted from the edge alone;
- a person through the operator's tool: the `cli` workload with `authorization: Bearer <token>`,
  verified here against the issuer's JWKS (issuer, audience, expiry): the same person as through the edge;
- the operator's tool alone (`cli`, no token): the RPCs marked `operator_read` only;
- another service of the mesh: no end user; the mesh policy alone decided.

Every refusal is a security event: one structured log line (caller, roles, RPC, reason; never the
request) and `fintech_access_denied_total`. Claims read: `sub`, `roles` (a list, a space-separated
string, or Keycloak's `realm_access.roles`), `customer_id`, `branch_id`. Unknown roles are dropped.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import json
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

import grpc
import jwt
import structlog
from fintech.common.v1 import access_pb2
from google.protobuf import descriptor_pool
from prometheus_client import Counter

from services.runtime.call_pipeline import Continuation, UnaryBehavior, wrap_unary
from services.runtime.config import Settings
from services.runtime.errors import NotFound, PermissionDenied, Unauthenticated
from services.runtime.grpc_types import Context, Handler
from services.runtime.identity import peer_identity

log = structlog.get_logger("security")

JWT_PAYLOAD_HEADER = "x-jwt-payload"
AUTHORIZATION_HEADER = "authorization"
EDGE_WORKLOAD = "edge-gateway"
OPERATOR_WORKLOAD = "cli"


def role_name(role: int) -> str:
    """`ROLE_RISK_OFFICER` -> `risk_officer`, as the token's `roles` claim spells it."""
    return access_pb2.Role.Name(role).removeprefix("ROLE_").lower()


ROLES = frozenset(role_name(value) for value in access_pb2.Role.values() if value)
CUSTOMER = role_name(access_pb2.ROLE_CUSTOMER)
TELLER = role_name(access_pb2.ROLE_TELLER)
RISK_OFFICER = role_name(access_pb2.ROLE_RISK_OFFICER)
COMPLIANCE_OFFICER = role_name(access_pb2.ROLE_COMPLIANCE_OFFICER)
MODEL_RISK = role_name(access_pb2.ROLE_MODEL_RISK)
ADMIN = role_name(access_pb2.ROLE_ADMIN)

ACCESS_DENIED = Counter(
    "fintech_access_denied_total",
    "Calls refused to their caller (security events), by RPC, caller and reason",
    ["service", "method", "principal", "reason"],
)


class Kind(Enum):
    USER = "user"  # a person: through the edge, or through cli with their own token
    OPERATOR = "operator"  # the cli workload without a person's token
    SERVICE = "service"  # another workload of the mesh


@dataclass(frozen=True)
class Principal:
    """Who is behind a call, as every access rule sees it."""

    subject: str
    roles: frozenset[str] = frozenset()
    customer_id: str = ""
    branch_id: str = ""
    kind: Kind = Kind.USER
    workload: str = ""  # the mesh workload the call came through

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def operator(self) -> bool:
        return self.kind is Kind.OPERATOR

    @property
    def service(self) -> bool:
        return self.kind is Kind.SERVICE


@dataclass(frozen=True)
class Rule:
    """An RPC's declared access: roles, the roles scoped to their own resources, operator reads."""

    roles: frozenset[str]
    owner_scoped: frozenset[str] = frozenset()
    operator_read: bool = False

    @classmethod
    def from_proto(cls, rule: access_pb2.AccessRule) -> Rule:
        return cls(
            frozenset(map(role_name, rule.roles)), frozenset(map(role_name, rule.owner_scoped)), rule.operator_read
        )

    def unscoped(self, who: Principal) -> bool:
        """`who` reaches every resource of the RPC (a role of theirs is granted and not owner-scoped)."""
        return who.operator or who.service or bool(who.roles & (self.roles - self.owner_scoped))


@lru_cache(maxsize=512)
def rule_for(method: str) -> Rule | None:
    """The declared rule of `/package.Service/Method`; None for RPCs without one (internal, health).

    A contract method whose generated module is not loaded raises LookupError: never read as "no rule".
    """
    try:
        descriptor = descriptor_pool.Default().FindMethodByName(method[1:].replace("/", "."))
    except KeyError:
        if method.startswith("/fintech."):
            raise LookupError(f"{method}: its generated module is not loaded, so its access rule is unknown") from None
        return None
    options = descriptor.GetOptions()
    # the generated stub types an extension as a plain FieldDescriptor, the protobuf stubs want its generic form
    if not options.HasExtension(access_pb2.access):  # type: ignore[arg-type]
        return None
    return Rule.from_proto(options.Extensions[access_pb2.access])  # type: ignore[index]


class InvalidClaims(ValueError):
    """The forwarded claims are not a JSON object with a subject."""


def principal_from_claims(claims: object, workload: str) -> Principal:
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidClaims("the token has no subject")
    roles = claims.get("roles", [])
    if isinstance(roles, str):
        roles = roles.split()
    realm = claims.get("realm_access")
    if isinstance(realm, dict) and isinstance(realm.get("roles"), list):
        roles = [*roles, *realm["roles"]]
    if not isinstance(roles, list):
        raise InvalidClaims("roles must be a list")
    customer_id, branch_id = claims.get("customer_id", ""), claims.get("branch_id", "")
    return Principal(
        subject=claims["sub"],
        roles=frozenset(r for r in roles if isinstance(r, str) and r in ROLES),
        customer_id=customer_id if isinstance(customer_id, str) else "",
        branch_id=branch_id if isinstance(branch_id, str) else "",
        workload=workload,
    )


def decode_claims(value: str, workload: str = EDGE_WORKLOAD) -> Principal:
    """The person of an `x-jwt-payload` header (base64url JSON, as Envoy's jwt_authn forwards it)."""
    try:
        claims = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError) as error:
        raise InvalidClaims("x-jwt-payload is not base64url JSON") from error
    return principal_from_claims(claims, workload)


def caller_workload(context: Context, settings: Settings) -> str | None:
    """The calling workload's name (`payments`, `edge-gateway`, `cli`), None when not of this mesh."""
    identity = peer_identity(context, settings.mesh.mode)
    prefix = settings.spiffe_id("")
    if identity is None or not identity.startswith(prefix):
        return None
    return identity.removeprefix(prefix) or None


def _metadata(context: Context, key: str) -> list[str]:
    return [
        value.decode() if isinstance(value, bytes) else value
        for item_key, value in (context.invocation_metadata() or ())
        if item_key == key
    ]


@lru_cache(maxsize=4)
def _jwks(path: Path, mtime_ns: int) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_json(path.read_text())


def verify_token(token: str, settings: Settings) -> dict[str, Any]:
    """The claims of a bearer token the issuer signed for this API; Unauthenticated otherwise."""
    path = settings.edge.jwks_file or settings.state_dir / "edge" / "jwks.json"
    try:
        keys = _jwks(Path(path), Path(path).stat().st_mtime_ns)
        key = keys[jwt.get_unverified_header(token).get("kid", "")]
        return jwt.decode(
            token, key.key, algorithms=["RS256"], audience=settings.edge.audience, issuer=settings.edge.issuer
        )
    except (OSError, KeyError, jwt.PyJWTError) as error:
        raise Unauthenticated(f"the bearer token is not valid: {type(error).__name__}") from None


def resolve(context: Context, settings: Settings) -> Principal | None:
    """The caller of this call; None when it came through the edge without a user (unauthenticated)."""
    workload = caller_workload(context, settings) or ""
    if workload == EDGE_WORKLOAD:
        payloads = _metadata(context, JWT_PAYLOAD_HEADER)
        if len(payloads) != 1:
            return None
        try:
            return decode_claims(payloads[0])
        except InvalidClaims:
            raise Unauthenticated("the forwarded token claims cannot be read") from None
    if workload == OPERATOR_WORKLOAD:
        bearer = [v for v in _metadata(context, AUTHORIZATION_HEADER) if v.lower().startswith("bearer ")]
        if not bearer:
            return Principal(OPERATOR_WORKLOAD, kind=Kind.OPERATOR, workload=workload)
        try:
            return principal_from_claims(verify_token(bearer[0][7:].strip(), settings), workload)
        except InvalidClaims:
            raise Unauthenticated("the bearer token has no subject") from None
    return Principal(workload or "unknown", kind=Kind.SERVICE, workload=workload)


_caller: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("caller", default=None)
_rule: contextvars.ContextVar[Rule | None] = contextvars.ContextVar("access_rule", default=None)
_method: contextvars.ContextVar[str] = contextvars.ContextVar("access_method", default="")


def caller() -> Principal:
    """The caller of the RPC being handled (bound by AccessControl before the handler runs)."""
    who = _caller.get()
    if who is None:
        raise RuntimeError("no caller bound: AccessControl is not installed on this server")
    return who


def actor(context: Context, settings: Settings) -> str:
    """Who acted, for audit trails: the person (`user:<sub>`) when there is one, else the calling
    workload's SPIFFE id (a service acting on its own, the operator's tool reading)."""
    who = _caller.get()
    if who is not None and who.kind is Kind.USER:
        return f"user:{who.subject}"
    return peer_identity(context, settings.mesh.mode) or "unknown"


def bind(who: Principal | None, rule: Rule | None = None, method: str = "") -> None:
    """Bind the caller (and rule and RPC) of the call being handled: AccessControl does, before the handler."""
    _caller.set(who)
    _rule.set(rule)
    _method.set(method)


def denied(who: Principal | None, reason: str, method: str | None = None) -> None:
    """Record a refusal as a security event: one log line and the denial counter. No request data."""
    method = method or _method.get()
    service, _, name = method[1:].partition("/")
    principal = who.subject if who else "anonymous"
    ACCESS_DENIED.labels(service.rsplit(".", 1)[-1], name, principal, reason).inc()
    log.warning(
        "access.denied",
        method=method,
        principal=principal,
        workload=who.workload if who else None,
        roles=sorted(who.roles) if who else [],
        reason=reason,
    )


def check_role(rule: Rule, who: Principal | None, method: str) -> None:
    """Raise unless `who` may call an RPC with `rule` at all (the role rule; ownership comes later)."""
    if who is None:
        denied(None, "no_user", method)
        raise Unauthenticated("this call needs an end user's token")
    if who.service:
        return
    if who.operator:
        if rule.operator_read:
            return
        denied(who, "operator_needs_person", method)
        raise PermissionDenied(f"{method} needs a staff member's token; the operator's tool alone may only read")
    if not who.roles & rule.roles:
        denied(who, "role", method)
        raise PermissionDenied(f"{method} is not open to the caller's roles")


def _scoped() -> tuple[Principal, frozenset[str]] | None:
    """The caller and their owner-scoped roles, when the RPC being handled limits them to their own;
    None when the caller reaches every resource (or no RPC with a rule is being handled: background work)."""
    who, rule = _caller.get(), _rule.get()
    if who is None or rule is None or rule.unscoped(who):
        return None
    return who, who.roles & rule.owner_scoped


def require_owner(customer_id: str, branch_id: str | None = None) -> None:
    """Ownership (ABAC): the caller's own customer, or a teller's own branch, unless their role reaches all.

    Call it with the owner of the resource found. A refusal reads the same as `unknown()` does for an
    owner-scoped caller, so whether an id exists cannot be probed.
    """
    if (scope := _scoped()) is None:
        return
    who, roles = scope
    if CUSTOMER in roles and who.customer_id and who.customer_id == customer_id:
        return
    if TELLER in roles and who.branch_id and branch_id is not None and who.branch_id == branch_id:
        return
    denied(who, "ownership")
    raise _not_yours()


def require_owner_of_any(customer_ids: list[str]) -> None:
    """Ownership of a resource several customers share (a payment): the caller owns one of them."""
    if (scope := _scoped()) is None:
        return
    who, roles = scope
    if CUSTOMER in roles and who.customer_id and who.customer_id in customer_ids:
        return
    denied(who, "ownership")
    raise _not_yours()


def unknown(error: NotFound) -> Exception:
    """What to raise for a resource that does not exist: `error` for a caller who reaches every resource,
    else the ownership refusal, so that unknown and another's look alike (AIP-211)."""
    if (scope := _scoped()) is None:
        return error
    denied(scope[0], "ownership")
    return _not_yours()


def scoped_customer() -> str | None:
    """The customer a customer-scoped caller is limited to ('' without the claim); None when not limited."""
    if (scope := _scoped()) is None:
        return None
    who, roles = scope
    return who.customer_id if CUSTOMER in roles else ""


def _not_yours() -> PermissionDenied:
    return PermissionDenied("the caller may not access this resource, or it does not exist")


class AccessControl(grpc.aio.ServerInterceptor):
    """Binds the caller and enforces each RPC's declared role rule, before validation and the handler."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        rule = rule_for(method)

        def wrap(behavior: UnaryBehavior) -> UnaryBehavior:
            async def handle(request: Any, context: Context) -> Any:
                try:
                    who = resolve(context, self.settings)
                except Unauthenticated:
                    denied(None, "invalid_token", method)
                    raise
                if rule is not None:
                    check_role(rule, who, method)
                bind(who, rule, method)  # None only on an RPC without a rule, which asks for no caller
                return await behavior(request, context)

            return handle

        return wrap_unary(handler, wrap)
