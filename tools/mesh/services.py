"""The domain services: `python -m services.<name>`, ready when the standard gRPC health check says SERVING.

The probe is a real client: mTLS with the `cli` workload's certificate from the dev CA (`make certs`).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.runtime import grpc_env
from services.runtime.config import ROOT, Settings
from tools.mesh.component import Component, MetricsTarget, Program
from tools.mesh.settings_file import settings_file

PROBE_TIMEOUT = 2.0
# What each service needs running before its health can turn SERVING.
# features keeps its online rows in Redis; risk reads them there.
DEPENDS = {
    "ml": ("postgres", "kafka", "triton"),
    "features": ("postgres", "kafka", "redis"),
    "risk": ("postgres", "kafka", "redis"),
    # The lake writes its tables' files into the object store.
    "lake": ("postgres", "kafka", "object_store"),
    # The stream processor needs only Kafka (its state is RocksDB plus changelog topics) and its database.
    "analytics": ("postgres", "kafka"),
    # The console follows the analytics topics; it reads Prometheus when it runs (its SLO panel says when not).
    "console": ("kafka",),
}
DEFAULT_DEPENDS = ("postgres", "kafka")


def service_exists(name: str) -> bool:
    """The package may not be written yet; the mesh then runs without it."""
    return (ROOT / "services" / name / "__main__.py").exists()


class Service(Component):
    start_timeout = 60.0

    def __init__(self, settings: Settings, name: str) -> None:
        super().__init__(settings)
        self.name = name
        self.depends = DEPENDS.get(name, DEFAULT_DEPENDS)

    def metrics_targets(self) -> list[MetricsTarget]:
        return [MetricsTarget(self.name, self.settings.service(self.name).metrics_port)]

    def program(self) -> Program:
        return Program(
            command=[sys.executable, "-m", f"services.{self.name}"],
            # Services read exactly the launcher's settings (ports moved by tests included).
            # The TLS 1.3-only cipher list too, for grpc's import (services/runtime/grpc_env.py); an operator's wins.
            environment={
                "FINTECH_CONFIG": str(settings_file(self.settings)),
                "PYTHONUNBUFFERED": "1",
                grpc_env.CIPHER_SUITES: os.environ.get(grpc_env.CIPHER_SUITES, grpc_env.TLS13_CIPHER_SUITES),
            },
            stopwaitsecs=15,
            priority=100,
            # A changed settings file (ports, hosts) makes the running process stale: up() reports it.
            inputs=(settings_file(self.settings),),
        )

    async def ready(self) -> bool:
        return await asyncio.to_thread(self._serving)

    def _serving(self) -> bool:
        certs = self.settings.state_dir / "certs"
        try:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=_read(certs / "ca.pem"),
                private_key=_read(certs / "cli-key.pem"),
                certificate_chain=_read(certs / "cli.pem"),
            )
        except FileNotFoundError:
            return False
        address = self.settings.service(self.name).address
        with grpc.secure_channel(address, credentials) as channel:
            try:
                response = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=""), timeout=PROBE_TIMEOUT
                )
            except grpc.RpcError:
                return False
        return bool(response.status == health_pb2.HealthCheckResponse.SERVING)


def _read(path: Path) -> bytes:
    return path.read_bytes()
