"""Which error statuses an operation of the REST edge can answer, derived from the contracts and the services.

One function, `error_statuses(facts)`, decides; `OperationFacts` holds what it decides from:
- every public operation needs a token (the edge's jwt_authn): 401 when it is missing or bad; 403 when the
  caller's roles are not among the contracts' access option's (`roles`; the document shows them per operation
  as `x-fintech-access`), or the resource is not theirs;
- 400 when the request carries input at all (fields with validation rules, or any field: malformed JSON and
  FAILED_PRECONDITION answer 400 too);
- 404 for reads of one resource (Retrieve/Get) and for operations that address existing resources (a path
  parameter, an `..._id` field) when the service raises NOT_FOUND; or when the method's contract names it;
- 409 (ALREADY_EXISTS, ABORTED) for operations with side effects (not GET, not NO_SIDE_EFFECTS) when their
  service raises either, or when the method's contract names one of them or their reasons;
- 429 (the edge's rate limit, a service's admission control) and 503 (a service or a dependency down) on all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# How the Envoy transcoder (and every gRPC-HTTP gateway) maps a gRPC code to the HTTP status.
HTTP_STATUS = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "UNAVAILABLE": 503,
}
# The services' DomainError kinds (services/runtime/errors.py) and the gRPC code each raises.
ERROR_KINDS = {
    "InvalidArgument": "INVALID_ARGUMENT",
    "NotFound": "NOT_FOUND",
    "AlreadyExists": "ALREADY_EXISTS",
    "FailedPrecondition": "FAILED_PRECONDITION",
    "Aborted": "ABORTED",
    "PermissionDenied": "PERMISSION_DENIED",
    "Unauthenticated": "UNAUTHENTICATED",
    "Unavailable": "UNAVAILABLE",
}
READ_ONE_VERBS = ("Retrieve", "Get")
# Fields named `..._id` that name the call itself, not a resource that must exist.
NOT_RESOURCE_IDS = frozenset({"request_id", "idempotency_key"})


@dataclass(frozen=True)
class OperationFacts:
    """What the contracts and the serving workload say about one operation."""

    method: str  # the RPC's name, for example RetrieveAccount
    http_method: str  # get, post, patch, delete
    side_effects: bool  # not marked idempotency_level NO_SIDE_EFFECTS in the contract
    path_parameters: tuple[str, ...]
    request_fields: tuple[str, ...]  # the request message's top-level field names
    validated: bool  # some request field has validate.rules or field_behavior REQUIRED
    service_codes: frozenset[str]  # gRPC codes the workload's code raises
    documented_codes: frozenset[str] = frozenset()  # codes the method's comment names (itself or by reason)
    roles: tuple[str, ...] | None = field(default=None)  # the end-user roles of the access option


def error_statuses(facts: OperationFacts) -> list[int]:
    """The HTTP error statuses an operation lists, in ascending order."""
    statuses = {401, 403, 429, 503}
    if facts.validated or facts.request_fields or facts.path_parameters:
        statuses.add(400)
    addresses_existing = (
        facts.method.startswith(READ_ONE_VERBS)
        or bool(facts.path_parameters)
        or any(name.endswith(("_id", "_ids")) and name not in NOT_RESOURCE_IDS for name in facts.request_fields)
    )
    if "NOT_FOUND" in facts.documented_codes or (addresses_existing and "NOT_FOUND" in facts.service_codes):
        statuses.add(404)
    conflicts = {"ALREADY_EXISTS", "ABORTED"}
    changes_state = facts.http_method != "get" and facts.side_effects
    if facts.documented_codes & conflicts or (changes_state and facts.service_codes & conflicts):
        statuses.add(409)
    return sorted(statuses)


def raised_codes(source_root: Path) -> frozenset[str]:
    """The gRPC codes a workload's code raises: its DomainError kinds and the ErrorReasons it names."""
    codes: set[str] = set()
    kinds = re.compile(r"\b(" + "|".join(ERROR_KINDS) + r")\(")
    for path in sorted(source_root.rglob("*.py")):
        text = path.read_text()
        codes.update(ERROR_KINDS[kind] for kind in kinds.findall(text))
        codes.update(f"REASON:{reason}" for reason in re.findall(r"\bERROR_REASON_([A-Z_]+)", text))
    return frozenset(codes)


def resolve_reasons(codes: frozenset[str], reason_codes: dict[str, str]) -> frozenset[str]:
    """`REASON:X` entries replaced by the gRPC code reason X travels with (error_reason.proto's comments)."""
    return frozenset(
        reason_codes.get(code.removeprefix("REASON:"), "") if code.startswith("REASON:") else code for code in codes
    ) - {""}


def documented_codes(comment: str, reason_codes: dict[str, str]) -> frozenset[str]:
    """The gRPC codes a method's comment names, directly (NOT_FOUND) or by an ErrorReason (DUPLICATE_RESOURCE)."""
    words = set(re.findall(r"\b[A-Z][A-Z_]+[A-Z]\b", comment))
    found = {word for word in words if word in HTTP_STATUS}
    found |= {reason_codes[word] for word in words if word in reason_codes}
    return frozenset(found)
