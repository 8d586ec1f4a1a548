"""The Kubernetes resources of k8s/base/generated/, as data.

Everything with a name, a port or a caller in it comes from the project's own sources: mesh.toml
(ports), services.runtime.config (the FINTECH_* variables), tools.certs (the workloads, so the
ServiceAccounts match the SPIFFE ids), istio/ (who may call whom, for the NetworkPolicies),
tools.mesh.kafka (the topics) and tools.k8s.edge (the edge's ports).
"""

from __future__ import annotations

from typing import Any

from services.runtime.config import SERVICES, Settings
from services.runtime.contracts import has_contracts
from tools.k8s import edge, gitops, rollouts
from tools.k8s.console import console_resources
from tools.k8s.flags import FLAG_CLIENTS, flag_client_env, flag_resources
from tools.k8s.flags import POD_ANNOTATIONS as FLAG_POD_ANNOTATIONS
from tools.k8s.ratelimit import ratelimit_resources
from tools.k8s.redis import PORT as REDIS_PORT
from tools.k8s.redis import clients as redis_clients
from tools.k8s.redis import password_env, redis_resources
from tools.k8s.spark_jobs import spark_job_resources
from tools.mesh.kafka import topic_config, topics
from tools.observability.analysis import analysis_templates
from tools.observability.rules import rule_groups
from tools.policy.check import Policies

Resource = dict[str, Any]

IMAGE = "fintech-mesh"  # the services' image (k8s/image/Containerfile); overlays pin its tag
ENVOY_IMAGE = "envoyproxy/envoy"
APP_DIR = "/app"  # where the image holds the repository
STATE_DIR = "/var/lib/fintech"  # FINTECH_MESH__STATE_DIR: a writable emptyDir (the root filesystem is read-only)
KAFKA_CLUSTER = "fintech"  # Strimzi Kafka (k8s/base/kafka.yaml)
KAFKA_PORT = 9092  # its plain listener
KAFKA_REPLICAS = 3
POSTGRES_PORT = 5432
MONITORING_NAMESPACE = "monitoring"  # where Prometheus runs: the only one that may scrape metrics ports
# Spans go over OTLP/gRPC to a Jaeger (or any OpenTelemetry) collector Service in the monitoring namespace.
TRACE_COLLECTOR = f"jaeger-collector.{MONITORING_NAMESPACE}.svc.cluster.local"
TRACE_COLLECTOR_PORT = 4317
TRACE_COLLECTOR_HTTP_PORT = 4318  # Triton exports over OTLP/HTTP
# One trace in ten starts sampled at the edge: exporting costs about 2 ms of CPU per traced payment across the
# mesh (README, Traces); locally every payment is traced ([tracing] sample_ratio = 1.0).
TRACE_SAMPLE_RATIO = 0.1
ISTIO_NAMESPACE = "istio-system"
CNPG_NAMESPACE = "cnpg-system"  # where the CloudNativePG operator runs
RUN_AS = 10001
# The app waits for its sidecar: its first calls (database, Kafka, other services) go through it.
PROXY_CONFIG = {"proxy.istio.io/config": "holdApplicationUntilProxyStarts: true"}
# Calls a service makes besides gRPC ones to the mesh's services: they go to these, by label.
INFRASTRUCTURE_CLIENTS = {"triton": ["ml"], edge.ISSUER: ["edge-gateway"]}
# Secrets whose keys are whole FINTECH_* variables: the customer service's PII keys (KEKs, page-token and
# pseudonymisation keys; services/customer/config.py) never live in a ConfigMap or in the repository.
# Each service's keys (KEK, page-token key; ml has only the latter): without them every pod would make its own,
# and replicas could not open each other's sealed data or page tokens.
SECRETS = {name: [{"secretRef": {"name": f"{name}-keys"}}] for name in ("customer", "risk", "payments", "ml")}
# The data platform's object store in a cluster: the bank's S3 (its endpoint here, the bucket from mesh.toml);
# its credentials come from this Secret (keys access-key, secret-key), given to the services that use it.
OBJECT_STORE_ENDPOINT = "https://s3.bank.internal"
OBJECT_STORE_SECRET = "object-store-credentials"
OBJECT_STORE_CLIENTS = ("lake",)
# Bigger pods for the services that hold models or large feature windows in memory.
MEMORY = {"ml": ("512Mi", "1Gi"), "features": ("384Mi", "768Mi")}


