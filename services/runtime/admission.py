"""Admission control: a bound on the calls of one method in progress, so overload waits or is refused
instead of degrading every call in flight.

Past its capacity a service that takes every call makes all of them slow: downstream deadlines run
out (a payment whose screening times out is held for a person) although each part works. With a
bound, a call waits for a slot, at most `max_wait_seconds` and never past its own deadline; one that
gets none is refused with RESOURCE_EXHAUSTED (reason OVERLOADED, a `google.rpc.RetryInfo` delay; HTTP
429 through the edge) before the handler runs, so nothing was done and a retry with the same
idempotency key is safe. Limits are per worker process, in mesh.toml:

    [services.payments.admission.InitiatePayment]
    max_in_flight = 8        # about capacity x latency (Little's law)
    max_wait_seconds = 2.0

The interceptor runs after authorisation and validation: a caller who may not call, or a bad request,
is answered at once and never queues.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import grpc
from fintech.common.v1.error_reason_pb2 import ErrorReason
from google.protobuf import duration_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from prometheus_client import Counter, Gauge

from services.runtime.call_pipeline import Continuation, UnaryBehavior, wrap_unary
from services.runtime.config import AdmissionLimit
from services.runtime.errors import Code, DomainError
from services.runtime.grpc_types import Context, Handler
from services.runtime.observability import split_method

IN_FLIGHT = Gauge("grpc_server_admitted_in_flight", "Calls admitted and in progress, by method.", ["grpc_method"])
DEADLINE_MARGIN = 0.05  # seconds: the refusal has to reach the caller before its deadline does
WAITING = Gauge("grpc_server_admission_waiting", "Calls waiting for a slot, by method.", ["grpc_method"])
REFUSED = Counter("grpc_server_overload_refused_total", "Calls refused for want of a slot, by method.", ["grpc_method"])


class Overloaded(DomainError):
    code = Code.RESOURCE_EXHAUSTED
    reason = ErrorReason.ERROR_REASON_OVERLOADED

    def __init__(self, method: str, retry_after: float) -> None:
        super().__init__(
            f"{method} is at its limit of calls in progress; retry after {retry_after:g} s",
            metadata={"method": method, "retry_after_ms": str(round(retry_after * 1000))},
        )
        self.retry_after = retry_after

    def details(self) -> list[Message]:
        delay = duration_pb2.Duration()
        delay.FromMilliseconds(round(self.retry_after * 1000))
        return [*super().details(), error_details_pb2.RetryInfo(retry_delay=delay)]


class Gate:
    """The slots of one method: a semaphore, and how long a call may wait for it."""

    def __init__(self, method: str, limit: AdmissionLimit) -> None:
        self.method = method
        self.limit = limit
        self._slots = asyncio.Semaphore(limit.max_in_flight)
        self._in_flight = IN_FLIGHT.labels(method)
        self._waiting = WAITING.labels(method)
        self.waiting = 0  # calls in line for a slot now

    async def enter(self, time_remaining: float | None) -> None:
        """Take a slot, waiting at most the allowed wait and never past the call's own deadline."""
        if self._slots.locked():  # none free: wait in line
            wait = self.limit.max_wait_seconds
            if time_remaining is not None:  # refuse while the caller still listens
                wait = min(wait, time_remaining - DEADLINE_MARGIN)
            self.waiting += 1
            self._waiting.inc()
            try:
                await asyncio.wait_for(self._slots.acquire(), max(wait, 0.001))
            except TimeoutError:
                REFUSED.labels(self.method).inc()
                raise Overloaded(self.method, self.limit.max_wait_seconds) from None
            finally:
                self.waiting -= 1
                self._waiting.dec()
        else:
            await self._slots.acquire()  # free: returns at once
        self._in_flight.inc()

    def leave(self) -> None:
        self._in_flight.dec()
        self._slots.release()


class AdmissionControl(grpc.aio.ServerInterceptor):
    """Applies each configured method's gate; methods without a limit pass straight through."""

    def __init__(self, limits: Mapping[str, AdmissionLimit]) -> None:
        self._gates = {method: Gate(method, limit) for method, limit in limits.items()}

    def gate(self, method: str) -> Gate | None:
        return self._gates.get(method)

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        gate = self.gate(split_method(handler_call_details.method)[1])
        if gate is None:
            return handler

        def wrap(behavior: UnaryBehavior) -> UnaryBehavior:
            async def handle(request: Any, context: Context) -> Any:
                await gate.enter(context.time_remaining())
                try:
                    return await behavior(request, context)
                finally:
                    gate.leave()

            return handle

        return wrap_unary(handler, wrap)
