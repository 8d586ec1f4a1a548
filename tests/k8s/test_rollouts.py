"""Progressive delivery and GitOps in k8s/: the services' canaries are routed by Istio and gated by analyses that
exist, the edge is blue-green, the autoscalers scale the Rollouts, Argo CD applies the overlays wave by wave.
(Whether each analysis passes on a healthy mesh and fails under a fault: tests/observability/test_analysis.py.)"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from services.runtime.config import ROOT, SERVICES
from services.runtime.contracts import has_contracts
from tests.k8s.conftest import OVERLAYS, render
from tests.k8s.schemas import describe, validate
from tools.k8s import gitops, rollouts

Resources = list[dict[str, Any]]
GITOPS = ROOT / "k8s" / "gitops"


def named(resources: Resources, kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_with_an_api_is_a_canary_istio_routes_and_analyses_gate(
    rendered: dict[str, Resources], overlay: str
) -> None:
    resources = rendered[overlay]
    rollouts_, templates = named(resources, "Rollout"), named(resources, "AnalysisTemplate")
    services, rules = named(resources, "VirtualService"), named(resources, "DestinationRule")
    assert set(SERVICES) | {"edge-gateway"} == set(rollouts_)
    for name in SERVICES:
        canary = rollouts_[name]["spec"]["strategy"]["canary"]
        weights = [step["setWeight"] for step in canary["steps"] if "setWeight" in step]
        assert weights == [5, 25, 50, 100]
        # Something decides between two increases: an analysis, or (no API to measure) a pause.
        between = [canary["steps"][i + 1] for i, step in enumerate(canary["steps"][:-1]) if "setWeight" in step]
        if not has_contracts(name):
            assert "trafficRouting" not in canary and all("pause" in step for step in between)
            continue
        assert all("analysis" in step for step in between), name
        istio = canary["trafficRouting"]["istio"]
        route = istio["virtualService"]
        (http,) = services[route["name"]]["spec"]["http"]
        assert route["routes"] == [http["name"]]
        host = f"{name}.fintech.svc.cluster.local"
        assert services[route["name"]]["spec"]["hosts"] == [host]
        assert [(d["destination"]["host"], d["destination"]["subset"], d["weight"]) for d in http["route"]] == [
            (host, "stable", 100),
            (host, "canary", 0),
        ]
        # The subsets exist (istio/traffic/destination-rules.yaml), select the service's pods and are the ones named.
        rule = rules[istio["destinationRule"]["name"]]
        assert rule["spec"]["host"] == host
        subsets = {subset["name"]: subset["labels"] for subset in rule["spec"]["subsets"]}
        assert subsets == {"stable": {"app": name}, "canary": {"app": name}}
        assert {istio["destinationRule"]["canarySubsetName"], istio["destinationRule"]["stableSubsetName"]} == set(
            subsets
        )
        for step in between:
            _analysis_resolves(step["analysis"], templates)
        used = {t["templateName"] for step in between for t in step["analysis"]["templates"]}
        assert {"fintech-error-rate", "fintech-latency-p95"} <= used
        assert ("fintech-payment-failures" in used) == (name == "payments")
        assert ("fintech-fraud-declines" in used) == (name == "risk")


def _analysis_resolves(analysis: dict[str, Any], templates: dict[str, dict[str, Any]]) -> None:
    """Each template exists, and every argument it declares without a default is given."""
    given = {arg["name"] for arg in analysis.get("args", [])}
    for reference in analysis["templates"]:
        template = templates[reference["templateName"]]
        needed = {arg["name"] for arg in template["spec"]["args"] if "value" not in arg}
        assert needed <= given, (reference["templateName"], needed - given)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_edge_is_blue_green_promoted_by_hand_in_prod(rendered: dict[str, Resources], overlay: str) -> None:
    resources = rendered[overlay]
    edge = named(resources, "Rollout")["edge-gateway"]["spec"]["strategy"]["blueGreen"]
    services = named(resources, "Service")
    active, preview = services[edge["activeService"]], services[edge["previewService"]]
    assert active["spec"] == preview["spec"] and preview["metadata"]["name"] == "edge-gateway-preview"
    assert edge["autoPromotionEnabled"] is (overlay == "dev")
    templates = named(resources, "AnalysisTemplate")
    for analysis in (edge["prePromotionAnalysis"], edge["postPromotionAnalysis"]):
        _analysis_resolves(analysis, templates)
    # Preview pods are the edge's pods: its NetworkPolicy and AuthorizationPolicy select them by `app` as well.
    policy = named(resources, "NetworkPolicy")["edge-gateway"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= preview["spec"]["selector"].items()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_scale_the_rollouts_and_series_carry_the_version(
    rendered: dict[str, Resources], overlay: str
) -> None:
    resources = rendered[overlay]
    workloads = {(r["kind"], r["metadata"]["name"]) for r in resources if r["kind"] in ("Deployment", "Rollout")}
    for autoscaler in named(resources, "HorizontalPodAutoscaler").values():
        target = autoscaler["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) in workloads
        if target["kind"] == "Rollout":
            assert target["apiVersion"] == "argoproj.io/v1alpha1"
    monitors = named(resources, "ServiceMonitor")
    for name in named(resources, "Rollout"):
        # The analyses tell versions apart by this label (tools/observability/analysis.py).
        assert monitors[name]["spec"]["podTargetLabels"] == ["rollouts-pod-template-hash"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_argo_cd_applies_data_then_services_then_the_edge(rendered: dict[str, Resources], overlay: str) -> None:
    waves: dict[int, set[str]] = {}
    for resource in rendered[overlay]:
        number = int((resource["metadata"].get("annotations") or {}).get(gitops.WAVE, "0"))
        waves.setdefault(number, set()).add(resource["kind"])
    assert {"Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "StatefulSet"} == waves[1]
    assert {"Rollout", "Deployment"} <= waves[2] and waves[3] == {"Rollout"}
    assert {"ConfigMap", "AnalysisTemplate", "AuthorizationPolicy", "DestinationRule"} <= waves[0]
    assert sorted(waves) == [0, 1, 2, 3]


def gitops_resources() -> Resources:
    return render(GITOPS) + [yaml.safe_load((GITOPS / "root.yaml").read_text())]


def test_the_gitops_resources_follow_argo_cds_schemas() -> None:
    resources = gitops_resources()
    assert {r["kind"] for r in resources} == {"AppProject", "Application", "ApplicationSet"}
    for resource in resources:
        try:
            validate(resource)
        except jsonschema.ValidationError as error:
            pytest.fail(f"{describe(resource)}: {error.message}")
    broken = copy.deepcopy(named(resources, "ApplicationSet")["fintech"])
    broken["spec"]["template"]["spec"]["syncPolicy"]["automatd"] = {}
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_the_application_set_deploys_each_overlay_dev_automated_prod_by_hand() -> None:
    resources = gitops_resources()
    appset = named(resources, "ApplicationSet")["fintech"]["spec"]
    (generator,) = appset["generators"]
    elements = {element["overlay"]: element for element in generator["list"]["elements"]}
    assert set(elements) == set(OVERLAYS)
    assert {name: element["automated"] for name, element in elements.items()} == {"dev": True, "prod": False}
    assert appset["template"]["spec"]["source"]["path"] == "k8s/overlays/{{.overlay}}"
    assert all((ROOT / "k8s" / "overlays" / name / "kustomization.yaml").exists() for name in elements)
    patch = appset["templatePatch"]
    assert "{{- if .automated }}" in patch and "prune: true" in patch and "selfHeal: true" in patch
    assert "automated" not in appset["template"]["spec"]["syncPolicy"]  # prod: only what the patch adds
    # Argo Rollouts' own edits (weights, subset labels) are not drift.
    ignored = {(d["group"], d["kind"]) for d in appset["template"]["spec"]["ignoreDifferences"]}
    assert ignored == {("networking.istio.io", "VirtualService"), ("networking.istio.io", "DestinationRule")}
    # The operators (and their CRDs) come a wave before the platform.
    operators = [r for r in resources if r["kind"] == "Application" and r["metadata"]["name"] != "fintech-root"]
    assert {r["metadata"]["annotations"][gitops.WAVE] for r in operators} == {"-1"}
    assert appset["template"]["metadata"]["annotations"][gitops.WAVE] == "0"
    assert {r["metadata"]["name"] for r in operators} >= {
        "argo-rollouts",
        "istiod",
        "strimzi",
        "cloudnative-pg",
        "cert-manager",
        "open-feature-operator",
    }
    rollouts_operator = named(resources, "Application")["argo-rollouts"]["spec"]["source"]
    assert rollouts_operator["targetRevision"] == "v1.10.2"  # the CRDs of tests/schemas/argoproj.io/


def test_a_broken_rollout_fails_validation(rendered: dict[str, Resources]) -> None:
    rollout = copy.deepcopy(named(rendered["dev"], "Rollout")["payments"])
    validate(rollout)
    rollout["spec"]["strategy"]["canary"]["steps"][0] = {"setWeigth": 5}
    with pytest.raises(jsonschema.ValidationError):
        validate(rollout)
    template = copy.deepcopy(named(rendered["dev"], "AnalysisTemplate")["fintech-error-rate"])
    template["spec"]["metrics"][0]["provider"]["prometheus"]["qeury"] = "up"
    with pytest.raises(jsonschema.ValidationError):
        validate(template)


def test_the_preview_service_is_the_active_one_renamed() -> None:
    service = {"metadata": {"name": "edge-gateway", "labels": {"app": "edge-gateway"}}, "spec": {"ports": []}}
    preview = rollouts.preview_service(service)
    assert preview["metadata"] == {"name": "edge-gateway-preview", "labels": {"app": "edge-gateway"}}
    assert service["metadata"]["name"] == "edge-gateway"


def test_the_crd_schemas_are_the_pinned_projects(tmp_path: Path) -> None:
    from tools.k8s import crd_schemas, crds

    versions = {source.name: source.version for source in crds.UPSTREAM if source.name in crd_schemas.KINDS}
    assert versions == {"argo-rollouts": "v1.10.2", "argo-cd": "v3.6.2"}
    for path in crd_schemas.OUT.glob("*.json"):  # written from those pinned bundles
        name, version = next((n, v) for n, v in versions.items() if f"From {n} " in path.read_text()[:80])
        assert path.read_text().startswith(f'{{"$comment":"From {name} {version} by tools/k8s/crd_schemas.py"')
    crd = {
        "spec": {
            "group": "argoproj.io",
            "names": {"kind": "Rollout"},
            "versions": [
                {
                    "name": "v1alpha1",
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}},
                                "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                            },
                        }
                    },
                }
            ],
        }
    }
    (schema,) = crd_schemas.json_schemas(crd).values()
    assert schema["properties"]["spec"]["additionalProperties"] is False  # strict where the CRD lists fields
    assert "additionalProperties" not in schema["properties"]["status"]  # open where it preserves them


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_fintech_project_admits_every_resource_of_the_overlays(
    rendered: dict[str, Resources], overlay: str
) -> None:
    """Argo CD refuses to sync a resource outside its AppProject's destinations and cluster-scoped whitelist."""
    project = named(gitops_resources(), "AppProject")["fintech"]["spec"]
    allowed = {destination["namespace"] for destination in project["destinations"]}
    cluster_kinds = {(kind["group"], kind["kind"]) for kind in project["clusterResourceWhitelist"]}
    for resource in rendered[overlay]:
        namespace = resource["metadata"].get("namespace")
        if namespace is None:
            group = resource["apiVersion"].rpartition("/")[0]
            assert (group, resource["kind"]) in cluster_kinds, describe(resource)
        else:
            assert namespace in allowed, describe(resource)
