"""Redis in the cluster: one StatefulSet with its append-only file on a volume, reachable only by its clients.

Clients are the workloads whose local mesh programs depend on Redis (tools/mesh/services.py DEPENDS) plus the
edge's rate-limit service, so the NetworkPolicy and the AuthorizationPolicy follow the code. Inside the mesh the
sidecars carry the connection over mTLS (the services speak plain Redis to theirs, as in cluster mode they
speak plain gRPC); the password comes from the Secret `redis-auth` (key `password`), never from a ConfigMap.
A bank that runs a managed Redis or Valkey points FINTECH_REDIS__HOST at it and drops this file.
"""

from __future__ import annotations

from typing import Any

from services.runtime.config import Settings
from tools.mesh.services import DEPENDS

Resource = dict[str, Any]

IMAGE = "redis"  # the Redis project's image; kustomization.yaml pins its tag (the local mesh runs 7.0)
PORT = 6379
SECRET = "redis-auth"
RUN_AS = 999  # the image's redis user
EDGE_RATE_LIMIT = "ratelimit"


def clients() -> list[str]:
    return sorted([name for name, depends in DEPENDS.items() if "redis" in depends] + [EDGE_RATE_LIMIT])


def password_env(name: str) -> Resource:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": SECRET, "key": "password"}}}


def redis_resources(settings: Settings, metadata: Any) -> list[Resource]:
    namespace = settings.mesh.namespace
    ping = ["sh", "-c", 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG']
    container = {
        "name": "redis",
        "image": IMAGE,
        # $(REDIS_PASSWORD) is expanded by the kubelet from the Secret. Only keys with a TTL are evicted.
        "args": [
            "redis-server",
            *("--port", str(PORT), "--dir", "/data"),
            *("--appendonly", "yes", "--appendfsync", "everysec", "--save", ""),
            *("--maxmemory", f"{settings.redis.max_memory_mb}mb", "--maxmemory-policy", "volatile-lru"),
            *("--requirepass", "$(REDIS_PASSWORD)"),
        ],
        "env": [password_env("REDIS_PASSWORD")],
        "ports": [{"name": "tcp-redis", "containerPort": PORT, "protocol": "TCP"}],
        "readinessProbe": {"exec": {"command": ping}, "periodSeconds": 5},
        "livenessProbe": {"tcpSocket": {"port": PORT}, "periodSeconds": 20},
        "resources": {
            "requests": {"cpu": "100m", "memory": f"{settings.redis.max_memory_mb + 64}Mi"},
            "limits": {"cpu": "1", "memory": f"{settings.redis.max_memory_mb * 2}Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
    }
    stateful_set = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": metadata("redis", "redis"),
        "spec": {
            "serviceName": "redis",
            "replicas": 1,
            "selector": {"matchLabels": {"app": "redis"}},
            "template": {
                "metadata": {"labels": {"app": "redis", "version": "v1"}},
                "spec": {
                    "serviceAccountName": "redis",
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": RUN_AS,
                        "runAsGroup": RUN_AS,
                        "fsGroup": RUN_AS,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [container],
                    "terminationGracePeriodSeconds": 30,
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}},
                }
            ],
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata("redis", "redis"),
        "spec": {
            "selector": {"app": "redis"},
            # appProtocol redis: Istio treats it as TCP and the sidecars do mTLS.
            "ports": [
                {
                    "name": "tcp-redis",
                    "port": PORT,
                    "targetPort": "tcp-redis",
                    "protocol": "TCP",
                    "appProtocol": "redis",
                }
            ],
        },
    }
    network_policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata("redis", "redis"),
        "spec": {
            "podSelector": {"matchLabels": {"app": "redis"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"app": client}}} for client in clients()],
                    "ports": [{"protocol": "TCP", "port": PORT}],
                }
            ],
        },
    }
    authorization = {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": {"name": "redis", "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": {"app": "redis"}},
            "action": "ALLOW",
            "rules": [
                {
                    "from": [
                        {"source": {"principals": [settings.spiffe_id(c).removeprefix("spiffe://") for c in clients()]}}
                    ],
                    "to": [{"operation": {"ports": [str(PORT)]}}],
                }
            ],
        },
    }
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata("redis", "redis"),
        "automountServiceAccountToken": False,
    }
    budget = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata("redis", "redis"),
        # One replica: a node drain waits for an operator instead of dropping the online store unannounced
        # (the dev overlay, like every budget there, lets it go).
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "redis"}}},
    }
    return [account, stateful_set, service, budget, network_policy, authorization]
