"""Run one service: a grpc.aio server with mTLS, policy, health, reflection, metrics and graceful drain.

A service's `main` describes itself as a `Service` and calls `run(service)`:

    run(Service(
        name="payments",
        servicers=[(payment_initiation_service_pb2_grpc.add_PaymentInitiationServiceServicer_to_server,
                    PaymentInitiation(...))],
        readiness={"database": db.ready},
    ))
"""

from __future__ import annotations

import asyncio
import importlib
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import grpc
import structlog
import uvloop
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.instrumentation.grpc import aio_server_interceptor

from services.runtime.access import AccessControl
from services.runtime.admission import AdmissionControl
from services.runtime.authz import AuthorizationInterceptor, PolicySet
from services.runtime.call_pipeline import CallPipeline, RequestValidation
from services.runtime.config import ROOT, Settings, get_settings
from services.runtime.health import HealthReporter, ReadinessCheck
from services.runtime.observability import configure_logging, configure_tracing, serve_metrics
from services.runtime.tls import server_credentials

log = structlog.get_logger("server")

GRACE_SECONDS = 10.0
SERVER_OPTIONS = [
    ("grpc.max_receive_message_length", 4 * 1024 * 1024),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.so_reuseport", 0),
]


# A generated add_XServicer_to_server(servicer, server): registers one gRPC service's servicer.
AddServicer = Callable[..., None]


@dataclass
class Service:
    """What a service brings; the runtime does the rest."""

    name: str
    # (add_XServicer_to_server, servicer) pairs from the generated grpcio stubs.
    servicers: Sequence[tuple[AddServicer, object]]
    # Named readiness checks; the service is SERVING only while all pass.
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    # Called once before the port opens (migrations) and after the server stopped (close pools).
    startup: Sequence[Callable[[], Awaitable[None]]] = ()
    shutdown: Sequence[Callable[[], Awaitable[None]]] = ()


def _service_names(servicers: Sequence[tuple[AddServicer, object]]) -> list[str]:
    """Full names of the gRPC services the servicers implement, from their generated modules."""
    names = []
    for add, _ in servicers:
        pb2 = importlib.import_module(add.__module__.removesuffix("_grpc"))
        service = add.__name__.removeprefix("add_").removesuffix("Servicer_to_server")
        names.append(pb2.DESCRIPTOR.services_by_name[service].full_name)
    return names


def build_server(service: Service, settings: Settings, health: HealthReporter) -> grpc.aio.Server:
    policies = PolicySet.load(ROOT / "istio")
    server = grpc.aio.server(
        interceptors=[
            aio_server_interceptor(),  # type: ignore[no-untyped-call]  # OpenTelemetry's is untyped
            CallPipeline(service.name),
            AuthorizationInterceptor(policies, service.name, settings.mesh.mode),
            AccessControl(settings),
            RequestValidation(),
            AdmissionControl(settings.service(service.name).admission),
        ],
        options=SERVER_OPTIONS,
    )
    for add, servicer in service.servicers:
        add(servicer, server)
    health_pb2_grpc.add_HealthServicer_to_server(health.servicer, server)
    reflection.enable_server_reflection(
        [*_service_names(service.servicers), health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
         reflection.SERVICE_NAME],
        server,
    )  # fmt: skip
    own = settings.service(service.name)
    address = f"{own.host}:{own.port}"
    if settings.mesh.mode == "local":
        server.add_secure_port(address, server_credentials(service.name, settings))
    else:  # behind the Istio sidecar, which terminates mTLS and forwards the caller's identity
        server.add_insecure_port(address)
    return server


async def serve(service: Service, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    configure_logging(service.name)
    tracer_provider = configure_tracing(service.name, settings)
    for step in service.startup:
        await step()
    health = HealthReporter(_service_names(service.servicers), service.readiness)
    server = build_server(service, settings, health)
    serve_metrics(settings.service(service.name).metrics_port, settings.service(service.name).host)
    await server.start()
    await health.evaluate()
    tasks = [asyncio.create_task(health.run(), name="health")]
    log.info("server.started", address=settings.service(service.name).address, mode=settings.mesh.mode)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()

    # Drain: stop advertising, refuse new calls, let in-flight calls finish within the grace period.
    log.info("server.draining", grace_seconds=GRACE_SECONDS)
    await health.drain()
    await server.stop(GRACE_SECONDS)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for step in service.shutdown:
        await step()
    tracer_provider.shutdown()  # sends the spans still queued (at most the exporter's timeout)
    log.info("server.stopped")


def run(service: Service) -> None:
    uvloop.run(serve(service))
