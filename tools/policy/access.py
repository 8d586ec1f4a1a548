"""The end-user access rules of the contracts, `(fintech.common.v1.access)`: their checks and the README's table.

Checks, beside the mesh policy's:
- every public RPC declares who may call it, with at least one role;
- its owner-scoped roles are among its roles;
- an RPC open to `customer` scopes them to their own resources (else any customer reads everyone's);
- staff-only RPCs (compliance, fraud review, models, features, settlement, and every Control, Erase,
  Promote, Replay and Generate) are never open to `customer`;
- `operator_read` (the cli workload with no person's token) only on RPCs without side effects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from services.runtime.access import CUSTOMER, ROLES, TELLER
from services.runtime.config import ROOT
from tools.policy.contracts import Rpc

README = ROOT / "README.md"
BEGIN, END = "<!-- access-matrix:begin -->", "<!-- access-matrix:end -->"
STAFF_SERVICES = frozenset(
    {
        "RegulatoryComplianceService",
        "FraudDetectionService",
        "ModelRegistryService",
        "ModelServingService",
        "FeatureStoreService",
        "SettlementService",
        "PaymentExecutionService",
    }
)
STAFF_VERBS = ("Control", "Erase", "Promote", "Replay", "Generate")
# Columns in the order of duties: the customer, the branch, then the back-office functions.
COLUMNS = ("customer", "teller", "risk_officer", "compliance_officer", "model_risk", "admin")


def staff_only(rpc: Rpc) -> bool:
    service, method = rpc.label.split("/")
    return service in STAFF_SERVICES or method.startswith(STAFF_VERBS)


def problems(rpcs: Iterable[Rpc]) -> list[str]:
    found = []
    for rpc in rpcs:
        if rpc.workload is None:
            continue
        rule = rpc.access
        if rule is None:
            if not rpc.internal:
                found.append(f"{rpc.path} is public but declares no (fintech.common.v1.access) rule")
            continue
        if not rule.roles:
            found.append(f"{rpc.path}: its access rule names no role")
        if extra := rule.owner_scoped - rule.roles:
            found.append(f"{rpc.path}: owner-scoped {', '.join(sorted(extra))} not among its roles")
        if CUSTOMER in rule.roles and CUSTOMER not in rule.owner_scoped:
            found.append(f"{rpc.path} is open to customer without scoping them to their own resources")
        if CUSTOMER in rule.roles and staff_only(rpc):
            found.append(f"{rpc.path} is for staff only but open to customer")
        if rule.operator_read and not rpc.read_only:
            found.append(f"{rpc.path}: operator_read on an RPC with side effects (not NO_SIDE_EFFECTS)")
    assert set(COLUMNS) == ROLES, "a role was added: give it a column"
    return found


def matrix(rpcs: Iterable[Rpc]) -> str:
    """The role x operation table (Markdown): ✓ all, own (a customer's own, a teller's branch), · none."""
    lines = [
        "| RPC | " + " | ".join(f"`{role}`" for role in COLUMNS) + " | `cli` alone |",
        "| --- |" + " :---: |" * (len(COLUMNS) + 1),
    ]
    for rpc in sorted((r for r in rpcs if r.access is not None), key=lambda r: (r.workload or "", r.label)):
        rule = rpc.access
        assert rule is not None  # filtered above
        cells = []
        for role in COLUMNS:
            if role not in rule.roles:
                cells.append("·")
            elif role in rule.owner_scoped:
                cells.append("own" if role != TELLER else "branch")
            else:
                cells.append("✓")
        cells.append("read" if rule.operator_read else "·")
        lines.append(f"| {rpc.workload}: `{rpc.label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def readme_with(table: str, text: str) -> str:
    """README's text with the table between its markers replaced."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {BEGIN} ... {END} block")
    return pattern.sub(lambda _: f"{BEGIN}\n{table}\n{END}", text)
