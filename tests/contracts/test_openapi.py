"""The generated OpenAPI document is valid and describes exactly the public RPCs."""

from __future__ import annotations

import re
from collections import Counter

import yaml
from google.api import annotations_pb2
from openapi_spec_validator import validate

from tests.contracts.conftest import ROOT, Contracts

OPENAPI = ROOT / "gen" / "openapi" / "openapi.yaml"


def _document() -> dict:
    return yaml.safe_load(OPENAPI.read_text())


def test_document_is_valid_openapi_3():
    validate(_document())


def test_no_two_paths_are_the_same_template():
    # OpenAPI forbids paths that differ only in variable names; such pairs come from
    # routes like `{customer.customer_id}` beside `{customer_id}`.
    shapes = Counter(re.sub(r"\{[^}]+\}", "{}", path) for path in _document()["paths"])
    assert [shape for shape, count in shapes.items() if count > 1] == []


def test_every_public_rpc_is_an_operation(contracts: Contracts):
    operations = {
        operation["operationId"]
        for item in _document()["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    public = {
        f"{service.name}_{method.name}"
        for file in contracts.protos
        for service in file.service
        for method in service.method
        if method.options.HasExtension(annotations_pb2.http)
    }
    assert operations == public
