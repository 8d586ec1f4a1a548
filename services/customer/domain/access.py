"""Who may do what with a customer: role- and attribute-based rules beyond the mesh policy.

The mesh policy (istio/authz-customer.yaml) decides which workloads may call which RPC. For the
public RPCs, the person behind the call decides the rest:
- `customer`: only their own record (`customer_id` claim); full PII of themselves. Self-onboarding
  (no `customer_id` claim yet) may register through the online channels.
- `teller`: customers of their own branch (`branch_id` claim), full PII (identity is checked in
  person at the counter); may register, update and start KYC checks there. Moving a customer to
  another branch needs `admin`.
- `risk_officer` and `compliance_officer`: every customer, full PII, screening details, and the only
  roles that resolve KYC checks in manual review (four eyes: not on customers they registered or
  last changed).
- `admin` (back office): every customer, every write including erasure, PII masked (administration
  needs no personal data).
- the `cli` workload (operators with grpcurl, no JWT): read-only, PII always masked, screening
  details withheld; every write is refused. It never sees clear PII.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from fintech.customer.v1 import customer_pb2 as c

from services.runtime.access import ADMIN, COMPLIANCE_OFFICER, CUSTOMER, RISK_OFFICER, TELLER, Principal


class Action(Enum):
    READ = "read"
    REGISTER = "register"
    UPDATE = "update"
    LIST = "list"
    ERASE = "erase"
    INITIATE_KYC = "initiate_kyc"
    RESOLVE_KYC = "resolve_kyc"
    LIST_ALL_KYC = "list_all_kyc"
    UPDATE_PROFILE = "update_profile"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    why: str = ""


ALLOW = Decision(True)


def decide(principal: Principal, action: Action, *, customer_id: str = "", branch_id: str = "") -> Decision:
    """Whether `principal` may do `action` on the customer (`customer_id`, managed by `branch_id`)."""
    if principal.operator:
        reads = {Action.READ, Action.LIST, Action.LIST_ALL_KYC}
        return ALLOW if action in reads else Decision(False, "operators (cli) have read-only access")
    if action is Action.RESOLVE_KYC:
        allowed = principal.has(RISK_OFFICER, COMPLIANCE_OFFICER)
        return ALLOW if allowed else Decision(False, "needs the risk_officer or compliance_officer role")
    if action is Action.ERASE:
        return ALLOW if principal.has(ADMIN) else Decision(False, "erasure needs the admin role")
    if action is Action.LIST_ALL_KYC:
        allowed = principal.has(RISK_OFFICER, COMPLIANCE_OFFICER, ADMIN)
        return ALLOW if allowed else Decision(False, "needs a compliance role")
    if principal.has(ADMIN) or (
        principal.has(RISK_OFFICER, COMPLIANCE_OFFICER) and action in {Action.READ, Action.LIST, Action.INITIATE_KYC}
    ):
        return ALLOW
    if principal.has(TELLER):
        if not principal.branch_id:
            return Decision(False, "teller without a branch")
        if action is Action.LIST or branch_id == principal.branch_id:
            return ALLOW
        return Decision(False, "a teller sees only customers of their own branch")
    if principal.has(CUSTOMER):
        if action is Action.REGISTER:
            return ALLOW if not principal.customer_id else Decision(False, "already a customer")
        if action is Action.LIST:
            return Decision(False, "customers cannot list customers")
        if principal.customer_id and principal.customer_id == customer_id:
            return ALLOW
        return Decision(False, "a customer sees only their own record")
    return Decision(False, "no role gives access")


def full_pii_allowed(principal: Principal, customer_id: str) -> bool:
    if principal.operator:
        return False
    if principal.has(RISK_OFFICER, COMPLIANCE_OFFICER, TELLER):
        return True  # branch scoping is enforced by `decide` before any read
    return principal.has(CUSTOMER) and bool(principal.customer_id) and principal.customer_id == customer_id


def pii_view(principal: Principal, customer_id: str, requested: int) -> int:
    if requested == c.PII_VIEW_MASKED or not full_pii_allowed(principal, customer_id):
        return c.PII_VIEW_MASKED
    return c.PII_VIEW_FULL


def sees_compliance_details(principal: Principal) -> bool:
    return not principal.operator and principal.has(RISK_OFFICER, COMPLIANCE_OFFICER)