def metadata(name: str, app: str) -> dict[str, Any]:
    return {"name": name, "labels": {"app": app, "app.kubernetes.io/part-of": "fintech-mesh"}}


def env_name(*parts: str) -> str:
    """FINTECH_<SECTION>__<KEY>, as services/runtime/config.py reads it."""
    return "FINTECH_" + "__".join(part.upper() for part in parts)


# -- shared configuration -------------------------------------------------------------------------------


def config_map(settings: Settings) -> Resource:
    namespace = settings.mesh.namespace
    data = {
        env_name("mesh", "mode"): "cluster",
        env_name("mesh", "namespace"): namespace,
        env_name("mesh", "trust_domain"): settings.mesh.trust_domain,
        env_name("mesh", "state_dir"): STATE_DIR,
        env_name("kafka", "host"): f"{KAFKA_CLUSTER}-kafka-bootstrap.{namespace}.svc.cluster.local",
        env_name("kafka", "port"): str(KAFKA_PORT),
        env_name("triton", "host"): f"triton.{namespace}.svc.cluster.local",
        env_name("postgres", "port"): str(POSTGRES_PORT),
        env_name("redis", "host"): f"redis.{namespace}.svc.cluster.local",
        env_name("redis", "port"): str(REDIS_PORT),
        env_name("jaeger", "host"): TRACE_COLLECTOR,
        env_name("jaeger", "otlp_grpc_port"): str(TRACE_COLLECTOR_PORT),
        env_name("jaeger", "otlp_http_port"): str(TRACE_COLLECTOR_HTTP_PORT),
        env_name("tracing", "sample_ratio"): str(TRACE_SAMPLE_RATIO),
        env_name("object_store", "endpoint"): OBJECT_STORE_ENDPOINT,
        env_name("object_store", "bucket"): settings.object_store.bucket,
    }
    for name in SERVICES:
        data[env_name("services", name, "host")] = f"{name}.{namespace}.svc.cluster.local"
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata("fintech-config", "fintech"), "data": data}


# -- one domain service -----------------------------------------------------------------------------------


def service_resources(settings: Settings, name: str, callers: list[str]) -> list[Resource]:
    own = settings.service(name)
    ports = [
        {"name": "grpc", "containerPort": own.port, "protocol": "TCP"},
        {"name": "http-metrics", "containerPort": own.metrics_port, "protocol": "TCP"},
    ]
    env = [
        # Bind every address of the pod: the sidecar forwards to it, Prometheus scrapes it.
        {"name": env_name("services", name, "host"), "value": "0.0.0.0"},
        {"name": env_name("postgres", "host"), "value": f"{name}-db-rw"},
        _secret_env(env_name("postgres", "user"), f"{name}-db-app", "username"),
        _secret_env(env_name("postgres", "password"), f"{name}-db-app", "password"),
        *([password_env(env_name("redis", "password"))] if name in redis_clients() else []),
        *(_object_store_env() if name in OBJECT_STORE_CLIENTS else []),
        *(flag_client_env(env_name) if name in FLAG_CLIENTS else []),  # flags from the injected flagd sidecar
    ]
    grpc_probe = {"grpc": {"port": own.port}}
    container = {
        "name": name,
        "image": IMAGE,
        "command": ["python", "-m", f"services.{name}"],
        "ports": ports,
        "envFrom": [{"configMapRef": {"name": "fintech-config"}}, *SECRETS.get(name, [])],
        "env": env,
        # SERVING only while the database and Kafka answer: traffic stops, the pod stays.
        "readinessProbe": grpc_probe | {"periodSeconds": 5, "failureThreshold": 2},
        # "liveness" answers SERVING while the process answers at all: a dependency outage never restarts pods.
        "livenessProbe": {
            "grpc": {"port": own.port, "service": "liveness"},
            "periodSeconds": 20,
            "failureThreshold": 3,
            "timeoutSeconds": 3,
        },  # fmt: skip
        "startupProbe": grpc_probe | {"periodSeconds": 2, "failureThreshold": 60},
        "resources": _resources("100m", "1", *MEMORY.get(name, ("256Mi", "512Mi"))),
    }
    deployment = _deployment(
        name,
        [container],
        annotations={"traffic.sidecar.istio.io/excludeInboundPorts": str(own.metrics_port)}
        | (FLAG_POD_ANNOTATIONS if name in FLAG_CLIENTS else {}),
    )
    service = _service(name, [("grpc", own.port, "grpc"), ("http-metrics", own.metrics_port, "http")])
    # A service with an API gets a canary with Istio's weights; a health-only consumer shifts replicas.
    host = f"{name}.{settings.mesh.namespace}.svc.cluster.local" if has_contracts(name) else None
    routing = [rollouts.virtual_service(name, host, settings.mesh.namespace)] if host else []
    return [
        _service_account(name),
        rollouts.canary(deployment, host),
        service,
        *routing,
        rollouts.scale_rollout(_hpa(name)),
        _pdb(name),
        _network_policy(name, callers, own.port, own.metrics_port),
        _service_monitor(name, "http-metrics", "/metrics", by_version=True),
        _database(name),
        _database_network_policy(name),
    ]


