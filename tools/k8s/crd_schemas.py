"""`python -m tools.k8s.crd_schemas`: tests/schemas/argoproj.io/ from Argo Rollouts' and Argo CD's own CRDs, and
tests/schemas/core.openfeature.dev/ from the OpenFeature Operator's CRDs written in tools/k8s/openfeature_crds.yaml.

The Argo CRDs are the pinned bundles of tools/k8s/crds.py (from the projects' Go module zips, cached once). Each CRD's
openAPIV3Schema becomes a JSON schema, strict as the API server is (an unknown field fails, unless the CRD
preserves unknown fields there), without the descriptions, so a clean clone validates offline.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from services.runtime.config import ROOT
from tools.k8s import crds

SCHEMAS = ROOT / "tests" / "schemas"
OUT = SCHEMAS / "argoproj.io"
# The kinds k8s/ uses, by the upstream bundle that defines them.
KINDS = {
    "argo-rollouts": ("Rollout", "AnalysisTemplate"),
    "argo-cd": ("Application", "ApplicationSet", "AppProject"),
}


def strict(schema: Any) -> Any:
    """The schema without descriptions, closed to unknown fields wherever the CRD lists the fields."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items() if key not in ("description", "properties")}
    if "properties" in schema:  # field names, one of which may well be "description"
        out["properties"] = {name: strict(field) for name, field in schema["properties"].items()}
    open_ = "additionalProperties" in schema or schema.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in schema and not open_:
        out["additionalProperties"] = False
    return out


def json_schemas(crd: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """File name (`<kind>_<version>.json`) -> the JSON schema of each served version of one CRD."""
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    schemas = {}
    for version in crd["spec"]["versions"]:
        schema = strict(version["schema"]["openAPIV3Schema"])
        schema["properties"] |= {
            "apiVersion": {"const": f"{group}/{version['name']}"},
            "kind": {"const": kind},
            "metadata": {"type": "object"},
        }
        schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
        schemas[f"{kind.lower()}_{version['name']}.json"] = schema
    return schemas


def write(crd: dict[str, Any], origin: str) -> None:
    directory = SCHEMAS / crd["spec"]["group"]
    directory.mkdir(parents=True, exist_ok=True)
    for file_name, schema in json_schemas(crd).items():
        schema = {"$comment": f"From {origin} by tools/k8s/crd_schemas.py"} | schema
        (directory / file_name).write_text(json.dumps(schema, separators=(",", ":")) + "\n")
        print(f"wrote {(directory / file_name).relative_to(ROOT)}")


def main() -> None:
    for source in crds.UPSTREAM:
        for crd in yaml.load_all(crds.fetch(source).read_text(), Loader=yaml.CSafeLoader):
            if crd and crd["spec"]["names"]["kind"] in KINDS.get(source.name, ()):
                write(crd, f"{source.name} {source.version}")
    for crd in yaml.safe_load_all(crds.WRITTEN.read_text()):
        if crd:
            write(crd, "tools/k8s/openfeature_crds.yaml")


if __name__ == "__main__":
    main()
