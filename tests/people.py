"""Calls made by a person through the operator's tool: the `cli` workload's certificate plus that person's token.

Alone, `cli` may only read (the contracts' `operator_read`); with `authorization: Bearer <token>` the services
treat the call as the person's (services/runtime/access.py), as an operator's grpcurl with `-H` does.
"""

from __future__ import annotations

import grpc

from services.runtime.config import Settings
from services.runtime.tls import channel_credentials
from tools.edge.tokens import issue_token


def person_credentials(settings: Settings, roles: str, workload: str = "cli") -> grpc.ChannelCredentials:
    """`workload`'s mTLS credentials, every call carrying a token of a person with `roles` (space-separated)."""
    token = issue_token(settings, f"{roles.replace(' ', '-')}-tests", roles=roles.split())
    return grpc.composite_channel_credentials(
        channel_credentials(workload, settings), grpc.access_token_call_credentials(token)
    )
