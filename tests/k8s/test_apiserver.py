"""k8s/ meets a real Kubernetes API server: etcd and kube-apiserver on loopback, every CRD the manifests use
installed (tools/k8s/crds.py), the namespaces created for real, then every resource of both overlays (and of any
other kustomization outside base) applied with `kubectl apply --server-side --dry-run=server`. And `istioctl
analyze -A` finds nothing in the overlays.

The server refuses what a cluster would: unknown fields by name (the CRDs are structural), kinds with no CRD,
values their schemas or CEL rules forbid, names that are no DNS subdomain. The planted mistakes below show it.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.runtime.config import ROOT
from tests.k8s.conftest import render
from tools.k8s import crds
from tools.k8s.apiserver import ISTIOCTL, ApiServer, dump

Resources = list[dict[str, Any]]


def kustomizations() -> list[str]:
    """Every kustomization of k8s/ a cluster is given: the overlays, and any other outside base (say, Argo CD's)."""
    k8s = ROOT / "k8s"
    found = {path.parent.relative_to(k8s) for path in k8s.rglob("kustomization.y*ml")}
    return sorted(str(directory) for directory in found if directory.parts[0] != "base")


@pytest.fixture(scope="module")
def manifests() -> dict[str, Resources]:
    """kustomization (overlays/dev, ...) -> its rendered resources."""
    return {name: render(ROOT / "k8s" / name) for name in kustomizations()}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """One API server for this module (it holds 0.5-0.75 GB: stopped when the module ends), CRDs installed."""
    with ApiServer(tmp_path_factory.mktemp("apiserver")) as server:
        server.install_crds()
        yield server


@pytest.fixture(scope="module")
def namespaced(server: ApiServer, manifests: dict[str, Resources]) -> ApiServer:
    """The server with every namespace the overlays use created for real (a dry run cannot create one and then
    put objects in it)."""
    names = {
        resource["metadata"].get("namespace") or resource["metadata"]["name"]
        for resources in manifests.values()
        for resource in resources
        if resource["metadata"].get("namespace") or resource["kind"] == "Namespace"
    }
    namespaces = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}} for name in sorted(names)]
    created = server.kubectl("apply", "--server-side", "-f", "-", stdin=dump(namespaces))
    assert created.returncode == 0, created.stderr
    return server


def dry_run(server: ApiServer, resources: Resources) -> tuple[Counter[str], str]:
    """`kubectl apply --server-side --dry-run=server`: the objects the server accepted (`kind.group/name`, as
    `-o name` prints them), and its refusals."""
    result = server.kubectl(
        "apply",
        "--server-side",
        "--dry-run=server",
        "--field-manager=fintech",
        "-o=name",
        "-f",
        "-",
        stdin=dump(resources),
    )
    return Counter(result.stdout.split()), result.stderr.strip()


def name(resource: dict[str, Any]) -> str:
    group = resource["apiVersion"].rpartition("/")[0]
    return f"{resource['kind'].lower()}{'.' if group else ''}{group}/{resource['metadata']['name']}"


def key(resource: dict[str, Any]) -> str:
    return f"{resource['kind']} {resource['metadata'].get('namespace', '')}/{resource['metadata']['name']}"


def test_both_overlays_are_checked() -> None:
    assert {"overlays/dev", "overlays/prod"} <= set(kustomizations())


@pytest.mark.parametrize("kustomization", kustomizations())
def test_the_api_server_accepts_every_rendered_resource(
    namespaced: ApiServer, manifests: dict[str, Resources], kustomization: str
) -> None:
    resources = manifests[kustomization]
    accepted, refusals = dry_run(namespaced, resources)
    refused = sorted((Counter(name(resource) for resource in resources) - accepted).elements())
    assert not refused and not refusals, f"{kustomization}: {len(refused)} refused {refused}:\n{refusals}"
    assert accepted.total() == len(resources) > 0


def _resource(resources: Resources, kind: str) -> dict[str, Any]:
    return copy.deepcopy(next(resource for resource in resources if resource["kind"] == kind))


