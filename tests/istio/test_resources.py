"""istio/: every file follows its Istio schema, and the resources agree with the project's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from services.runtime.config import ROOT, SERVICES, get_settings
from tests.k8s.schemas import describe, schema_path, validate
from tools.k8s import edge
from tools.k8s.__main__ import file_settings

ISTIO = ROOT / "istio"


def documents() -> list[tuple[Path, dict[str, Any]]]:
    paths = sorted(path for path in ISTIO.rglob("*.yaml"))
    return [(path, doc) for path in paths for doc in yaml.safe_load_all(path.read_text()) if doc]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in documents() if doc["kind"] == kind]


def test_every_istio_file_follows_its_schema() -> None:
    kinds = set()
    for path, doc in documents():
        assert schema_path(doc) is not None, f"{path}: {describe(doc)} is no Istio resource"
        try:
            validate(doc)
        except jsonschema.ValidationError as error:
            pytest.fail(f"{path.relative_to(ROOT)}: {describe(doc)}: {error.message}")
        kinds.add(doc["kind"])
    assert kinds >= {
        "PeerAuthentication",
        "AuthorizationPolicy",
        "DestinationRule",
        "RequestAuthentication",
        "Telemetry",
    }


def test_a_broken_istio_resource_fails_validation() -> None:
    (rule,) = [doc for doc in of_kind("DestinationRule") if doc["metadata"]["name"] == "risk"]
    rule["spec"]["trafficPolicy"]["tls"]["mode"] = "MUTUAL_PLEASE"
    with pytest.raises(jsonschema.ValidationError):
        validate(rule)


def test_the_kustomization_lists_every_file() -> None:
    listed = set(yaml.safe_load((ISTIO / "kustomization.yml").read_text())["resources"])
    assert listed == {str(path.relative_to(ISTIO)) for path in ISTIO.rglob("*.yaml")}


def test_every_service_is_reached_over_istio_mutual_tls() -> None:
    namespace = get_settings().mesh.namespace
    rules = {doc["spec"]["host"]: doc["spec"]["trafficPolicy"] for doc in of_kind("DestinationRule")}
    for name in (*SERVICES, "edge-gateway"):
        policy = rules[f"{name}.{namespace}.svc.cluster.local"]
        assert policy["tls"] == {"mode": "ISTIO_MUTUAL"}
        assert policy["outlierDetection"]["consecutiveGatewayErrors"] > 0


def test_the_edge_requires_a_token_of_the_edge_issuer() -> None:
    settings = file_settings()
    (authentication,) = of_kind("RequestAuthentication")
    (jwt,) = authentication["spec"]["jwtRules"]
    assert jwt["issuer"] == settings.edge.issuer
    assert jwt["audiences"] == [settings.edge.audience]
    assert jwt["jwksUri"] == edge.jwks_uri(settings)
    assert authentication["spec"]["selector"] == {"matchLabels": {"app": "edge-gateway"}}
    (ingress,) = [
        doc for doc in of_kind("AuthorizationPolicy") if doc["spec"]["selector"]["matchLabels"]["app"] == "edge-gateway"
    ]
    (rule,) = ingress["spec"]["rules"]
    assert rule["from"] == [{"source": {"requestPrincipals": [f"{settings.edge.issuer}/*"]}}]
    assert rule["to"] == [{"operation": {"ports": [str(edge.REST_PORT)]}}]


def test_tracing_and_access_logs_mesh_wide() -> None:
    (telemetry,) = of_kind("Telemetry")
    assert telemetry["metadata"]["namespace"] == "istio-system"
    assert telemetry["spec"]["tracing"][0]["providers"] == [{"name": "otel"}]
    assert telemetry["spec"]["accessLogging"][0]["providers"] == [{"name": "envoy"}]
