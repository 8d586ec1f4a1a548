"""Calls to other services, from one place: channels, deadlines, retries and circuit breakers.

- Channel: mTLS with the calling workload's certificate in local mode; plaintext to the Istio
  sidecar in cluster mode (the sidecar does mTLS).
- Deadline: every call gets the configured timeout, cut to what the inbound call has left, so
  work never outlives the caller's patience; a call with no time left is not made.
- Retries: gRPC's own retry policy (service config), only for methods the contract declares
  safe to repeat (`idempotency_level` NO_SIDE_EFFECTS or IDEMPOTENT), only on UNAVAILABLE.
- Circuit breaker: one per dependency; after repeated UNAVAILABLE/DEADLINE_EXCEEDED it opens
  and calls fail fast with UNAVAILABLE (reason DEPENDENCY_UNAVAILABLE) until it half-opens.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar, cast

import grpc
from google.protobuf import descriptor_pb2
from google.protobuf.message import Message
from opentelemetry.instrumentation.grpc import aio_client_interceptors
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from services.runtime.call_pipeline import REQUEST_ID_HEADER, remaining_timeout, request_id
from services.runtime.config import Settings, get_settings
from services.runtime.contracts import service_modules
from services.runtime.errors import DeadlineExceeded, Unavailable
from services.runtime.tls import channel_credentials, server_identity_options

DEFAULT_TIMEOUT = 2.0
# Failures that mean "the dependency is in trouble"; business errors (INVALID_ARGUMENT, ...) do not count.
_BREAKER_FAILURES = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED}
_SAFE_TO_REPEAT = {descriptor_pb2.MethodOptions.NO_SIDE_EFFECTS, descriptor_pb2.MethodOptions.IDEMPOTENT}


class _BusinessError(Exception):
    """Wraps an RpcError the breaker must not count, so it passes through `exclude`."""

    def __init__(self, error: grpc.aio.AioRpcError) -> None:
        super().__init__(error.details())
        self.error = error


S = TypeVar("S")


class _BoundLate:
    """A stub whose methods are looked up on the client's current channel at each use."""

    def __init__(self, client: ServiceClient, stub_class: type) -> None:
        self._client = client
        self._stub_class = stub_class

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client._bound(self._stub_class), name)


@lru_cache(maxsize=16)
def retry_service_config(domain: str) -> str:
    """gRPC service config retrying the domain's safe-to-repeat methods on UNAVAILABLE."""
    names = [
        {"service": service.full_name, "method": method.name}
        for module in service_modules(domain)
        for service in module.DESCRIPTOR.services_by_name.values()
        for method in service.methods
        if method.GetOptions().idempotency_level in _SAFE_TO_REPEAT
    ]
    policy = {
        "maxAttempts": 3,
        "initialBackoff": "0.02s",
        "maxBackoff": "0.2s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"],
    }
    return json.dumps({"methodConfig": [{"name": names, "retryPolicy": policy}] if names else []})


class ServiceClient:
    """A caller's connection to one service of the mesh, e.g. payments -> risk.

    The one way a service builds a client: made in its `build()`, handed to what calls it, and listed among the
    service's background parts (`domain_service(..., background=[client])`). A grpc.aio channel belongs to the
    loop it was made in, so `start` opens it once the server's loop runs and `stop` closes it.
    """

    def __init__(
        self,
        caller: str,
        target: str,
        *,
        settings: Settings | None = None,
        breakers: AsyncCircuitBreakerFactory | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        settings = settings or get_settings()
        self.target = target
        self._timeout = timeout
        # A call cancelled because its caller went away (a client disconnecting mid-call cancels the whole
        # chain) says nothing of the dependency: without excluding it, a load tool's connections closing
        # at once opened the breaker and held every payment for 5 s (purgatory counts it as an ended call).
        self._breakers = breakers or AsyncCircuitBreakerFactory(
            default_threshold=5, default_ttl=5.0, exclude=[_BusinessError, asyncio.CancelledError]
        )
        self._caller = caller
        self._settings = settings
        self._channel: grpc.aio.Channel | None = None
        self._stubs: dict[int, dict[type, object]] = {}  # per channel: one stub per stub class

    async def start(self) -> None:
        """Open the channel in the running loop."""
        if self._channel is not None:
            return
        address = self._settings.service(self.target).address
        options = [("grpc.enable_retries", 1), ("grpc.service_config", retry_service_config(self.target))]
        interceptors = aio_client_interceptors()  # type: ignore[no-untyped-call]  # OpenTelemetry's is untyped
        if self._settings.mesh.mode == "local":
            credentials = channel_credentials(self._caller, self._settings)
            options += server_identity_options(self.target, self._settings)  # the server must be `target`
            self._channel = grpc.aio.secure_channel(address, credentials, options, interceptors=interceptors)
        else:
            self._channel = grpc.aio.insecure_channel(address, options, interceptors=interceptors)

    async def stop(self) -> None:
        if self._channel is not None:
            channel, self._channel = self._channel, None
            self._stubs = {}
            await channel.close()

    close = stop

    @property
    def channel(self) -> grpc.aio.Channel:
        if self._channel is None:
            raise RuntimeError(f"the client of {self.target} is not started (list it among the service's background)")
        return self._channel

    def stub(self, stub_class: type[S]) -> S:
        """A stub of the service, usable from construction on: its methods bind to the channel when called (after
        `start`), so the objects that call can be built before the loop runs."""
        return cast(S, _BoundLate(self, stub_class))

    def _bound(self, stub_class: type[S]) -> S:
        channel = self.channel
        stubs = self._stubs.get(id(channel))
        if stubs is None:
            self._stubs = {id(channel): (stubs := {})}
        if stub_class not in stubs:
            make_stub = cast(Callable[[grpc.aio.Channel], object], stub_class)  # a generated stub takes its channel
            stubs[stub_class] = make_stub(channel)
        return cast(S, stubs[stub_class])

    async def call(self, method: Callable[..., Any], request: Message, *, timeout: float | None = None) -> Any:
        """Call `method` (a stub attribute) with deadline, request id and the dependency's breaker."""
        budget = remaining_timeout(timeout or self._timeout)
        if budget <= 0:
            raise DeadlineExceeded(f"no time left to call {self.target}")
        metadata = ((REQUEST_ID_HEADER, request_id.get()),) if request_id.get() else ()
        breaker = await self._breakers.get_breaker(self.target)
        try:
            async with breaker:
                try:
                    return await method(request, timeout=budget, metadata=metadata)
                except grpc.aio.AioRpcError as error:
                    if error.code() in _BREAKER_FAILURES:
                        raise
                    raise _BusinessError(error) from None
        except _BusinessError as wrapped:
            raise wrapped.error from None
        except OpenedState as opened:
            message = f"{self.target} is unavailable (circuit open)"
            raise Unavailable(message, metadata={"dependency": self.target}) from opened
