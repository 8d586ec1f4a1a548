"""The edge's global rate limit in the cluster: envoyproxy/ratelimit, counting each client's requests in Redis.

The same limits file the local mesh writes (tools/edge/rate_limits.py, from mesh.toml [edge]) comes from a
ConfigMap. In the cluster the sidecars carry Envoy's gRPC and the Redis connection over mTLS, so the service
speaks plaintext to both (the local mesh gives it certificates instead); its Redis password comes from the
Secret `redis-auth`. Only the edge gateway may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from services.runtime.config import Settings
from tools.edge.rate_limits import service_config
from tools.k8s import redis
from tools.k8s.edge import RATE_LIMIT, RATE_LIMIT_GRPC_PORT

Resource = dict[str, Any]

IMAGE = "envoyproxy/ratelimit"  # kustomization.yaml pins the tag of the commit the local mesh builds
HTTP_PORT = 8080  # /healthcheck
METRICS_PORT = 9090
CONFIG_ROOT = "/data"  # RUNTIME_ROOT; the limits file is <root>/ratelimit/config/limits.yaml
EDGE = "edge-gateway"


def ratelimit_resources(
    settings: Settings,
    metadata: Callable[[str, str], Resource],
    deployment: Callable[..., Resource],
    service: Callable[[str, list[tuple[str, int, str]]], Resource],
    network_policy: Callable[..., Resource],
    service_account: Callable[[str], Resource],
    pdb: Callable[[str], Resource],
) -> list[Resource]:
    namespace = settings.mesh.namespace
    limits = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata("ratelimit-config", RATE_LIMIT),
        "data": {"limits.yaml": yaml.safe_dump(service_config(settings), sort_keys=False)},
    }
    env = {
        "HOST": "0.0.0.0",
        "PORT": str(HTTP_PORT),
        "GRPC_HOST": "0.0.0.0",
        "GRPC_PORT": str(RATE_LIMIT_GRPC_PORT),
        "LOG_LEVEL": "warn",
        "LOG_FORMAT": "json",
        "USE_STATSD": "false",
        "USE_PROMETHEUS": "true",
        "PROMETHEUS_ADDR": f":{METRICS_PORT}",
        "RUNTIME_ROOT": CONFIG_ROOT,
        "RUNTIME_SUBDIRECTORY": "ratelimit",
        "RUNTIME_APPDIRECTORY": "config",
        "RUNTIME_IGNOREDOTFILES": "true",
        "RUNTIME_WATCH_ROOT": "false",
        "HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED": "true",
        "REDIS_HEALTH_CHECK_ACTIVE_CONNECTION": "true",
        "BACKEND_TYPE": "redis",
        "REDIS_SOCKET_TYPE": "tcp",
        "REDIS_TYPE": "single",
        "REDIS_URL": f"redis.{namespace}.svc.cluster.local:{redis.PORT}",
        "REDIS_TIMEOUT": f"{int(settings.redis.timeout_seconds * 1000)}ms",
        "LIMIT_RESPONSE_HEADERS_ENABLED": "false",
    }
    container = {
        "name": RATE_LIMIT,
        "image": IMAGE,
        "command": ["/bin/ratelimit"],
        "env": [
            *({"name": name, "value": value} for name, value in env.items()),
            redis.password_env("REDIS_PASSWORD"),
            # user:password, as the local mesh gives it (a colon in the password would otherwise split it).
            {"name": "REDIS_AUTH", "value": "default:$(REDIS_PASSWORD)"},
        ],
        "ports": [
            {"name": "grpc", "containerPort": RATE_LIMIT_GRPC_PORT, "protocol": "TCP"},
            {"name": "http", "containerPort": HTTP_PORT, "protocol": "TCP"},
            {"name": "http-metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
        ],
        # 200 once the limits are loaded and while Redis answers.
        "readinessProbe": {"httpGet": {"path": "/healthcheck", "port": HTTP_PORT}, "periodSeconds": 5},
        "livenessProbe": {"tcpSocket": {"port": RATE_LIMIT_GRPC_PORT}, "periodSeconds": 20},
        "volumeMounts": [{"name": "limits", "mountPath": f"{CONFIG_ROOT}/ratelimit/config", "readOnly": True}],
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}},
    }
    return [
        service_account(RATE_LIMIT),
        limits,
        deployment(
            RATE_LIMIT,
            [container],
            volumes=[{"name": "limits", "configMap": {"name": "ratelimit-config"}}],
            annotations={"traffic.sidecar.istio.io/excludeInboundPorts": str(METRICS_PORT)},
        ),
        service(RATE_LIMIT, [("grpc", RATE_LIMIT_GRPC_PORT, "grpc"), ("http-metrics", METRICS_PORT, "http")]),
        pdb(RATE_LIMIT),
        network_policy(RATE_LIMIT, [EDGE], RATE_LIMIT_GRPC_PORT, METRICS_PORT),
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": {"name": RATE_LIMIT, "namespace": namespace},
            "spec": {
                "selector": {"matchLabels": {"app": RATE_LIMIT}},
                "action": "ALLOW",
                "rules": [
                    {
                        "from": [{"source": {"principals": [settings.spiffe_id(EDGE).removeprefix("spiffe://")]}}],
                        "to": [{"operation": {"paths": ["/envoy.service.ratelimit.v3.RateLimitService/*"]}}],
                    }
                ],
            },
        },
    ]
