"""Mint a user token for the REST edge, for development: `python -m tools.edge.mint --role customer --customer-id ...`.

The token is signed with the dev issuer's key (<state_dir>/edge/), so Envoy accepts it like one from
POST /oauth2/token. Claims: iss, aud, sub, iat, exp, jti, client_id ("fintech-dev-mint"), scope, roles
([role]) and, when given, customer_id and branch_id. The edge forwards them, verified, to the services
in x-jwt-payload.
"""

from __future__ import annotations

import argparse
import uuid

from services.runtime.config import Settings, get_settings
from tools.edge.tokens import ROLES, issue_token

MINT_CLIENT = "fintech-dev-mint"


def mint(
    settings: Settings,
    role: str,
    *,
    customer_id: str | None = None,
    branch_id: str | None = None,
    subject: str | None = None,
    ttl: int | None = None,
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role == "customer" and not customer_id:
        raise ValueError("a customer token needs --customer-id")
    if role == "teller" and not branch_id:
        raise ValueError("a teller token needs --branch-id")
    claims: dict[str, object] = {"client_id": MINT_CLIENT, "scope": "fintech.api", "roles": [role]}
    if customer_id:
        claims["customer_id"] = customer_id
    if branch_id:
        claims["branch_id"] = branch_id
    subject = subject or (customer_id if role == "customer" and customer_id else f"{role}-{uuid.uuid4()}")
    return issue_token(settings, subject, ttl=ttl, **claims)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--customer-id", help="the customer the token acts for (role customer)")
    parser.add_argument("--branch-id", help="the teller's branch (role teller)")
    parser.add_argument("--subject", help="the token's sub (default: the customer id, else a new id)")
    parser.add_argument("--ttl", type=int, default=900, help="seconds until it expires (default 900)")
    args = parser.parse_args(argv)
    try:
        token = mint(
            get_settings(),
            args.role,
            customer_id=args.customer_id,
            branch_id=args.branch_id,
            subject=args.subject,
            ttl=args.ttl,
        )
    except ValueError as error:
        parser.error(str(error))
    print(token)


if __name__ == "__main__":
    main()