ROLLOUT = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Rollout",
    "metadata": {"name": "planted", "namespace": "fintech"},
    "spec": {
        "selector": {"matchLabels": {"app": "planted"}},
        "template": {
            "metadata": {"labels": {"app": "planted"}},
            "spec": {"containers": [{"name": "app", "image": "fintech-mesh:dev"}]},
        },
        "strategy": {"canary": {"steps": [{"setWeight": 5}, {"pause": {}}]}},
    },
}
FEATURE_FLAG = {
    "apiVersion": "core.openfeature.dev/v1beta1",
    "kind": "FeatureFlag",
    "metadata": {"name": "planted", "namespace": "fintech"},
    "spec": {"flagSpec": {"flags": {"on": {"state": "ENABLED", "variants": {"on": True}, "defaultVariant": "on"}}}},
}


def _misspell(path: tuple[str, ...], wrong: str) -> Any:
    """Renames the last key of `path` to `wrong` in a copy of the resource."""

    def plant(resource: dict[str, Any]) -> dict[str, Any]:
        planted = copy.deepcopy(resource)
        parent = planted
        for step in path[:-1]:
            parent = parent[step]
        parent[wrong] = parent.pop(path[-1])
        return planted

    return plant


@pytest.mark.parametrize(
    ("resource", "plant", "named"),
    [
        # a Kubernetes kind: its built-in schema
        ("Deployment", _misspell(("spec", "replicas"), "replica"), ".spec.replica"),
        # a wrapped operator schema (Strimzi) and a written CRD (OpenFeature)
        ("KafkaTopic", _misspell(("spec", "partitions"), "partition"), ".spec.partition"),
        (FEATURE_FLAG, _misspell(("spec", "flagSpec"), "flagSpecs"), ".spec.flagSpecs"),
        # upstream CRDs: Argo Rollouts, Istio
        (
            ROLLOUT,
            lambda r: {**r, "spec": {**r["spec"], "strategy": {"canary": {"stepz": []}}}},
            ".spec.strategy.canary.stepz",
        ),
        ("DestinationRule", _misspell(("spec", "host"), "hots"), ".spec.hots"),
    ],
    ids=[
        "Deployment.spec.replica",
        "KafkaTopic.spec.partition",
        "FeatureFlag.spec.flagSpecs",
        "Rollout.stepz",
        "DR.hots",
    ],
)
def test_a_misspelled_field_is_refused_by_name(
    namespaced: ApiServer, manifests: dict[str, Resources], resource: str | dict[str, Any], plant: Any, named: str
) -> None:
    good = _resource(manifests["overlays/dev"], resource) if isinstance(resource, str) else resource
    accepted, refusals = dry_run(namespaced, [good])
    assert accepted == Counter([name(good)]), refusals
    accepted, refusals = dry_run(namespaced, [plant(good)])
    assert not accepted
    assert f"{named}: field not declared in schema" in refusals, refusals


@pytest.mark.parametrize(
    ("kind", "path", "value", "says"),
    [
        # an enum of an upstream CRD (Istio) and of a wrapped schema (the Spark operator)
        ("PeerAuthentication", ("spec", "mtls", "mode"), "STRICTLY", ("spec.mtls.mode", '"STRICTLY"')),
        ("SparkApplication", ("spec", "type"), "Jython", ("spec.type", '"Jython"')),
        # a type of a Kubernetes kind
        ("Deployment", ("spec", "replicas"), "three", (".spec.replicas: expected numeric",)),
    ],
    ids=["PeerAuthentication.mode", "SparkApplication.type", "Deployment.replicas"],
)
def test_a_value_its_schema_forbids_is_refused(
    namespaced: ApiServer, manifests: dict[str, Resources], kind: str, path: tuple[str, ...], value: Any, says: Any
) -> None:
    planted = _resource(manifests["overlays/dev"], kind)
    parent = planted
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    accepted, refusals = dry_run(namespaced, [planted])
    assert not accepted
    assert all(fragment in refusals for fragment in says), refusals


def test_a_kind_without_crd_is_refused(namespaced: ApiServer) -> None:
    canary = {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "x", "namespace": "fintech"}}
    accepted, refusals = dry_run(namespaced, [canary])
    assert not accepted
    assert 'no matches for kind "Canary"' in refusals, refusals


