"""The mesh's authorization: the Istio AuthorizationPolicy files in istio/, enforced in-process.

Istio enforces these files in a cluster; this module evaluates the same YAML the way Istio does, so a
policy mistake fails a local test instead of production:

1. CUSTOM policies are ignored (no external authorizer here), AUDIT ones do not decide;
2. a matching DENY policy denies;
3. with no ALLOW policy for the workload the request is allowed, else one must match.

A policy applies to a workload when its namespace is the mesh's (or Istio's root namespace) and its
selector's matchLabels are a subset of the workload's labels ({app: <workload>}). Policies with
targetRef(s) bind to waypoints and gateways, not to sidecars, and do not apply. A policy matches
when one of its rules does (no rules: never); a rule matches when its from, to and when all match
(each unset: anything); within from or to any entry may match. Strings match exactly, as a prefix
(`abc*`), suffix (`*abc`) or presence (`*`). gRPC calls are always POST to /<service>/<method>.
A field this process cannot see (JWTs, IPs, hosts, ports, most `when` keys) fails closed, as Istio
does for fields a protocol lacks: an ALLOW rule using it never matches, a DENY rule ignores it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from inspect import isasyncgenfunction, isgeneratorfunction
from pathlib import Path
from typing import Any

import grpc
import yaml
from fintech.common.v1 import error_reason_pb2
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.runtime.config import get_settings
from services.runtime.grpc_types import Context, Handler
from services.runtime.identity import peer_identity

log = logging.getLogger(__name__)

ROOT_NAMESPACE = "istio-system"
GRPC_METHOD = "POST"
# In cluster mode a call without x-forwarded-client-cert did not pass the sidecar: it comes from
# inside the pod, which is how Istio's pilot-agent runs the kubelet's rewritten gRPC health probes.
PROBE_PATHS = frozenset({"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"})

_SOURCE_FIELDS = {
    "principals",
    "notPrincipals",
    "namespaces",
    "notNamespaces",
    "serviceAccounts",
    "notServiceAccounts",
}
_OPERATION_FIELDS = {"paths", "notPaths", "methods", "notMethods"}
_CONDITION_KEYS = {"source.principal", "source.namespace", "request.method"}
_RULE_FIELDS = {"from", "to", "when"}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    policy: str | None  # "<namespace>/<name>" of the deciding policy; None when no policy decided
    rule: int | None  # index of the deciding rule in that policy
    reason: str


@dataclass(frozen=True)
class Request:
    principal: str | None  # as Istio writes it: cluster.local/ns/fintech/sa/payments
    path: str
    method: str = GRPC_METHOD

    @property
    def namespace(self) -> str | None:
        parts = (self.principal or "").split("/")
        return parts[2] if len(parts) >= 5 and parts[1] == "ns" and parts[3] == "sa" else None

    @property
    def service_account(self) -> str | None:
        parts = (self.principal or "").split("/")
        return f"{parts[2]}/{parts[4]}" if self.namespace and len(parts) == 5 else None


@dataclass(frozen=True)
class Policy:
    name: str
    namespace: str
    action: str
    selector: Mapping[str, str] | None
    rules: tuple[Mapping[str, Any], ...]
    targeted: bool
    source: Path | None = None

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any], source: Path | None = None) -> Policy:
        metadata, spec = resource.get("metadata") or {}, resource.get("spec") or {}
        if not metadata.get("name"):
            raise ValueError(f"{source}: AuthorizationPolicy without metadata.name")
        rules = spec.get("rules") or ()
        if not isinstance(rules, list | tuple) or not all(isinstance(rule, Mapping) for rule in rules):
            raise ValueError(f"{source}: {metadata['name']}: spec.rules must be a list of rules")
        selector = spec.get("selector")
        return cls(
            name=metadata["name"],
            namespace=metadata.get("namespace", "default"),
            action=spec.get("action", "ALLOW"),
            selector=None if selector is None else dict(selector.get("matchLabels") or {}),
            rules=tuple(rules),
            targeted=bool(spec.get("targetRef") or spec.get("targetRefs")),
            source=source,
        )

    def applies_to(self, labels: Mapping[str, str], namespace: str) -> bool:
        if self.targeted or self.namespace not in (namespace, ROOT_NAMESPACE):
            return False
        return all(labels.get(key) == value for key, value in (self.selector or {}).items())

    def matching_rule(self, request: Request) -> int | None:
        # What this process cannot check counts as a mismatch for ALLOW and a match for DENY.
        unknown = self.action == "DENY"
        for index, rule in enumerate(self.rules):
            if _rule_matches(rule, request, unknown):
                return index
        return None


class PolicySet:
    """Every AuthorizationPolicy of a directory, evaluated for the workloads of one namespace."""

    def __init__(self, policies: Iterable[Policy], namespace: str | None = None) -> None:
        self.policies = tuple(policies)
        self.namespace = namespace or get_settings().mesh.namespace
        # Policies never change after loading, and callers x methods is a small set.
        self._evaluate = lru_cache(maxsize=4096)(self._decide)

    @classmethod
    def load(cls, directory: Path | str, namespace: str | None = None) -> PolicySet:
        policies = []
        for path in sorted(Path(directory).glob("*.y*ml")):
            for resource in yaml.safe_load_all(path.read_text()):
                if (
                    isinstance(resource, Mapping)
                    and resource.get("kind") == "AuthorizationPolicy"
                    and str(resource.get("apiVersion", "")).startswith("security.istio.io/")
                ):
                    policies.append(Policy.from_resource(resource, path))
        return cls(policies, namespace)

    def for_workload(self, workload: str) -> list[Policy]:
        return [policy for policy in self.policies if policy.applies_to({"app": workload}, self.namespace)]

    def evaluate(self, workload: str, principal: str | None, path: str) -> Decision:
        """May `principal` (SPIFFE id or Istio principal, None if unauthenticated) call `path`?"""
        if principal is not None:
            principal = principal.removeprefix("spiffe://")
        return self._evaluate(workload, principal, path)

    def _decide(self, workload: str, principal: str | None, path: str) -> Decision:
        request = Request(principal, path)
        policies = self.for_workload(workload)
        for policy in policies:
            if policy.action == "DENY" and (rule := policy.matching_rule(request)) is not None:
                return Decision(False, policy.id, rule, f"denied by {policy.id} rule {rule}")
        allow = [policy for policy in policies if policy.action == "ALLOW"]
        if not allow:
            return Decision(True, None, None, f"no ALLOW policy applies to {workload}")
        for policy in allow:
            if (rule := policy.matching_rule(request)) is not None:
                return Decision(True, policy.id, rule, f"allowed by {policy.id} rule {rule}")
        return Decision(False, None, None, f"no ALLOW policy of {workload} matches")


def _rule_matches(rule: Mapping[str, Any], request: Request, unknown: bool) -> bool:
    if set(rule) - _RULE_FIELDS or any(set(entry) - {"source"} for entry in rule.get("from") or ()):
        return unknown
    if any(set(entry) - {"operation"} for entry in rule.get("to") or ()):
        return unknown
    sources = [entry.get("source") or {} for entry in rule.get("from") or ()]
    operations = [entry.get("operation") or {} for entry in rule.get("to") or ()]
    return (
        (not sources or any(_source_matches(source, request, unknown) for source in sources))
        and (not operations or any(_operation_matches(op, request, unknown) for op in operations))
        and all(_condition_matches(condition, request, unknown) for condition in rule.get("when") or ())
    )


def _source_matches(source: Mapping[str, Any], request: Request, unknown: bool) -> bool:
    if set(source) - _SOURCE_FIELDS:
        return unknown
    return (
        _field(source, "principals", request.principal)
        and _field(source, "namespaces", request.namespace)
        and _field(source, "serviceAccounts", request.service_account, patterns=False)
    )


def _operation_matches(operation: Mapping[str, Any], request: Request, unknown: bool) -> bool:
    if set(operation) - _OPERATION_FIELDS:
        return unknown
    return _field(operation, "paths", request.path) and _field(operation, "methods", request.method)


def _condition_matches(condition: Mapping[str, Any], request: Request, unknown: bool) -> bool:
    key = condition.get("key")
    if key not in _CONDITION_KEYS:
        return unknown
    value = {
        "source.principal": request.principal,
        "source.namespace": request.namespace,
        "request.method": request.method,
    }[key]
    values, not_values = condition.get("values"), condition.get("notValues")
    return (values is None or _any_match(values, value)) and not (not_values and _any_match(not_values, value))


def _field(spec: Mapping[str, Any], name: str, value: str | None, *, patterns: bool = True) -> bool:
    """`name` must match when set; `notName` must not."""
    positive, negative = spec.get(name), spec.get("not" + name[0].upper() + name[1:])
    match = _any_match if patterns else lambda candidates, v: v is not None and v in candidates
    return (positive is None or match(positive, value)) and not (negative and match(negative, value))


def _any_match(patterns: Iterable[str], value: str | None) -> bool:
    return value is not None and any(_string_match(pattern, value) for pattern in patterns)


def _string_match(pattern: str, value: str) -> bool:
    # Istio's string match: "*" (presence), "abc*" (prefix), "*abc" (suffix), else exact.
    if pattern == "*":
        return value != ""
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    if pattern.startswith("*"):
        return value.endswith(pattern[1:])
    return value == pattern


def _reason(value: int) -> str:
    return error_reason_pb2.ErrorReason.Name(value).removeprefix("ERROR_REASON_")


CALLER_NOT_ALLOWED = _reason(error_reason_pb2.ERROR_REASON_CALLER_NOT_ALLOWED)
UNAUTHENTICATED = _reason(error_reason_pb2.ERROR_REASON_UNAUTHENTICATED)


class AuthorizationInterceptor(grpc.aio.ServerInterceptor):
    """Checks every call against the policies before its handler runs (all four handler kinds).

    grpc.aio interceptors only see the method name and metadata, not the TLS peer, so the check runs
    inside a wrapped handler, where the ServicerContext is available.
    """

    def __init__(self, policies: PolicySet, workload: str, mode: str) -> None:
        self.policies = policies
        self.workload = workload
        self.mode = mode
        self.domain = f"{workload}.fintech.svc"

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None  # unknown method: grpc answers UNIMPLEMENTED
        return _guarded(handler, handler_call_details.method, self.check)

    async def check(self, method: str, context: Context) -> None:
        """Abort the call unless the caller may call `method`."""
        spiffe_id = peer_identity(context, self.mode)
        if spiffe_id is None and self.mode == "cluster" and method in PROBE_PATHS:
            return
        decision = self.policies.evaluate(self.workload, spiffe_id, method)
        if decision.allowed:
            return
        principal = spiffe_id.removeprefix("spiffe://") if spiffe_id else ""
        log.warning(
            "call refused",
            extra={"method": method, "principal": principal or None, "decision": decision.reason},
        )
        if spiffe_id is None:
            status = self._status(
                code_pb2.UNAUTHENTICATED, "the caller has no SPIFFE identity", UNAUTHENTICATED, method
            )
        else:
            status = self._status(
                code_pb2.PERMISSION_DENIED,
                f"{principal} may not call {method}",
                CALLER_NOT_ALLOWED,
                method,
                principal=principal,
            )
        await context.abort_with_status(status)

    def _status(self, code: int, message: str, reason: str, method: str, **metadata: str) -> grpc.Status:
        info = error_details_pb2.ErrorInfo(reason=reason, domain=self.domain, metadata={**metadata, "method": method})
        detail = any_pb2.Any()
        detail.Pack(info)
        status: grpc.Status = rpc_status.to_status(status_pb2.Status(code=code, message=message, details=[detail]))
        return status


Check = Callable[[str, Context], Awaitable[None]]
# A method handler's behaviour of any of the four kinds: a coroutine, an async generator or a generator.
Behavior = Callable[..., Any]


def _guarded(handler: Handler, method: str, check: Check) -> Handler:
    """The same handler, its behaviour preceded by `check`; streaming handlers keep their shape."""
    tuple_: Any = handler  # grpc's handler is a namedtuple at run time; its stub does not say so
    guarded: Handler
    if tuple_.unary_unary:
        guarded = tuple_._replace(unary_unary=_wrap_call(tuple_.unary_unary, method, check))
    elif tuple_.unary_stream:
        guarded = tuple_._replace(unary_stream=_wrap_stream(tuple_.unary_stream, method, check))
    elif tuple_.stream_unary:
        guarded = tuple_._replace(stream_unary=_wrap_call(tuple_.stream_unary, method, check))
    else:
        guarded = tuple_._replace(stream_stream=_wrap_stream(tuple_.stream_stream, method, check))
    return guarded


def _wrap_call(behavior: Behavior, method: str, check: Check) -> Behavior:
    async def guarded(request_or_iterator: Any, context: Context) -> Any:
        await check(method, context)
        result = behavior(request_or_iterator, context)
        return await result if isinstance(result, Awaitable) else result

    return guarded


def _wrap_stream(behavior: Behavior, method: str, check: Check) -> Behavior:
    # grpc.aio drives async generators (yield responses) and coroutines (context.write) differently:
    # the wrapper must be of the behaviour's kind. A sync generator is iterated on the event loop.
    if isasyncgenfunction(behavior):

        async def guarded_async_generator(request_or_iterator: Any, context: Context) -> AsyncIterator[Any]:
            await check(method, context)
            async for response in behavior(request_or_iterator, context):
                yield response

        return guarded_async_generator
    if isgeneratorfunction(behavior):

        async def guarded_generator(request_or_iterator: Any, context: Context) -> AsyncIterator[Any]:
            await check(method, context)
            for response in behavior(request_or_iterator, context):
                yield response

        return guarded_generator
    return _wrap_call(behavior, method, check)
