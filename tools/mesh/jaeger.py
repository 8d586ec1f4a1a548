"""Jaeger v2: the mesh's trace collector and store. Services and Envoy send it spans over OTLP/gRPC.

The binary is built from its Go module by `make setup` (cached by version outside the clone, linked as
.tools/bin/jaeger). Its configuration (an OpenTelemetry Collector file) is generated from mesh.toml: OTLP
receivers (gRPC and HTTP), in-memory storage of the newest [jaeger] max_traces traces (a restart forgets them),
the query API, and its own metrics for Prometheus; every port moved off Jaeger's defaults. Its UI's assets
are not in a binary built this way: /api/v3/traces/{id} and `python -m tools.trace` read the traces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from services.runtime.config import ROOT, Settings
from tools.mesh import http_probe
from tools.mesh.component import Component, MeshError, MetricsTarget, Program

BINARY = ROOT / ".tools" / "bin" / "jaeger"
STORE = "memstore"


def collector_config(settings: Settings) -> dict[str, Any]:
    """Jaeger's configuration: OTLP in, batches into the in-memory store, the query API out."""
    j = settings.jaeger

    def endpoint(port: int) -> str:
        return f"{j.host}:{port}"

    return {
        "service": {
            "extensions": ["jaeger_storage", "jaeger_query"],
            "pipelines": {
                "traces": {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["jaeger_storage_exporter"]}
            },
            "telemetry": {
                "resource": {"service.name": "jaeger"},
                "logs": {"level": "warn", "encoding": "json"},
                "metrics": {
                    "level": "basic",
                    "readers": [{"pull": {"exporter": {"prometheus": {"host": j.host, "port": j.metrics_port}}}}],
                },
            },
        },
        "extensions": {
            "jaeger_storage": {"backends": {STORE: {"memory": {"max_traces": j.max_traces}}}},
            "jaeger_query": {
                "storage": {"traces": STORE},
                "http": {"endpoint": endpoint(j.query_port)},
                "grpc": {"endpoint": endpoint(j.query_grpc_port)},
            },
        },
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": endpoint(j.otlp_grpc_port)},
                    "http": {"endpoint": endpoint(j.otlp_http_port)},
                }
            }
        },
        # Spans reach the store once a second or per 1,000: the few seconds a test waits, little CPU.
        "processors": {"batch": {"timeout": "1s", "send_batch_size": 1000}},
        "exporters": {"jaeger_storage_exporter": {"trace_storage": STORE}},
    }


def query_url(settings: Settings, path: str) -> str:
    """A URL of Jaeger's query API: query_url(settings, "/api/v3/traces/<id>")."""
    return f"http://{settings.jaeger.host}:{settings.jaeger.query_port}{path}"


class Jaeger(Component):
    name = "jaeger"
    start_timeout = 30.0
    # Traces live in memory and are for looking at: a changed configuration restarts it.
    restart_when_stale = True

    @property
    def config_path(self) -> Path:
        return self.state_dir / "jaeger.yaml"

    def program(self) -> Program:
        if not BINARY.exists():
            raise MeshError(f"{BINARY} is missing: run `make setup` (it builds Jaeger v2)")
        return Program(
            command=[str(BINARY), "--config", str(self.config_path)],
            stopwaitsecs=10,
            priority=20,
            inputs=(self.config_path,),
        )

    def prepare(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # JSON is YAML: the collector reads it as its configuration file.
        text = json.dumps(collector_config(self.settings), indent=2) + "\n"
        if not self.config_path.exists() or self.config_path.read_text() != text:
            self.config_path.write_text(text)

    def metrics_targets(self) -> list[MetricsTarget]:
        return [MetricsTarget(self.name, self.settings.jaeger.metrics_port)]

    async def ready(self) -> bool:
        """The query API lists the services it has spans of (an empty list at first)."""
        return await http_probe.answers(query_url(self.settings, "/api/v3/services"))
