"""k8s/: every overlay renders, every resource follows its schema, and the resources agree with the
project (workloads, topics, ports, metrics, the edge's configuration)."""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from services.runtime.access import ACCESS_DENIED
from services.runtime.config import ROOT, SERVICES, Settings
from services.runtime.contracts import has_contracts
from services.runtime.observability import RPC_HANDLED, RPC_LATENCY
from tests.k8s.conftest import OVERLAYS, render
from tests.k8s.schemas import describe, validate
from tests.runtime.test_authz import CALL_GRAPH
from tools.certs import WORKLOADS
from tools.k8s import __main__ as k8s_main
from tools.k8s import edge
from tools.mesh.kafka import topics

# Deployments that are not mesh workloads with a certificate of their own.
INFRASTRUCTURE = ("triton", "issuer", "ratelimit")
Resources = list[dict[str, Any]]


def of_kind(resources: Resources, kind: str) -> Resources:
    return [resource for resource in resources if resource["kind"] == kind]


def workloads(resources: Resources) -> Resources:
    """Deployments and Argo Rollouts (the services'; a Rollout's spec holds a Deployment's pod template)."""
    return [resource for resource in resources if resource["kind"] in ("Deployment", "Rollout")]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_resource_follows_its_schema(rendered: dict[str, Resources], overlay: str) -> None:
    resources = rendered[overlay]
    assert len(resources) > 50
    for resource in resources:
        try:
            validate(resource)
        except (jsonschema.ValidationError, kubernetes_validate.ValidationError) as error:
            pytest.fail(f"{overlay}: {describe(resource)}: {error.message}")


@pytest.mark.parametrize(
    ("kind", "break_it"),
    [
        ("Deployment", lambda r: r["spec"].__setitem__("replicas", "three")),
        ("Deployment", lambda r: r["spec"]["template"]["spec"].__setitem__("serviceAcount", "risk")),
        ("NetworkPolicy", lambda r: r["spec"].__setitem__("policyTypes", "Ingress")),
        ("KafkaTopic", lambda r: r["spec"].__setitem__("partition", 3)),
        ("Cluster", lambda r: r["spec"].pop("instances")),
        ("ServiceMonitor", lambda r: r["spec"]["endpoints"][0].__setitem__("interval", 30)),
        ("PrometheusRule", lambda r: r["spec"]["groups"][0].__setitem__("rules", "none")),
        ("AuthorizationPolicy", lambda r: r["spec"].__setitem__("action", "PERMIT")),
        ("SparkApplication", lambda r: r["spec"].__setitem__("sparkVersoin", "4.0.1")),
        ("SparkApplication", lambda r: r["spec"]["driver"].__setitem__("memory", "512 MB")),
    ],
)
def test_a_broken_resource_fails_validation(rendered: dict[str, Resources], kind: str, break_it) -> None:
    resource = copy.deepcopy(of_kind(rendered["dev"], kind)[0])
    validate(resource)
    break_it(resource)
    with pytest.raises((jsonschema.ValidationError, kubernetes_validate.ValidationError)):
        validate(resource)


def test_a_broken_overlay_fails_to_render(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "k8s", tmp_path / "k8s")
    shutil.copytree(ROOT / "istio", tmp_path / "istio")
    (tmp_path / "k8s" / "base" / "generated" / "risk.yaml").unlink()
    with pytest.raises(AssertionError, match="risk.yaml"):
        render(tmp_path / "k8s" / "overlays" / "dev")


def test_generated_resources_are_current() -> None:
    assert k8s_main.stale() == [], "k8s/base/generated/ is stale: run `python -m tools.k8s`"


