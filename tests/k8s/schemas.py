"""Validation of one rendered resource against its schema: Kubernetes kinds with kubernetes-validate
(strict: unknown fields fail), custom resources with the operators' JSON schemas in tests/schemas/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate

from services.runtime.config import ROOT

SCHEMAS = ROOT / "tests" / "schemas"
KUBERNETES_VERSION = "1.33.0"
# API groups whose kinds come from operators (Istio, Strimzi, CloudNativePG, Prometheus operator).
CUSTOM_GROUPS = {path.name for path in SCHEMAS.iterdir() if path.is_dir()}


def schema_path(resource: dict[str, Any]) -> Path | None:
    """The operator schema of a custom resource, None for a Kubernetes kind."""
    group, _, version = resource["apiVersion"].rpartition("/")
    if group not in CUSTOM_GROUPS:
        return None
    return SCHEMAS / group / f"{resource['kind'].lower()}_{version}.json"


@cache
def _validator(path: Path) -> jsonschema.Draft7Validator:
    if not path.exists():
        raise AssertionError(f"no schema {path.relative_to(ROOT)}: copy it from ../shared/schemas/")
    return jsonschema.Draft7Validator(json.loads(path.read_text()))


def validate(resource: dict[str, Any]) -> None:
    """Raises (jsonschema.ValidationError or kubernetes-validate's errors) unless the resource is valid."""
    path = schema_path(resource)
    if path is None:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
    else:
        _validator(path).validate(resource)


def describe(resource: dict[str, Any]) -> str:
    metadata = resource.get("metadata") or {}
    return f"{resource.get('kind')} {metadata.get('namespace', '')}/{metadata.get('name')}"
