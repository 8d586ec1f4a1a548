"""One error model for every service: domain errors, free of grpc, that the runtime answers as gRPC statuses.

A handler or a domain rule raises a `DomainError` (or one of its kinds below). It knows its canonical code
(`Code`, google.rpc.Code's numbers), its machine-readable reason (`fintech.common.v1.ErrorReason`) and its
details, and builds the `google.rpc.Status` it is answered with (`rpc_status`): a `google.rpc.ErrorInfo` (reason,
domain `<service>.fintech.svc`, metadata) and, for bad input, a `google.rpc.BadRequest` with one field violation
per broken rule. Only the call pipeline (services.runtime.error_status) turns that into a gRPC status, so domain
code never imports grpc. Clients read the details with `grpc_status.rpc_status.from_call`; the Envoy edge maps
the code to the HTTP status. Anything else a handler raises is a bug: the caller gets INTERNAL, no internals.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from fintech.common.v1.error_reason_pb2 import ErrorReason
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from services.runtime.validation import Violation


class Code(enum.IntEnum):
    """The canonical status codes a domain error may carry (google.rpc.Code; grpc.StatusCode has the same names)."""

    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


def reason_name(reason: int) -> str:
    """`ERROR_REASON_INSUFFICIENT_FUNDS` -> `INSUFFICIENT_FUNDS`, the string clients switch on."""
    return ErrorReason.Name(reason).removeprefix("ERROR_REASON_")


class DomainError(Exception):
    """A failure the caller can act on, with its canonical code and machine-readable reason."""

    code: Code = Code.FAILED_PRECONDITION
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

    def rpc_status(self, domain: str) -> status_pb2.Status:
        """The google.rpc.Status this error is answered with, for the service whose domain is `domain`."""
        info = error_details_pb2.ErrorInfo(reason=reason_name(self.reason), domain=domain, metadata=self.metadata)
        return status(self.code, self.message, [info, *self.details()])

    def details(self) -> list[Message]:
        """The details after ErrorInfo: field violations; kinds with more to say add theirs."""
        if not self.violations:
            return []
        violations = [
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in self.violations
        ]
        return [error_details_pb2.BadRequest(field_violations=violations)]


def status(code: Code, message: str, details: Iterable[Message]) -> status_pb2.Status:
    packed = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        packed.append(holder)
    return status_pb2.Status(code=code.value, message=message, details=packed)


class InvalidArgument(DomainError):
    code = Code.INVALID_ARGUMENT
    reason = ErrorReason.ERROR_REASON_FIELD_VIOLATION


class NotFound(DomainError):
    code = Code.NOT_FOUND
    reason = ErrorReason.ERROR_REASON_RESOURCE_NOT_FOUND


class AlreadyExists(DomainError):
    code = Code.ALREADY_EXISTS
    reason = ErrorReason.ERROR_REASON_DUPLICATE_RESOURCE


class FailedPrecondition(DomainError):
    code = Code.FAILED_PRECONDITION


class Aborted(DomainError):
    code = Code.ABORTED
    reason = ErrorReason.ERROR_REASON_CONCURRENT_MODIFICATION


class PermissionDenied(DomainError):
    code = Code.PERMISSION_DENIED
    reason = ErrorReason.ERROR_REASON_ACCESS_DENIED


class Unauthenticated(DomainError):
    code = Code.UNAUTHENTICATED
    reason = ErrorReason.ERROR_REASON_UNAUTHENTICATED


class Unavailable(DomainError):
    code = Code.UNAVAILABLE
    reason = ErrorReason.ERROR_REASON_DEPENDENCY_UNAVAILABLE


class DeadlineExceeded(DomainError):
    code = Code.DEADLINE_EXCEEDED
    reason = ErrorReason.ERROR_REASON_DEADLINE_EXCEEDED


class ResourceExhausted(DomainError):
    code = Code.RESOURCE_EXHAUSTED


class Replayed(DomainError):
    """An error answered before (a stored google.rpc.Status), answered again exactly as the first time."""

    def __init__(self, stored: status_pb2.Status) -> None:
        super().__init__(stored.message)
        self.stored = stored
        self.code = Code(stored.code) if stored.code in Code._value2member_map_ else Code.UNKNOWN

    def rpc_status(self, domain: str) -> status_pb2.Status:
        return self.stored


def internal_status(request_id: str) -> status_pb2.Status:
    """What a caller sees for a bug: a request id to quote, nothing of the internals."""
    message = f"internal error (request id {request_id})"
    return status(Code.INTERNAL, message, [error_details_pb2.RequestInfo(request_id=request_id)])