def test_a_stale_generated_file_is_found(tmp_path: Path) -> None:
    shutil.copytree(k8s_main.OUT, tmp_path / "generated")
    (tmp_path / "generated" / "topics.yaml").write_text("# edited by hand\n")
    (tmp_path / "generated" / "left-over.yaml").write_text("{}\n")
    assert k8s_main.stale(tmp_path / "generated") == ["left-over.yaml", "topics.yaml"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_deployment_runs_as_its_workload(rendered: dict[str, Resources], overlay: str) -> None:
    accounts = {r["metadata"]["name"] for r in of_kind(rendered[overlay], "ServiceAccount")}
    deployments = {
        r["metadata"]["name"]: r["spec"]["template"]["spec"]["serviceAccountName"] for r in workloads(rendered[overlay])
    }
    # The ServiceAccount is the SPIFFE id's sa: the policies in istio/ name exactly these.
    assert {name: account for name, account in deployments.items() if name not in INFRASTRUCTURE} == {
        workload: workload for workload in WORKLOADS if workload != "cli"
    }
    assert set(deployments.values()) <= accounts
    assert not set(INFRASTRUCTURE) & set(WORKLOADS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_topics_are_the_runtime_topics(rendered: dict[str, Resources], overlay: str) -> None:
    declared = {r["spec"]["topicName"]: r["spec"]["partitions"] for r in of_kind(rendered[overlay], "KafkaTopic")}
    assert declared == topics()
    kafka = of_kind(rendered[overlay], "Kafka")[0]
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False
    nodes = sum(pool["spec"]["replicas"] for pool in of_kind(rendered[overlay], "KafkaNodePool"))
    for topic in of_kind(rendered[overlay], "KafkaTopic"):
        assert topic["spec"]["replicas"] <= nodes
        assert int(topic["spec"]["config"]["min.insync.replicas"]) <= topic["spec"]["replicas"]


def test_services_are_configured_for_the_cluster(rendered: dict[str, Resources]) -> None:
    resources = rendered["prod"]
    config = of_kind(resources, "ConfigMap")[0]["data"]
    assert config["FINTECH_MESH__MODE"] == "cluster"
    services = {r["metadata"]["name"]: r for r in of_kind(resources, "Service")}
    for name in SERVICES:
        deployment = next(r for r in workloads(resources) if r["metadata"]["name"] == name)
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["readinessProbe"]["grpc"]["port"] == container["ports"][0]["containerPort"]
        assert "grpc" in container["livenessProbe"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert {"requests", "limits"} <= set(container["resources"])
        env = {variable["name"] for variable in container["env"]} | set(config)
        assert "FINTECH_POSTGRES__PASSWORD" in env and f"FINTECH_SERVICES__{name.upper()}__HOST" in env
        # Istio picks the protocol from the port name / appProtocol.
        assert services[name]["spec"]["ports"][0]["name"] == "grpc"
        assert services[name]["spec"]["ports"][0]["appProtocol"] == "grpc"
        assert pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert deployment["spec"]["replicas"] == 3


def test_network_policies_follow_the_authorization_policies(rendered: dict[str, Resources]) -> None:
    policies = {r["metadata"]["name"]: r for r in of_kind(rendered["dev"], "NetworkPolicy")}
    callers = {
        name: {
            source["podSelector"]["matchLabels"]["app"]
            for source in policies[name]["spec"]["ingress"][0]["from"]
            if "podSelector" in source
        }
        for name in SERVICES
    }
    # The REST edge (every service with contracts has public RPCs; the lake has none) and the internal callers the
    # runtime's tests define.
    edge = {name: {"edge-gateway"} if has_contracts(name) else set() for name in SERVICES}
    expected = {name: edge[name] | {c for c, callee, _ in CALL_GRAPH if callee == name} for name in SERVICES}
    assert callers == expected


def test_slo_rules_use_the_metrics_the_runtime_exports(rendered: dict[str, Resources]) -> None:
    (rules,) = of_kind(rendered["prod"], "PrometheusRule")
    exported = {
        sample.name for metric in (RPC_HANDLED, RPC_LATENCY) for family in metric.collect() for sample in family.samples
    }
    exported |= {RPC_HANDLED.describe()[0].name + "_total", RPC_LATENCY.describe()[0].name + "_bucket"}
    expressions = [rule["expr"] for group in rules["spec"]["groups"] for rule in group["rules"]]
    used = {name for expr in expressions for name in re.findall(r"\b(grpc_server_\w+)\{", expr)}
    assert used == {"grpc_server_handled_total", "grpc_server_handling_seconds_bucket"}
    assert used <= exported
    labels = {label for expr in expressions for label in re.findall(r"\b(grpc_\w+)(?:=~|!~|=)", expr)}
    assert labels <= {*RPC_HANDLED._labelnames}
    alerts = {rule["alert"] for group in rules["spec"]["groups"] for rule in group["rules"] if "alert" in rule}
    assert {"FintechAvailabilityBudgetBurn", "FintechLatencyP95High", "FintechErrorRateHigh",
            "AccessDeniedBurst"} <= alerts  # fmt: skip
    # The security alert counts what the runtime exports, by the label it has.
    burst = [r["expr"] for g in rules["spec"]["groups"] for r in g["rules"] if r.get("alert") == "AccessDeniedBurst"]
    denied = ACCESS_DENIED.describe()[0].name + "_total"
    assert (
        f"increase({denied}[5m])" in burst[0]
        and "by (principal)" in burst[0]
        and "principal" in ACCESS_DENIED._labelnames
    )


def test_the_cluster_edge_configuration_is_valid_envoy(tmp_path: Path) -> None:
    path = edge.write(tmp_path)
    envoy = Path(sys.executable).parent / "envoy"
    result = subprocess.run(
        [str(envoy), "--mode", "validate", "-c", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    text = path.read_text()
    assert "transport_socket" not in text  # the sidecar originates mTLS
    assert edge.jwks_uri(edge.cluster_settings()) in text


def _setting(settings: Settings, variable: str) -> Any:
    """The value a FINTECH_<SECTION>__<KEY> variable sets, found by walking the settings model."""
    value: Any = settings
    for part in variable.removeprefix("FINTECH_").lower().split("__"):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_fintech_variable_is_a_setting(
    rendered: dict[str, Resources], overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The variable names are the ones services/runtime/config.py reads: a misspelt one would be ignored."""
    config = of_kind(rendered[overlay], "ConfigMap")[0]["data"]
    for deployment in workloads(rendered[overlay]):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            variables = dict(config) if container.get("envFrom") else {}
            for variable in container.get("env", []):
                variables[variable["name"]] = variable.get("value", "from-a-secret")
            own = {k: v for k, v in variables.items() if k.startswith("FINTECH_")}
            for name, value in own.items():
                monkeypatch.setenv(name, value)
            settings = Settings()
            for name, value in own.items():
                if not name.endswith(("__USER", "__PASSWORD")):  # from Secrets, shown as a placeholder
                    assert str(_setting(settings, name)) == value, (deployment["metadata"]["name"], name)
            for name in own:
                monkeypatch.delenv(name, raising=False)


def test_only_the_services_reach_kafka_and_each_its_own_database(rendered: dict[str, Resources]) -> None:
    (kafka,) = of_kind(rendered["prod"], "Kafka")
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    (peer,) = listener["networkPolicyPeers"]
    assert peer["podSelector"]["matchExpressions"] == [{"key": "app", "operator": "In", "values": list(SERVICES)}]
    policies = {r["metadata"]["name"]: r["spec"] for r in of_kind(rendered["prod"], "NetworkPolicy")}
    clusters = {r["metadata"]["name"]: r["spec"] for r in of_kind(rendered["prod"], "Cluster")}
    for name in SERVICES:
        assert clusters[f"{name}-db"]["bootstrap"]["initdb"]["database"] == name
        assert clusters[f"{name}-db"]["instances"] == 3
        policy = policies[f"{name}-db"]
        assert policy["podSelector"] == {"matchLabels": {"cnpg.io/cluster": f"{name}-db"}}
        clients = [entry for entry in policy["ingress"] if {"protocol": "TCP", "port": 5432} in entry["ports"]]
        pods = [
            source["podSelector"]["matchLabels"]
            for entry in clients
            for source in entry["from"]
            if "podSelector" in source
        ]
        assert {"app": name} in pods and all(labels.get("app") in (None, name) for labels in pods)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_python_entry_point_exists(rendered: dict[str, Resources], overlay: str) -> None:
    containers = [
        container
        for deployment in workloads(rendered[overlay])
        for kind in ("initContainers", "containers")
        for container in deployment["spec"]["template"]["spec"].get(kind, [])
    ]
    modules = {c["command"][2] for c in containers if c["command"][:2] == ["python", "-m"]}
    assert {"services.customer", "tools.k8s.edge", "tools.edge.issuer", "tools.mesh"} <= modules
    assert [module for module in modules if importlib.util.find_spec(module) is None] == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_triton_container_command_serves_the_model_repository(tmp_path: Path) -> None:
    """`python -m tools.mesh triton`, the Triton Deployment's command, on ports of its own."""
    ports = {key: _free_port() for key in ("HTTP_PORT", "GRPC_PORT", "METRICS_PORT")}
    environment = {**os.environ, "FINTECH_MESH__STATE_DIR": str(tmp_path)}
    environment |= {f"FINTECH_TRITON__{key}": str(port) for key, port in ports.items()}
    command = [sys.executable, "-m", "tools.mesh", "triton", "--model-repository", str(ROOT / "models")]
    log = (tmp_path / "triton.log").open("w")
    process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{ports['HTTP_PORT']}/v2/models/fraud/ready"
    try:
        deadline = time.monotonic() + 120
        while not _answers(url):
            assert process.poll() is None, (tmp_path / "triton.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "Triton not ready after 120 s"
            time.sleep(0.5)
    finally:
        process.terminate()  # Triton itself: the command exec'd it
        process.wait(timeout=30)
        log.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_database_takes_the_connections_of_its_service_at_most_replicas(
    rendered: dict[str, Resources], overlay: str
) -> None:
    postgres = Settings().postgres
    per_replica = postgres.pool_size + postgres.max_overflow
    databases = {r["metadata"]["name"]: r for r in of_kind(rendered[overlay], "Cluster")}
    checked = set()
    for autoscaler in of_kind(rendered[overlay], "HorizontalPodAutoscaler"):
        name = autoscaler["spec"]["scaleTargetRef"]["name"]
        if f"{name}-db" not in databases:
            continue  # no database of its own (the edge)
        checked.add(name)
        allowed = int(databases[f"{name}-db"]["spec"]["postgresql"]["parameters"]["max_connections"])
        # Headroom for migrations, the operator, monitoring and superuser-reserved slots.
        assert autoscaler["spec"]["maxReplicas"] * per_replica + 30 <= allowed, (overlay, name)
    assert checked == set(SERVICES), f"{overlay}: autoscalers checked against their database: {sorted(checked)}"


def test_only_the_lake_gets_the_object_stores_credentials_from_their_secret(rendered: dict[str, Resources]) -> None:
    """The bank's S3 in a cluster: its endpoint and bucket in the shared ConfigMap, its keys from a Secret, given to
    the lake service alone."""
    resources = rendered["prod"]
    config = of_kind(resources, "ConfigMap")[0]["data"]
    assert config["FINTECH_OBJECT_STORE__ENDPOINT"].startswith("https://")
    assert config["FINTECH_OBJECT_STORE__BUCKET"] == Settings().object_store.bucket
    holders = {}
    for deployment in workloads(resources):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for variable in container.get("env", []):
                if variable["name"].startswith("FINTECH_OBJECT_STORE__"):
                    reference = variable["valueFrom"]["secretKeyRef"]
                    holders.setdefault(deployment["metadata"]["name"], {})[variable["name"]] = reference["name"]
    secret = "object-store-credentials"
    assert holders == {"lake": {"FINTECH_OBJECT_STORE__ACCESS_KEY": secret, "FINTECH_OBJECT_STORE__SECRET_KEY": secret}}


def test_only_redis_clients_reach_redis_with_the_password_from_its_secret(rendered: dict[str, Resources]) -> None:
    """The online store: features writes, risk reads, the edge's rate-limit service counts; nobody else connects."""
    resources = rendered["prod"]
    (stateful_set,) = [r for r in of_kind(resources, "StatefulSet") if r["metadata"]["name"] == "redis"]
    (container,) = stateful_set["spec"]["template"]["spec"]["containers"]
    assert "$(REDIS_PASSWORD)" in container["args"] and "--appendonly" in container["args"]
    assert container["env"] == [
        {"name": "REDIS_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "redis-auth", "key": "password"}}}
    ]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert stateful_set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    (policy,) = [r for r in of_kind(resources, "NetworkPolicy") if r["metadata"]["name"] == "redis"]
    (ingress,) = policy["spec"]["ingress"]
    allowed = {source["podSelector"]["matchLabels"]["app"] for source in ingress["from"]}
    assert {"features", "risk", "ratelimit"} <= allowed and not {"customer", "edge-gateway"} & allowed
    (authorization,) = [r for r in of_kind(resources, "AuthorizationPolicy") if r["metadata"]["name"] == "redis"]
    principals = authorization["spec"]["rules"][0]["from"][0]["source"]["principals"]
    assert sorted(p.rsplit("/", 1)[1] for p in principals) == sorted(allowed)
    config = of_kind(resources, "ConfigMap")[0]["data"]
    assert config["FINTECH_REDIS__HOST"] == "redis.fintech.svc.cluster.local"
    assert "FINTECH_REDIS__PASSWORD" not in config
    for name in ("features", "risk"):
        (deployment,) = [r for r in workloads(resources) if r["metadata"]["name"] == name]
        env = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["FINTECH_REDIS__PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "redis-auth", "key": "password"}


def test_the_cluster_edge_asks_the_ratelimit_service_only_the_edge_may_call(rendered: dict[str, Resources]) -> None:
    """The edge's global limit in the cluster: its cluster names the ratelimit Service, whose policies admit the
    edge gateway alone, and the service's limits are the local mesh's (one source, mesh.toml [edge])."""
    from tools.edge.rate_limits import service_config
    from tools.k8s.__main__ import file_settings

    config = edge.build(file_settings())
    (cluster,) = [c for c in config["static_resources"]["clusters"] if c["name"] == "ratelimit"]
    (endpoint,) = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"]
    address = endpoint["endpoint"]["address"]["socket_address"]
    assert (address["address"], address["port_value"]) == ("ratelimit.fintech.svc.cluster.local", 8081)
    assert "transport_socket" not in cluster  # the sidecar originates mTLS
    resources = rendered["prod"]
    (policy,) = [r for r in of_kind(resources, "NetworkPolicy") if r["metadata"]["name"] == "ratelimit"]
    assert [s["podSelector"]["matchLabels"]["app"] for s in policy["spec"]["ingress"][0]["from"]] == ["edge-gateway"]
    (limits,) = [r for r in of_kind(resources, "ConfigMap") if r["metadata"]["name"] == "ratelimit-config"]
    assert yaml.safe_load(limits["data"]["limits.yaml"]) == service_config(file_settings())