def _object_store_env() -> list[Resource]:
    return [
        _secret_env(env_name("object_store", "access_key"), OBJECT_STORE_SECRET, "access-key"),
        _secret_env(env_name("object_store", "secret_key"), OBJECT_STORE_SECRET, "secret-key"),
    ]


MAX_CONNECTIONS = 300  # of each service's PostgreSQL; tests/k8s checks it against every overlay's replicas


def _database(name: str) -> Resource:
    """A CloudNativePG cluster per service; its `<name>-db-app` Secret holds the owner's credentials."""
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": metadata(f"{name}-db", name),
        "spec": {
            "instances": 1,
            "imageName": "ghcr.io/cloudnative-pg/postgresql:16.4",
            "bootstrap": {"initdb": {"database": name, "owner": name}},
            "enableSuperuserAccess": False,
            "storage": {"size": "1Gi"},
            # Each replica of the service keeps up to pool_size + max_overflow connections (20): room for
            # the prod overlay's 12 replicas, migrations and the operator's own (CNPG's default is 100).
            # terse: the server log keeps no DETAIL, which quotes a refused row's (personal) values.
            "postgresql": {"parameters": {"max_connections": str(MAX_CONNECTIONS), "log_error_verbosity": "terse"}},
            "resources": _resources("100m", "1", "256Mi", "512Mi"),
            # Not in the mesh: clients reach PostgreSQL over its own TLS (CNPG's certificates).
            "inheritedMetadata": {"annotations": {"sidecar.istio.io/inject": "false"}},
            "monitoring": {"enablePodMonitor": True},
        },
    }


def _database_network_policy(name: str) -> Resource:
    """The service alone reaches its database; the instances replicate to each other; the CNPG operator
    manages them (status port 8000) and Prometheus scrapes them (9187)."""
    cluster = {"cnpg.io/cluster": f"{name}-db"}

    def tcp(*ports: int) -> list[Resource]:
        return [{"protocol": "TCP", "port": port} for port in ports]

    def namespace(label: str) -> Resource:
        return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": label}}}

    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(f"{name}-db", name),
        "spec": {
            "podSelector": {"matchLabels": cluster},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [{"podSelector": {"matchLabels": {"app": name}}}], "ports": tcp(POSTGRES_PORT)},
                {"from": [{"podSelector": {"matchLabels": cluster}}], "ports": tcp(POSTGRES_PORT, 8000)},
                {"from": [namespace(CNPG_NAMESPACE)], "ports": tcp(POSTGRES_PORT, 8000)},
                {"from": [namespace(MONITORING_NAMESPACE)], "ports": tcp(9187)},
            ],
        },
    }


# -- the REST edge, its token issuer, Triton ------------------------------------------------------------


