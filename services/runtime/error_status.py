"""Domain errors as gRPC statuses: the one place where services.runtime.errors meets grpc."""

from __future__ import annotations

from typing import cast

import grpc
from google.rpc import status_pb2
from grpc_status import rpc_status

from services.runtime.errors import Code, DomainError, internal_status


def grpc_code(code: Code) -> grpc.StatusCode:
    return grpc.StatusCode[code.name]


def as_grpc(status: status_pb2.Status) -> grpc.Status:
    """A google.rpc.Status as what `context.abort_with_status` takes (its details in the trailers)."""
    return cast(grpc.Status, rpc_status.to_status(status))


def status_of(error: DomainError, domain: str) -> grpc.Status:
    return as_grpc(error.rpc_status(domain))


def internal(request_id: str) -> grpc.Status:
    return as_grpc(internal_status(request_id))
