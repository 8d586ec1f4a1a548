"""Who may manage which webhook endpoints (beyond the mesh policy, which admits the edge and cli).

- `customer`: only endpoints of their own customer id (the `customer_id` claim);
- `admin` (back office): every customer's endpoints, for support;
- the `cli` workload (operators with grpcurl, no JWT): read-only;
- anyone else: denied.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from services.runtime.caller import InvalidClaims, caller_workload, end_user
from services.runtime.config import Settings
from services.runtime.errors import PermissionDenied, Unauthenticated


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str] = frozenset()
    customer_id: str = ""
    operator: bool = False  # the cli workload without a JWT


def principal(context: grpc.aio.ServicerContext, settings: Settings) -> Principal:
    """The person behind a public call; UNAUTHENTICATED when there is none."""
    try:
        user = end_user(context, settings)
    except InvalidClaims:
        raise Unauthenticated("the forwarded token claims cannot be read") from None
    if user is not None:
        return Principal(user.subject, user.roles, user.customer_id)
    if caller_workload(context, settings) == "cli":
        return Principal("cli", operator=True)
    raise Unauthenticated("this call needs an end user's token (through the edge)")


def authorise(who: Principal, customer_id: str, *, write: bool) -> None:
    """PERMISSION_DENIED unless `who` may read (or, with `write`, change) `customer_id`'s endpoints."""
    if who.operator:
        if write:
            raise PermissionDenied("operators (cli) have read-only access to webhook endpoints")
        return
    if "admin" in who.roles:
        return
    if "customer" in who.roles and who.customer_id and who.customer_id == customer_id:
        return
    raise PermissionDenied("a customer manages only their own webhook endpoints")