def edge_resources(settings: Settings) -> list[Resource]:
    name = "edge-gateway"
    volume = {"name": "config", "mountPath": str(edge.STATE_DIR)}
    generate = {
        "name": "generate-config",
        "image": IMAGE,
        "command": ["python", "-m", "tools.k8s.edge", "--state-dir", str(edge.STATE_DIR)],
        "envFrom": [{"configMapRef": {"name": "fintech-config"}}],
        "volumeMounts": [volume],
        "resources": _resources("100m", "500m", "128Mi", "256Mi"),
    }
    ready = {"httpGet": {"path": "/ready", "port": edge.ADMIN_PORT}}
    envoy = {
        "name": "envoy",
        "image": ENVOY_IMAGE,
        "command": ["envoy"],
        "args": ["-c", str(edge.config_path()), "--log-level", "info"],
        "ports": [
            {"name": "http-rest", "containerPort": edge.REST_PORT, "protocol": "TCP"},
            {"name": "http-admin", "containerPort": edge.ADMIN_PORT, "protocol": "TCP"},
        ],
        "readinessProbe": ready | {"periodSeconds": 5},
        "livenessProbe": ready | {"periodSeconds": 20, "failureThreshold": 3},
        "volumeMounts": [{**volume, "readOnly": True}],
        "resources": _resources("100m", "1", "128Mi", "256Mi"),
    }
    deployment = _deployment(
        name,
        [envoy],
        init=[generate],
        volumes=[{"name": "config", "emptyDir": {}}],
        annotations={"traffic.sidecar.istio.io/excludeInboundPorts": str(edge.ADMIN_PORT)},
    )
    service = _service(name, [("http-rest", edge.REST_PORT, "http"), ("http-admin", edge.ADMIN_PORT, "http")])
    return [
        _service_account(name),
        rollouts.blue_green(deployment),
        service,
        rollouts.preview_service(service),
        rollouts.scale_rollout(_hpa(name)),
        _pdb(name),
        # The REST port takes traffic only from Istio's ingress gateway (istio/edge/gateway.yaml).
        _network_policy(name, [], edge.REST_PORT, edge.ADMIN_PORT, from_istio=True),
        _service_monitor(name, "http-admin", "/stats/prometheus", by_version=True),
    ]


def issuer_resources(settings: Settings) -> list[Resource]:
    """The development token issuer, outside the mesh: Envoy and istiod (which has no sidecar) fetch its
    JWKS over plain HTTP (public keys only); the NetworkPolicy admits only them."""
    name, port = edge.ISSUER, settings.edge.issuer_port
    container = {
        "name": name,
        "image": IMAGE,
        "command": ["python", "-m", "tools.edge.issuer"],
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "envFrom": [{"configMapRef": {"name": "fintech-config"}}],
        "env": [{"name": env_name("mesh", "host"), "value": "0.0.0.0"}],
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": port}, "periodSeconds": 5},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": port}, "periodSeconds": 20},
        "resources": _resources("50m", "500m", "128Mi", "256Mi"),
    }
    # One replica: the signing key lives in the pod (a new key on restart; tokens are short-lived).
    deployment = _deployment(name, [container], replicas=1, in_mesh=False)
    return [
        _service_account(name),
        deployment,
        _service(name, [("http", port, "http")]),
        _network_policy(name, INFRASTRUCTURE_CLIENTS[name], port, None, from_istio=True),
    ]


def triton_resources(settings: Settings) -> list[Resource]:
    triton = settings.triton
    models = {"name": "models", "mountPath": "/models"}
    # The model repository ships in the image (models/); the init container copies it to a volume
    # Triton may write beside (the python backend's caches), keeping the root filesystem read-only.
    copy_models = {
        "name": "model-repository",
        "image": IMAGE,
        "command": ["cp", "-R", f"{APP_DIR}/models/.", "/models/"],
        "volumeMounts": [models],
        "resources": _resources("100m", "500m", "64Mi", "128Mi"),
    }
    container = {
        "name": "triton",
        "image": IMAGE,
        "command": ["python", "-m", "tools.mesh", "triton", "--model-repository", "/models"],
        "envFrom": [{"configMapRef": {"name": "fintech-config"}}],
        "env": [{"name": env_name("triton", "host"), "value": "0.0.0.0"}],
        "ports": [
            {"name": "grpc", "containerPort": triton.grpc_port, "protocol": "TCP"},
            {"name": "http", "containerPort": triton.http_port, "protocol": "TCP"},
            {"name": "http-metrics", "containerPort": triton.metrics_port, "protocol": "TCP"},
        ],
        "readinessProbe": {"httpGet": {"path": "/v2/health/ready", "port": triton.http_port}, "periodSeconds": 5},
        "livenessProbe": {"httpGet": {"path": "/v2/health/live", "port": triton.http_port}, "periodSeconds": 20},
        "startupProbe": {
            "httpGet": {"path": "/v2/health/ready", "port": triton.http_port},
            "periodSeconds": 5,
            "failureThreshold": 60,
        },
        "volumeMounts": [models],
        "resources": _resources("500m", "2", "1Gi", "2Gi"),
    }
    deployment = _deployment(
        "triton",
        [container],
        init=[copy_models],
        volumes=[{"name": "models", "emptyDir": {}}],
        annotations={"traffic.sidecar.istio.io/excludeInboundPorts": str(triton.metrics_port)},
    )
    return [
        _service_account("triton"),
        deployment,
        _service("triton", [("grpc", triton.grpc_port, "grpc"), ("http-metrics", triton.metrics_port, "http")]),
        _pdb("triton"),
        _network_policy("triton", INFRASTRUCTURE_CLIENTS["triton"], triton.grpc_port, triton.metrics_port),
        _service_monitor("triton", "http-metrics", "/metrics"),
        _triton_authorization(settings),
    ]


