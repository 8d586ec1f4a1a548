"""What happens around every RPC a service handles, as grpc.aio server interceptors.

grpc.aio server interceptors see only the method name and metadata; anything that needs the
call's context (its peer, deadline, or the decoded request) wraps the method handler instead.
`wrap_unary` does that once for all of them.

Order (outermost first): `CallPipeline` (request id, deadline, logs, metrics, error mapping),
then authorization, then `RequestValidation`, then the servicer. So a denied call is counted and
logged, and a request is validated only after its caller is known to be allowed.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, cast

import asyncpg.exceptions as pg_errors
import grpc
import structlog
from sqlalchemy import exc as sql_errors

from services.runtime.error_status import grpc_code, internal, status_of
from services.runtime.errors import DomainError, InvalidArgument, Unavailable
from services.runtime.grpc_types import Context, Handler
from services.runtime.observability import RPC_HANDLED, RPC_LATENCY, safe_error, safe_stack, split_method
from services.runtime.validation import validate

log = structlog.get_logger("rpc")

REQUEST_ID_HEADER = "x-request-id"
# Monotonic time by which the inbound call must finish; outgoing calls never outlive it.
inbound_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# What a lost connection to a dependency raises (refused, reset, the database restarting or shutting down):
# transient, not a bug, so the caller gets UNAVAILABLE (and retries) rather than INTERNAL.
DEPENDENCY_DOWN = Unavailable("a dependency of the service is unreachable; retry later")
_UNREACHABLE = (
    ConnectionError,
    pg_errors.PostgresConnectionError,  # class 08: the connection failed or does not exist
    pg_errors.CannotConnectNowError,  # the database is starting up
    pg_errors.AdminShutdownError,  # ... or shutting down
    sql_errors.OperationalError,
    sql_errors.InterfaceError,
)


def unreachable(error: BaseException | None) -> bool:
    """The error, or one it was raised from, is a lost or refused connection."""
    while error is not None:
        if isinstance(error, _UNREACHABLE) or getattr(error, "connection_invalidated", False):
            return True
        error = error.__cause__ or error.__context__
    return False


# Requests and responses are the contract's messages, of any type.
UnaryBehavior = Callable[[Any, Context], Awaitable[Any]]
# What a server interceptor's intercept_service receives to reach the next interceptor (or the handler).
Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]


def wrap_unary(handler: Handler | None, wrap: Callable[[UnaryBehavior], UnaryBehavior]) -> Handler | None:
    """The same handler with its unary-unary behaviour wrapped; streaming handlers pass untouched."""
    if handler is None or handler.request_streaming or handler.response_streaming:
        return handler
    return grpc.unary_unary_rpc_method_handler(
        wrap(cast(UnaryBehavior, handler.unary_unary)),
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


def _metadata(context: Context, key: str) -> str | None:
    for name, value in context.invocation_metadata() or ():
        if name == key:
            return value if isinstance(value, str) else value.decode()
    return None


class CallPipeline(grpc.aio.ServerInterceptor):
    """Request id and deadline for downstream calls, one log line and metrics per call, error mapping."""

    def __init__(self, service: str) -> None:
        self._domain = f"{service}.fintech.svc"

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        grpc_service, grpc_method = split_method(handler_call_details.method)

        def wrap(behavior: UnaryBehavior) -> UnaryBehavior:
            async def handle(request: Any, context: Context) -> Any:
                rid = _metadata(context, REQUEST_ID_HEADER) or str(uuid.uuid4())
                remaining = context.time_remaining()
                request_id.set(rid)
                inbound_deadline.set(time.monotonic() + remaining if remaining is not None else None)
                structlog.contextvars.bind_contextvars(request_id=rid)
                started = time.perf_counter()
                code = grpc.StatusCode.OK
                try:
                    return await behavior(request, context)
                except DomainError as error:
                    code = grpc_code(error.code)
                    await context.abort_with_status(status_of(error, self._domain))
                except NotImplementedError:  # a generated base servicer: the contract has no implementation yet
                    code = grpc.StatusCode.UNIMPLEMENTED
                    await context.abort(code, f"{handler_call_details.method} is not implemented yet")
                except (grpc.aio.AbortError, asyncio.CancelledError):
                    code = context.code() or grpc.StatusCode.CANCELLED
                    raise
                except Exception as error:
                    if unreachable(error):  # a dependency down (database restarting): the caller retries
                        code = grpc.StatusCode.UNAVAILABLE
                        log.warning(
                            "rpc.dependency_unreachable", method=handler_call_details.method, error=safe_error(error)
                        )
                        await context.abort_with_status(status_of(DEPENDENCY_DOWN, self._domain))
                    else:
                        code = grpc.StatusCode.INTERNAL
                        # The stack without messages: an error's text may quote the request's personal data.
                        log.error(
                            "rpc.failed",
                            method=handler_call_details.method,
                            error=safe_error(error),
                            frames=safe_stack(error),
                        )
                        await context.abort_with_status(internal(rid))
                finally:
                    elapsed = time.perf_counter() - started
                    RPC_HANDLED.labels(grpc_service, grpc_method, code.name).inc()
                    RPC_LATENCY.labels(grpc_service, grpc_method).observe(elapsed)
                    ms = round(elapsed * 1e3, 3)
                    log.info("rpc", method=handler_call_details.method, code=code.name, ms=ms)
                    structlog.contextvars.unbind_contextvars("request_id")

            return handle

        return wrap_unary(handler, wrap)


class RequestValidation(grpc.aio.ServerInterceptor):
    """Rejects a request that breaks its contract's field rules, before the servicer sees it."""

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)

        def wrap(behavior: UnaryBehavior) -> UnaryBehavior:
            async def handle(request: Any, context: Context) -> Any:
                violations = validate(request)
                if violations:
                    fields = ", ".join(v.field for v in violations)
                    raise InvalidArgument(f"invalid request: {fields}", violations=violations)
                return await behavior(request, context)

            return handle

        return wrap_unary(handler, wrap)


def remaining_timeout(default: float, margin: float = 0.005) -> float:
    """Timeout for an outgoing call: the configured one, cut to what the inbound deadline leaves."""
    deadline = inbound_deadline.get()
    if deadline is None:
        return default
    return min(default, deadline - time.monotonic() - margin)