def test_the_written_and_wrapped_crds_refuse_unknown_fields_at_the_top() -> None:
    """No CRD of ours keeps unknown fields under spec wholesale: a misspelled field must be refused."""
    for crd in crds.local():
        for version in crd["spec"]["versions"]:
            schema = version["schema"]["openAPIV3Schema"]
            assert "x-kubernetes-preserve-unknown-fields" not in schema, crd["metadata"]["name"]
            assert "x-kubernetes-preserve-unknown-fields" not in schema["properties"]["spec"], crd["metadata"]["name"]
            assert schema["properties"]["spec"].get("properties"), crd["metadata"]["name"]


def istioctl_analyze(*files: Path) -> subprocess.CompletedProcess[str]:
    assert ISTIOCTL.exists(), f"{ISTIOCTL} is missing: run `make setup`"
    return subprocess.run(
        [
            str(ISTIOCTL),
            "analyze",
            "--use-kube=false",
            "--all-namespaces",
            "--failure-threshold=Info",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def istio_files_outside(resources: Resources) -> list[Path]:
    """istio/ files with a resource the overlay does not hold (so `istio/` is analysed even where k8s/ lacks it)."""
    held = {key(resource) for resource in resources}
    return [
        path
        for path in sorted((ROOT / "istio").rglob("*.yaml"))
        if any(key(doc) not in held for doc in yaml.safe_load_all(path.read_text()) if doc)
    ]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_istioctl_analyze_finds_nothing(manifests: dict[str, Resources], overlay: str, tmp_path: Path) -> None:
    resources = manifests[f"overlays/{overlay}"]
    manifest = tmp_path / f"{overlay}.yaml"
    manifest.write_text(dump(resources))
    result = istioctl_analyze(manifest, *istio_files_outside(resources))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No validation issues found" in result.stdout + result.stderr, result.stdout + result.stderr


def test_istioctl_analyze_reports_a_broken_reference(manifests: dict[str, Resources], tmp_path: Path) -> None:
    gateway = _resource(manifests["overlays/dev"], "Gateway")
    planted = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "planted", "namespace": gateway["metadata"]["namespace"]},
        "spec": {
            "hosts": ["*"],
            "gateways": ["no-such-gateway"],
            "http": [{"route": [{"destination": {"host": "edge-gateway"}}]}],
        },
    }
    manifest = tmp_path / "dev.yaml"
    manifest.write_text(dump([*manifests["overlays/dev"], planted]))
    result = istioctl_analyze(manifest)
    assert result.returncode != 0
    assert "IST0101" in result.stdout + result.stderr and "no-such-gateway" in result.stdout + result.stderr


def test_a_cached_crd_bundle_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    for source in crds.UPSTREAM:
        shutil.copy(crds.CACHE / source.bundle, tmp_path / source.bundle)
    assert crds.bundles(tmp_path)
    bundle = tmp_path / crds.UPSTREAM[0].bundle
    bundle.write_text(bundle.read_text().replace("type: object", "type: string", 1))
    with pytest.raises(FileNotFoundError, match="not the pinned one"):
        crds.bundles(tmp_path)


def test_a_json_schema_becomes_a_structural_one() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "$comment": "strict",
        "definitions": {
            "pod": {"type": "object", "additionalProperties": False, "properties": {"cores": {"type": "integer"}}}
        },
        "properties": {
            "kind": {"const": "SparkApplication"},
            "driver": {"$ref": "#/definitions/pod"},
            "executor": {"allOf": [{"$ref": "#/definitions/pod"}], "properties": {"instances": {"type": "integer"}}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    pod = {"type": "object", "properties": {"cores": {"type": "integer"}}}
    assert crds.structural(schema, schema["definitions"]) == {
        "type": "object",
        "properties": {
            "kind": {"enum": ["SparkApplication"], "type": "string"},
            "driver": pod,
            "executor": {
                "type": "object",
                "properties": {"cores": {"type": "integer"}, "instances": {"type": "integer"}},
            },
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
