"""Checks of the AuthorizationPolicies against the workloads and the contracts, and the call graph they allow.

The graph is computed by evaluating the policies (services/runtime/authz.py, Istio's semantics) for every
workload and every RPC a service serves, so it shows what the mesh enforces, wildcards included.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.runtime.authz import Policy, PolicySet
from services.runtime.config import ROOT, SERVICES, Settings, get_settings
from tools.certs import WORKLOADS
from tools.policy import access
from tools.policy.contracts import DESCRIPTOR_SET, HEALTH, REFLECTION, Rpc, served_rpcs

ISTIO = ROOT / "istio"
EDGE = "edge-gateway"
# Workloads that stand for people or the outside world: they may reach public RPCs, never INTERNAL ones,
# except the operator's back-office tool (cli) on the few INTERNAL RPCs that exist for operators.
EXTERNAL = (EDGE, "cli")
OPERATOR_RPCS = frozenset({"/fintech.features.v1.FeatureStoreService/EraseEntityFeatures"})
_RULE_FIELDS = {"from", "to", "when"}
_SOURCE_FIELDS = {
    field
    for name in ("principals", "requestPrincipals", "namespaces", "serviceAccounts", "ipBlocks", "remoteIpBlocks")
    for field in (name, "not" + name[0].upper() + name[1:])
}
_OPERATION_FIELDS = {"hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"}


@dataclass(frozen=True)
class PolicyFile:
    path: Path
    resource: Mapping[str, Any]

    @property
    def where(self) -> str:
        name = (self.resource.get("metadata") or {}).get("name", "?")
        try:
            shown = self.path.relative_to(ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}: {name}"

    @property
    def workload(self) -> str | None:
        """The `app` its selector names (None: namespace-wide)."""
        selector = (self.resource.get("spec") or {}).get("selector") or {}
        return (selector.get("matchLabels") or {}).get("app")


class Policies:
    """Every AuthorizationPolicy under a directory (subdirectories included) and the contracts' RPCs."""

    def __init__(
        self,
        directory: Path = ISTIO,
        descriptor_set: Path = DESCRIPTOR_SET,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.files = [
            PolicyFile(path, resource)
            for path in sorted([*directory.rglob("*.yaml"), *directory.rglob("*.yml")])
            for resource in yaml.safe_load_all(path.read_text())
            if isinstance(resource, Mapping) and resource.get("kind") == "AuthorizationPolicy"
        ]
        self.rpcs = served_rpcs(descriptor_set)
        namespace = self.settings.mesh.namespace
        self.policy_set = PolicySet([Policy.from_resource(f.resource, f.path) for f in self.files], namespace)

    def principal(self, workload: str) -> str:
        """A workload's principal as Istio writes it: cluster.local/ns/fintech/sa/<workload>."""
        return self.settings.spiffe_id(workload).removeprefix("spiffe://")

    def allowed(self, caller: str, callee: str, rpc: Rpc) -> bool:
        return self.policy_set.evaluate(callee, self.principal(caller), rpc.path).allowed

    # -- checks -------------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Everything wrong, one line each; empty when the policies are sound."""
        problems = [problem for file in self.files for problem in self._file_problems(file)]
        return problems + self._reachability_problems() + access.problems(self.rpcs)

    def _file_problems(self, file: PolicyFile) -> Iterable[str]:
        known = {self.principal(workload): workload for workload in WORKLOADS}
        issuer = self.settings.edge.issuer
        for index, rule in enumerate((file.resource.get("spec") or {}).get("rules") or ()):
            where = f"{file.where} rule {index}"
            if unknown := set(rule) - _RULE_FIELDS:
                yield f"{where}: unknown field {', '.join(sorted(unknown))}"
            for entry in rule.get("from") or ():
                source = entry.get("source") or {}
                if unknown := set(source) - _SOURCE_FIELDS:
                    yield f"{where}: unknown source field {', '.join(sorted(unknown))}"
                for principal in (*source.get("principals", ()), *source.get("notPrincipals", ())):
                    if principal not in known:
                        yield f"{where}: principal {principal} is no workload ({', '.join(WORKLOADS)})"
                for principal in (*source.get("requestPrincipals", ()), *source.get("notRequestPrincipals", ())):
                    if not principal.startswith(f"{issuer}/"):
                        yield f"{where}: request principal {principal} is not from the edge's issuer {issuer}"
            for entry in rule.get("to") or ():
                operation = entry.get("operation") or {}
                if unknown := set(operation) - _OPERATION_FIELDS:
                    yield f"{where}: unknown operation field {', '.join(sorted(unknown))}"
                for pattern in (*operation.get("paths", ()), *operation.get("notPaths", ())):
                    yield from self._path_problems(where, pattern, file.workload)

    def _path_problems(self, where: str, pattern: str, workload: str | None) -> Iterable[str]:
        # Istio's patterns are exact, "prefix*", "*suffix" or "*": fnmatch reads them alike.
        matched = [rpc for rpc in self.rpcs if fnmatch.fnmatchcase(rpc.path, pattern)]
        if not matched:
            yield f"{where}: path {pattern} matches no RPC of the contracts"
            return
        foreign = sorted({rpc.workload for rpc in matched if rpc.workload not in (None, workload)})
        if workload and foreign:
            yield f"{where}: path {pattern} is served by {', '.join(foreign)}, not by {workload}"

    def _reachability_problems(self) -> list[str]:
        problems = []
        for service in SERVICES:
            if not any(p.action == "ALLOW" for p in self.policy_set.for_workload(service)):
                problems.append(f"{service}: no ALLOW policy applies, so every caller may call everything")
        for rpc in self.rpcs:
            if rpc.workload is None:
                continue
            if rpc.public and not self.allowed(EDGE, rpc.workload, rpc):
                problems.append(f"{rpc.path} is public but {EDGE} may not call it")
            for caller in EXTERNAL:
                operator_rpc = caller == "cli" and rpc.path in OPERATOR_RPCS
                if rpc.internal and not operator_rpc and self.allowed(caller, rpc.workload, rpc):
                    problems.append(f"{rpc.path} is INTERNAL but {caller} may call it")
        return problems

    # -- the graph ----------------------------------------------------------------------------------

    def graph(self) -> dict[tuple[str, str], list[str]]:
        """(caller, service) -> what the caller may call there; pairs with nothing allowed are left out."""
        edges: dict[tuple[str, str], list[str]] = {}
        for service in SERVICES:
            serves = [rpc for rpc in self.rpcs if rpc.workload in (None, service)]
            for caller in WORKLOADS:
                allowed = [rpc for rpc in serves if self.allowed(caller, service, rpc)]
                if allowed:
                    edges[(caller, service)] = _summarise(allowed)
        return edges


def _summarise(rpcs: list[Rpc]) -> list[str]:
    """One line per gRPC service ("CustomerDirectoryService: RegisterCustomer, RetrieveCustomer"), with
    health and reflection one word each when wholly allowed."""
    paths = {rpc.path for rpc in rpcs}
    folded = {word: group for word, group in (("health", HEALTH), ("reflection", REFLECTION)) if set(group) <= paths}
    services: dict[str, list[str]] = {}
    for rpc in rpcs:
        if not any(rpc.path in group for group in folded.values()):
            service, method = rpc.label.rsplit("/", 1)
            services.setdefault(service, []).append(method)
    return [f"{service}: {', '.join(methods)}" for service, methods in services.items()] + list(folded)