def _triton_authorization(settings: Settings) -> Resource:
    """Only ml may run inference (Triton's own gRPC API is not in the contracts, so not in istio/)."""
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": {"name": "triton", "namespace": settings.mesh.namespace},
        "spec": {
            "selector": {"matchLabels": {"app": "triton"}},
            "action": "ALLOW",
            "rules": [
                {
                    "from": [{"source": {"principals": [settings.spiffe_id(c).removeprefix("spiffe://")]}}],
                    "to": [{"operation": {"paths": ["/inference.GRPCInferenceService/*"]}}],
                }
                for c in INFRASTRUCTURE_CLIENTS["triton"]
            ],
        },
    }


# -- SLOs ------------------------------------------------------------------------------------------------------


def slo_rules(settings: Settings) -> Resource:
    """The recording and alerting rules (SLOs, business, technical, security): tools/observability/rules.py,
    which the local Prometheus loads too."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata("fintech-slos", "fintech"),
        "spec": {"groups": rule_groups(settings.mesh.namespace)},
    }


# -- Kafka topics ---------------------------------------------------------------------------------------------


RETENTION = {"retention.ms": str(7 * 24 * 3600 * 1000)}


def kafka_topics() -> list[Resource]:
    """One KafkaTopic per topic the launcher creates locally (events per domain and their dead letters)."""
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaTopic",
            # A resource name is a DNS subdomain (no `_`, the API server refuses it); the topic keeps its own name.
            "metadata": {"name": topic.replace("_", "-"), "labels": {"strimzi.io/cluster": KAFKA_CLUSTER}},
            "spec": {
                "topicName": topic,
                "partitions": partitions,
                "replicas": KAFKA_REPLICAS,
                # Compacted topics (the aggregates) keep each key's latest value however old: no time retention.
                "config": {"min.insync.replicas": "2", **(topic_config(topic) or RETENTION)},
            },
        }
        for topic, partitions in topics().items()
    ]


# -- building blocks ------------------------------------------------------------------------------------------


def _secret_env(name: str, secret: str, key: str) -> Resource:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def _resources(cpu: str, cpu_limit: str, memory: str, memory_limit: str) -> Resource:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu_limit, "memory": memory_limit}}


def _service_account(name: str) -> Resource:
    # Named after the workload: Istio issues it spiffe://<trust domain>/ns/<namespace>/sa/<name>.
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(name, name),
        "automountServiceAccountToken": False,
    }


def _deployment(
    name: str,
    containers: list[Resource],
    *,
    init: list[Resource] = (),  # type: ignore[assignment]
    volumes: list[Resource] = (),  # type: ignore[assignment]
    replicas: int = 2,
    annotations: dict[str, str] | None = None,
    in_mesh: bool = True,
) -> Resource:
    hardened = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    scratch = [{"name": "tmp", "mountPath": "/tmp"}, {"name": "state", "mountPath": STATE_DIR}]
    for container in [*init, *containers]:
        container["securityContext"] = hardened
        container["volumeMounts"] = [*container.get("volumeMounts", []), *scratch]
    labels = {"app": name, "version": "v1"} | ({} if in_mesh else {"sidecar.istio.io/inject": "false"})
    pod_annotations = (PROXY_CONFIG if in_mesh else {}) | (annotations or {})
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(name, name),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": labels} | ({"annotations": pod_annotations} if pod_annotations else {}),
                "spec": {
                    "serviceAccountName": name,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": RUN_AS,
                        "runAsGroup": RUN_AS,
                        "fsGroup": RUN_AS,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    **({"initContainers": list(init)} if init else {}),
                    "containers": containers,
                    "volumes": [*volumes, {"name": "tmp", "emptyDir": {}}, {"name": "state", "emptyDir": {}}],
                    "terminationGracePeriodSeconds": 30,
                },
            },
        },
    }


def _service(name: str, ports: list[tuple[str, int, str]]) -> Resource:
    # Port names and appProtocol tell Istio the protocol (grpc, http) without sniffing.
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(name, name),
        "spec": {
            "selector": {"app": name},
            "ports": [
                {"name": port_name, "port": port, "targetPort": port_name, "protocol": "TCP", "appProtocol": protocol}
                for port_name, port, protocol in ports
            ],
        },
    }


def _hpa(name: str) -> Resource:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(name, name),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                }
            ],
        },
    }


def _pdb(name: str) -> Resource:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(name, name),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": name}}},
    }


def _network_policy(
    name: str, callers: list[str], port: int, metrics_port: int | None, *, from_istio: bool = False
) -> Resource:
    """Ingress from the allowed callers' pods on the serving port, from Prometheus on the metrics port."""
    ingress = []
    sources = [{"podSelector": {"matchLabels": {"app": caller}}} for caller in callers]
    if from_istio:  # the ingress gateway (edge) or istiod fetching JWKS (issuer)
        sources.append({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ISTIO_NAMESPACE}}})
    if sources:
        ingress.append({"from": sources, "ports": [{"protocol": "TCP", "port": port}]})
    if metrics_port is not None:
        monitoring = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}}
        # 15020/15090: the sidecar's own metrics (istio-proxy), also scraped by Prometheus.
        scraped = [metrics_port, 15020, 15090]
        ingress.append({"from": [monitoring], "ports": [{"protocol": "TCP", "port": p} for p in scraped]})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(name, name),
        "spec": {"podSelector": {"matchLabels": {"app": name}}, "policyTypes": ["Ingress"], "ingress": ingress},
    }


