"""A service's readiness probe is a real client: gRPC health over mTLS with the `cli` certificate."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from services.runtime.config import Settings, get_settings
from tools.certs import ensure_certs
from tools.mesh.aio import run_sync
from tools.mesh.services import Service


@pytest.fixture
def own_settings(tmp_path: Path) -> Settings:
    base = get_settings()
    # A free port of its own: the session's mesh may be running the real customer service on its port.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    services = {**base.services, "customer": base.services["customer"].model_copy(update={"port": port})}
    return base.model_copy(update={"mesh": base.mesh.model_copy(update={"state_dir": tmp_path}), "services": services})


@pytest.fixture
def health_server(own_settings: Settings) -> Iterator[health.HealthServicer]:
    certs = ensure_certs(own_settings)
    credentials = grpc.ssl_server_credentials(
        [((certs / "customer-key.pem").read_bytes(), (certs / "customer.pem").read_bytes())],
        root_certificates=(certs / "ca.pem").read_bytes(),
        require_client_auth=True,
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    server.add_secure_port(own_settings.service("customer").address, credentials)
    server.start()
    yield servicer
    server.stop(grace=None)


def test_ready_only_while_the_service_reports_serving(
    own_settings: Settings, health_server: health.HealthServicer
) -> None:
    probe = Service(own_settings, "customer")
    health_server.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
    assert run_sync(probe.ready()) is False
    health_server.set("", health_pb2.HealthCheckResponse.SERVING)
    assert run_sync(probe.ready()) is True


def test_not_ready_without_a_client_certificate(own_settings: Settings) -> None:
    # No certificates in the state directory: the probe cannot authenticate, so it is not ready.
    assert run_sync(Service(own_settings, "customer").ready()) is False
