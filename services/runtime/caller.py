"""The end user behind a call: JWT claims the Envoy edge forwards, trusted only from the edge.

The edge (`edge-gateway` workload) validates the user's JWT and forwards its claims as the metadata
`x-jwt-payload`: the JSON payload, base64url-encoded without padding. Any other caller could put
anything in that header, so it is read only when the mTLS peer (or, in cluster mode, the sidecar's
XFCC) is the edge-gateway's SPIFFE id; from anyone else it is ignored.

    user = end_user(context, settings)   # None: no user (a service, an operator, or an untrusted header)

Claims read: `sub` (subject), `roles` (a list, or a space-separated string; also `realm_access.roles`
as Keycloak sends it), `customer_id` and `branch_id` (custom claims). Unknown roles are dropped.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

import grpc

from services.runtime.config import Settings
from services.runtime.identity import peer_identity

JWT_PAYLOAD_HEADER = "x-jwt-payload"
EDGE_WORKLOAD = "edge-gateway"
ROLES = frozenset({"customer", "teller", "risk_officer", "admin"})


@dataclass(frozen=True)
class EndUser:
    subject: str
    roles: frozenset[str]
    customer_id: str = ""
    branch_id: str = ""

    def has(self, role: str) -> bool:
        return role in self.roles


class InvalidClaims(ValueError):
    """The edge forwarded a payload that is not a JSON object with a subject."""


def decode_claims(value: str) -> EndUser:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        claims = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidClaims("x-jwt-payload is not base64url JSON") from error
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidClaims("x-jwt-payload has no subject")
    roles = claims.get("roles", [])
    if isinstance(roles, str):
        roles = roles.split()
    realm = claims.get("realm_access")
    if isinstance(realm, dict) and isinstance(realm.get("roles"), list):
        roles = [*roles, *realm["roles"]]
    if not isinstance(roles, list):
        raise InvalidClaims("roles must be a list")
    customer_id, branch_id = claims.get("customer_id", ""), claims.get("branch_id", "")
    return EndUser(
        subject=claims["sub"],
        roles=frozenset(r for r in roles if isinstance(r, str) and r in ROLES),
        customer_id=customer_id if isinstance(customer_id, str) else "",
        branch_id=branch_id if isinstance(branch_id, str) else "",
    )


def caller_workload(context: grpc.aio.ServicerContext, settings: Settings) -> str | None:
    """The calling workload's name (`payments`, `edge-gateway`, `cli`), None when not of this mesh."""
    identity = peer_identity(context, settings.mesh.mode)
    prefix = settings.spiffe_id("")
    if identity is None or not identity.startswith(prefix):
        return None
    return identity.removeprefix(prefix) or None


def end_user(context: grpc.aio.ServicerContext, settings: Settings) -> EndUser | None:
    """The user whose JWT the edge validated; None unless the peer is the edge and sent exactly one payload.

    Raises InvalidClaims when the edge sent a payload that cannot be read (an edge bug, not a user error).
    """
    if caller_workload(context, settings) != EDGE_WORKLOAD:
        return None
    values = [
        value.decode() if isinstance(value, bytes) else value
        for key, value in (context.invocation_metadata() or ())
        if key == JWT_PAYLOAD_HEADER
    ]
    if len(values) != 1:
        return None
    return decode_claims(values[0])
