"""The operations console's Kubernetes resources: a Deployment with no database, its Service (gRPC health, the web
port the edge calls, metrics), a NetworkPolicy that lets the edge alone reach the web port, and its ServiceMonitor.

The helpers come from tools/k8s/manifests.py (passed in, as for the rate limit service), so every workload is
hardened and labelled the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.runtime.config import Settings

Resource = dict[str, Any]
NAME = "console"
EDGE = "edge-gateway"


def console_resources(
    settings: Settings,
    env_name: Callable[..., str],
    deployment: Callable[..., Resource],
    service: Callable[..., Resource],
    network_policy: Callable[..., Resource],
    service_account: Callable[[str], Resource],
    service_monitor: Callable[[str, str, str], Resource],
    image: str,
) -> list[Resource]:
    own, web = settings.service(NAME), settings.console.http_port
    grpc_probe = {"grpc": {"port": own.port}}
    container = {
        "name": NAME,
        "image": image,
        "command": ["python", "-m", f"services.{NAME}"],
        "ports": [
            {"name": "grpc", "containerPort": own.port, "protocol": "TCP"},
            {"name": "http-web", "containerPort": web, "protocol": "TCP"},
            {"name": "http-metrics", "containerPort": own.metrics_port, "protocol": "TCP"},
        ],
        "envFrom": [{"configMapRef": {"name": "fintech-config"}}],
        "env": [
            # Bind every address of the pod: the sidecar forwards to them, Prometheus scrapes the metrics port.
            {"name": env_name("services", NAME, "host"), "value": "0.0.0.0"},
            {"name": env_name("console", "host"), "value": "0.0.0.0"},
            # Prometheus in the monitoring namespace (the SLO panel reads its HTTP API).
            {"name": env_name("prometheus", "host"), "value": "prometheus-operated.monitoring.svc.cluster.local"},
            {"name": env_name("prometheus", "port"), "value": "9090"},
        ],
        # SERVING once the view has caught up with the aggregate topics.
        "readinessProbe": grpc_probe | {"periodSeconds": 5, "failureThreshold": 2},
        "livenessProbe": {
            "grpc": {"port": own.port, "service": "liveness"},
            "periodSeconds": 20,
            "failureThreshold": 3,
            "timeoutSeconds": 3,
        },  # fmt: skip
        "startupProbe": grpc_probe | {"periodSeconds": 2, "failureThreshold": 60},
        "resources": {"requests": {"cpu": "50m", "memory": "192Mi"}, "limits": {"cpu": "500m", "memory": "384Mi"}},
    }
    policy = network_policy(NAME, [EDGE], web, own.metrics_port)
    return [
        service_account(NAME),
        deployment(
            NAME, [container], annotations={"traffic.sidecar.istio.io/excludeInboundPorts": str(own.metrics_port)}
        ),
        service(
            NAME, [("grpc", own.port, "grpc"), ("http-web", web, "http"), ("http-metrics", own.metrics_port, "http")]
        ),
        policy,
        service_monitor(NAME, "http-metrics", "/metrics"),
    ]
