"""`python -m tools.k8s.crds`: every CustomResourceDefinition the rendered overlays use, for the real API server
of tests/k8s/test_apiserver.py.

Three kinds of source:
- upstream: the projects' own CRD files inside their pinned Go module zips (Argo Rollouts, Argo CD, Istio), fetched
  once by `make setup` (`go mod download`) into a cache keyed by version, outside the clone, and checked against the
  sha256 pinned in UPSTREAM; tests never download;
- written: the OpenFeature Operator's FeatureFlag and FeatureFlagSource (openfeature_crds.yaml), written here from
  the operator's documented schema, because the Go module proxy refuses its module;
- wrapped: the JSON schemas in tests/schemas of every other API group (Strimzi, CloudNativePG, the Prometheus
  operator, the Spark operator: no served module holds their CRDs), made structural and wrapped into CRDs.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.runtime.config import ROOT

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fintech-mesh" / "kube" / "crds"
SCHEMAS = ROOT / "tests" / "schemas"
WRITTEN = Path(__file__).with_name("openfeature_crds.yaml")
Resource = dict[str, Any]


@dataclass(frozen=True)
class Upstream:
    """CRD files inside a Go module's zip: `files` is a glob of paths relative to the module's root."""

    name: str
    module: str
    version: str
    files: str
    sha256: str  # of the bundle: the matching files, sorted by path, joined by YAML document separators

    @property
    def bundle(self) -> str:
        return f"{self.name}-{self.version}.yaml"


UPSTREAM = (
    Upstream(
        "argo-rollouts",
        "github.com/argoproj/argo-rollouts",
        "v1.10.2",
        "manifests/crds/*-crd.yaml",
        "1886ab9f5a75890b15ea5f0ea063d2b3a0d2da9fe93c8089e98b8bc2b85e01a8",
    ),
    Upstream(
        "argo-cd",
        "github.com/argoproj/argo-cd/v3",
        "v3.6.2",
        "manifests/crds/*-crd.yaml",
        "45102bf147e6ce0968e9141e86a2dcd45d7e7a524f0041447a83582b2b7443e5",
    ),
    Upstream(
        "istio",
        "istio.io/api",
        "v1.32.0",
        "kubernetes/customresourcedefinitions.gen.yaml",
        "c65d3908ee5eefea7cb5f3baad2622455fd7b483e920ee428500b44da73f2601",
    ),
)


def _download(source: Upstream) -> str:
    """The bundle, read from the module zip `go mod download` keeps (it exits non-zero when the module wants a newer
    Go than ours, after downloading the zip and verifying it against the checksum database: the zip decides)."""
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            ["go", "mod", "download", "-json", f"{source.module}@{source.version}"],
            cwd=scratch,
            env=os.environ | {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"},
            capture_output=True,
            text=True,
            check=False,
        )
    info = json.loads(result.stdout or "{}")
    if not info.get("Zip") or not Path(info["Zip"]).exists():
        raise SystemExit(f"{source.module}@{source.version}: {info.get('Error') or result.stderr.strip()}")
    prefix = f"{source.module}@{source.version}/"
    with zipfile.ZipFile(info["Zip"]) as archive:
        names = sorted(
            name
            for name in archive.namelist()
            if name.startswith(prefix) and fnmatch.fnmatch(name.removeprefix(prefix), source.files)
        )
        if not names:
            raise SystemExit(f"{source.module}@{source.version} has no {source.files}")
        return "---\n".join(archive.read(name).decode() for name in names)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "(missing)"


def fetch(source: Upstream, cache: Path = CACHE) -> Path:
    """The cached bundle of `source`, downloaded when missing or not the pinned one; refused when the download is
    not the pinned one either."""
    path = cache / source.bundle
    if _sha256(path) != source.sha256:
        text = _download(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".tmp").write_text(text)
        path.with_suffix(".tmp").rename(path)
    if (digest := _sha256(path)) != source.sha256:
        raise SystemExit(f"{path}: sha256 {digest}, pinned {source.sha256} in tools/k8s/crds.py")
    return path


def bundles(cache: Path = CACHE) -> list[Path]:
    """The upstream bundles from the cache alone, each checked against its pin (`make setup` has fetched them)."""
    paths = [cache / source.bundle for source in UPSTREAM]
    for path, source in zip(paths, UPSTREAM, strict=True):
        if _sha256(path) != source.sha256:
            raise FileNotFoundError(f"{path} is missing or not the pinned one: run `make crds`")
    return paths


def _load(text: str) -> list[Resource]:
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc]  # C: the bundles are 7 MB


@functools.cache
def upstream(cache: Path = CACHE) -> list[Resource]:
    """The upstream CRDs, parsed once per process."""
    return [crd for path in bundles(cache) for crd in _load(path.read_text())]


def structural(schema: Any, definitions: dict[str, Any]) -> Any:
    """A JSON schema as a CRD's structural schema: references inlined, `const` as a one-value `enum` with its
    type, and `additionalProperties: false` dropped (a structural schema refuses undeclared fields already, and
    kube-apiserver refuses the keyword next to `properties`)."""
    if isinstance(schema, list):
        return [structural(item, definitions) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = dict(schema)
    if "$ref" in schema:
        schema = {**definitions[schema.pop("$ref").rpartition("/")[2]], **schema}
    if schema.get("allOf") and all("$ref" in part for part in schema["allOf"]):  # a base object, extended
        for part in structural(schema.pop("allOf"), definitions):
            schema["properties"] = {**part.get("properties", {}), **schema.get("properties", {})}
            if required := sorted({*part.get("required", []), *schema.get("required", [])}):
                schema["required"] = required
            if "type" in part:
                schema.setdefault("type", part["type"])
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    if "enum" in schema and "type" not in schema:
        schema["type"] = {str: "string", bool: "boolean", int: "integer"}[type(schema["enum"][0])]
    if schema.get("additionalProperties") is False:
        del schema["additionalProperties"]
    for key in ("$schema", "$comment", "definitions"):
        schema.pop(key, None)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: structural(item, definitions) for name, item in value.items()}
        elif key in ("default", "enum", "example", "x-kubernetes-validations"):
            out[key] = value  # values, not schemas
        else:
            out[key] = structural(value, definitions)
    return out


def wrap(group: str, schemas: dict[str, dict[str, Any]]) -> Resource:
    """One kind's CRD from its JSON schemas by version (the last version stores). Plurals are the kind in lower
    case plus `s`, as every wrapped operator names them."""
    kind = next(iter(schemas.values()))["kind"]
    plural = kind.lower() + "s"
    versions = []
    for index, (version, schema) in enumerate(sorted(schemas.items())):
        body = structural(schema["schema"], schema["schema"].get("definitions", {}))
        body["properties"] |= {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
        }
        required = [name for name in body.get("required", []) if name not in ("apiVersion", "kind", "metadata")]
        body.pop("required", None)
        body |= {"required": required} if required else {}
        body["type"] = "object"
        last = index == len(schemas) - 1
        versions.append({"name": version, "served": True, "storage": last, "schema": {"openAPIV3Schema": body}})
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}", "annotations": _approval(group)},
        "spec": {
            "group": group,
            "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
            "scope": "Namespaced",
            "versions": versions,
        },
    }


# Groups under k8s.io and kubernetes.io are Kubernetes' own: the API server wants a CRD there to name the review
# that approved it. The Spark operator's own CRD names this one.
APPROVALS = {"sparkoperator.k8s.io": "https://github.com/kubeflow/spark-operator/pull/1298"}


def _approval(group: str) -> dict[str, str]:
    if group.endswith((".k8s.io", ".kubernetes.io")):
        return {"api-approved.kubernetes.io": APPROVALS.get(group, "unapproved, wrapped from tests/schemas")}
    return {}


def wrapped(covered: set[str]) -> list[Resource]:
    """CRDs for the groups of tests/schemas that no other source covers. A schema file is
    `<group>/<kind, lower case>_<version>.json`; the kind's spelling comes from the schema's `kind` const or enum,
    else from the file name's capitalised."""
    kinds: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for path in sorted(SCHEMAS.glob("*/*.json")):
        group = path.parent.name
        if group in covered:
            continue
        name, _, version = path.stem.rpartition("_")
        schema = json.loads(path.read_text())
        kind_schema = schema.get("properties", {}).get("kind", {})
        kind = kind_schema.get("const") or (kind_schema.get("enum") or [None])[0] or _KINDS.get(name, name.title())
        kinds[(group, name)][version] = {"kind": kind, "schema": schema}
    return [wrap(group, versions) for (group, _), versions in sorted(kinds.items())]


# Kinds whose lower-case file name does not capitalise back to them.
_KINDS = {
    "kafkatopic": "KafkaTopic",
    "kafkanodepool": "KafkaNodePool",
    "kafkauser": "KafkaUser",
    "podmonitor": "PodMonitor",
    "servicemonitor": "ServiceMonitor",
    "prometheusrule": "PrometheusRule",
    "sparkapplication": "SparkApplication",
}


def local(cache: Path = CACHE) -> list[Resource]:
    """The written CRDs, and the wrapped ones for the groups no upstream or written CRD covers."""
    written = _load(WRITTEN.read_text())
    return written + wrapped({crd["spec"]["group"] for crd in upstream(cache) + written})


def every(cache: Path = CACHE) -> list[Resource]:
    """Every CRD."""
    return upstream(cache) + local(cache)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.k8s.crds", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"where bundles are kept (default {CACHE})")
    args = parser.parse_args(argv)
    for source in UPSTREAM:
        print(f"{source.name} {source.version}: {fetch(source, args.cache)}")
    print(f"{len(every(args.cache))} CRDs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
