"""`python -m tools.k8s.crd_schemas`: tests/schemas/argoproj.io/ from Argo Rollouts' and Argo CD's own CRDs.

The CRDs ship in the projects' Go module zips (`manifests/crds/`); `go mod download` fetches them once into
~/.cache/fintech-mesh/crds/<project>-<version>/ (it extracts the zip though it warns about the Go version). Each
CRD's openAPIV3Schema becomes a JSON schema, strict as the API server is (an unknown field fails, unless the CRD
preserves unknown fields there), without the descriptions, so a clean clone validates offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from services.runtime.config import ROOT

# Beside the Makefile's BIN_CACHE, outside the clone: a fresh clone (CI's) reuses it.
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fintech-mesh" / "crds"
OUT = ROOT / "tests" / "schemas" / "argoproj.io"
# Go module, version, the CRD files of manifests/crds/ that k8s/ uses.
MODULES = {
    "argo-rollouts": (
        "github.com/argoproj/argo-rollouts",
        "v1.10.2",
        ("rollout-crd.yaml", "analysis-template-crd.yaml"),
    ),
    "argo-cd": (
        "github.com/argoproj/argo-cd/v3",
        "v3.6.2",
        ("application-crd.yaml", "applicationset-crd.yaml", "appproject-crd.yaml"),
    ),
}


def crd_dir(project: str) -> Path:
    """The project's CRDs, downloaded once (`go mod download` into a scratch module cache)."""
    module, version, files = MODULES[project]
    cached = CACHE / f"{project}-{version}"
    if all((cached / name).exists() for name in files):
        return cached
    with tempfile.TemporaryDirectory() as scratch:
        environment = os.environ | {"GOMODCACHE": scratch, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}
        # Exits non-zero when the module wants a newer Go, after extracting it: the files decide.
        subprocess.run(
            ["go", "mod", "download", "-json", f"{module}@{version}"],
            cwd=scratch,
            env=environment,
            capture_output=True,
            check=False,
        )
        source = Path(scratch) / f"{module}@{version}" / "manifests" / "crds"
        cached.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copy(source / name, cached / name)
        subprocess.run(["chmod", "-R", "u+w", scratch], check=False)  # the module cache is read-only
    return cached


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


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for project, (_, version, files) in MODULES.items():
        directory = crd_dir(project)
        for name in files:
            for file_name, schema in json_schemas(yaml.safe_load((directory / name).read_text())).items():
                schema = {
                    "$comment": f"From {project} {version} manifests/crds/{name} by tools/k8s/crd_schemas.py"
                } | schema
                (OUT / file_name).write_text(json.dumps(schema, separators=(",", ":")) + "\n")
                print(f"wrote {(OUT / file_name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
