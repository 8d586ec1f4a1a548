"""One error model for every service: domain errors become gRPC statuses with rich details.

A handler raises a `DomainError` (or one of its kinds below); the error interceptor turns it
into a `google.rpc.Status` carrying a `google.rpc.ErrorInfo` (reason from
`fintech.common.v1.ErrorReason`, domain `<service>.fintech.svc`, metadata) and, for bad input,
a `google.rpc.BadRequest` with one field violation per broken rule. Clients read them with
`grpc_status.rpc_status.from_call`; the Envoy edge maps the code to the HTTP status.
Anything else a handler raises is a bug: the caller gets INTERNAL with no internals leaked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import grpc
from fintech.common.v1.error_reason_pb2 import ErrorReason
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.runtime.validation import Violation


def reason_name(reason: int) -> str:
    """`ERROR_REASON_INSUFFICIENT_FUNDS` -> `INSUFFICIENT_FUNDS`, the string clients switch on."""
    return ErrorReason.Name(reason).removeprefix("ERROR_REASON_")


class DomainError(Exception):
    """A failure the caller can act on, with its gRPC code and machine-readable reason."""

    code: grpc.StatusCode = grpc.StatusCode.FAILED_PRECONDITION
    reason: int = ErrorReason.ERROR_REASON_UNSPECIFIED

    def __init__(
        self,
        message: str,
        *,
        reason: int | None = None,
        metadata: Mapping[str, str] | None = None,
        violations: Iterable[Violation] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        self.metadata = dict(metadata or {})
        self.violations = list(violations)

    def to_status(self, domain: str) -> grpc.Status:
        info = error_details_pb2.ErrorInfo(reason=reason_name(self.reason), domain=domain, metadata=self.metadata)
        return _status(self.code, self.message, [info, *self.details()])

    def details(self) -> list:
        """The details after ErrorInfo: field violations; kinds with more to say add theirs."""
        if not self.violations:
            return []
        violations = [
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in self.violations
        ]
        return [error_details_pb2.BadRequest(field_violations=violations)]


def _status(code: grpc.StatusCode, message: str, details: list) -> grpc.Status:
    packed = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        packed.append(holder)
    return rpc_status.to_status(status_pb2.Status(code=code.value[0], message=message, details=packed))


class InvalidArgument(DomainError):
    code = grpc.StatusCode.INVALID_ARGUMENT
    reason = ErrorReason.ERROR_REASON_FIELD_VIOLATION


class NotFound(DomainError):
    code = grpc.StatusCode.NOT_FOUND
    reason = ErrorReason.ERROR_REASON_RESOURCE_NOT_FOUND


class AlreadyExists(DomainError):
    code = grpc.StatusCode.ALREADY_EXISTS
    reason = ErrorReason.ERROR_REASON_DUPLICATE_RESOURCE


class FailedPrecondition(DomainError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class Aborted(DomainError):
    code = grpc.StatusCode.ABORTED
    reason = ErrorReason.ERROR_REASON_CONCURRENT_MODIFICATION


class PermissionDenied(DomainError):
    code = grpc.StatusCode.PERMISSION_DENIED
    reason = ErrorReason.ERROR_REASON_ACCESS_DENIED


class Unauthenticated(DomainError):
    code = grpc.StatusCode.UNAUTHENTICATED
    reason = ErrorReason.ERROR_REASON_UNAUTHENTICATED


class Unavailable(DomainError):
    code = grpc.StatusCode.UNAVAILABLE
    reason = ErrorReason.ERROR_REASON_DEPENDENCY_UNAVAILABLE


class DeadlineExceeded(DomainError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED
    reason = ErrorReason.ERROR_REASON_DEADLINE_EXCEEDED


def internal_status(request_id: str) -> grpc.Status:
    """What a caller sees for a bug: a request id to quote, nothing of the internals."""
    return _status(
        grpc.StatusCode.INTERNAL,
        f"internal error (request id {request_id})",
        [error_details_pb2.RequestInfo(request_id=request_id)],
    )