def _service_monitor(name: str, port: str, path: str, *, by_version: bool = False) -> Resource:
    """`by_version`: each series carries its pod's `rollouts-pod-template-hash`, which the canary analyses select."""
    spec: Resource = {
        "selector": {"matchLabels": {"app": name}},
        "endpoints": [{"port": port, "path": path, "interval": "30s", "scheme": "http"}],
    }
    if by_version:
        spec["podTargetLabels"] = ["rollouts-pod-template-hash"]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": metadata(name, name),
        "spec": spec,
    }


# -- everything -------------------------------------------------------------------------------------------


def callers_by_service(policies: Policies) -> dict[str, list[str]]:
    """The workloads with pods that the policies let call each service (health checks aside)."""
    callers: dict[str, list[str]] = {name: [] for name in SERVICES}
    for (caller, service), methods in policies.graph().items():
        if caller != "cli" and methods != ["health"]:  # cli is a person with grpcurl, not a pod
            callers[service].append(caller)
    return callers


def generated(settings: Settings) -> dict[str, list[Resource]]:
    """File name -> its resources, each in the mesh's namespace.

    Namespaces are written out rather than set by kustomize's namespace transformer, because the base
    also holds istio/, whose mesh-wide resources live in istio-system.
    """
    callers = callers_by_service(Policies(settings=settings))
    files = {
        "config.yaml": [config_map(settings)],
        "topics.yaml": kafka_topics(),
        "slo-rules.yaml": [slo_rules(settings)],
        "analysis-templates.yaml": analysis_templates(settings.mesh.namespace),
    }
    for name in SERVICES:
        files[f"{name}.yaml"] = service_resources(settings, name, sorted(callers[name]))
    if "console" in settings.services:
        files["console.yaml"] = console_resources(
            settings, env_name, _deployment, _service, _network_policy, _service_account, _service_monitor, IMAGE
        )
    files["edge-gateway.yaml"] = edge_resources(settings)
    files["issuer.yaml"] = issuer_resources(settings)
    files["triton.yaml"] = triton_resources(settings)
    files["redis.yaml"] = redis_resources(settings, metadata)
    files["ratelimit.yaml"] = ratelimit_resources(
        settings, metadata, _deployment, _service, _network_policy, _service_account, _pdb
    )
    files["spark-jobs.yaml"] = spark_job_resources(settings, metadata, _service_account)
    files["flags.yaml"] = flag_resources(settings)
    for resources in files.values():
        for resource in resources:
            gitops.annotate(resource)
            resource["metadata"] = {
                "name": resource["metadata"]["name"],
                "namespace": settings.mesh.namespace,
            } | resource["metadata"]
    return files
