"""The OpenAPI document describes the edge's wire: proto3 JSON types, security, servers, the error answers."""

from __future__ import annotations

import tomllib

import pytest
import yaml
from google.protobuf import descriptor_pb2

from tests.contracts.conftest import DESCRIPTOR_SET, ROOT
from tools.openapi import document as openapi_document
from tools.openapi.errors import OperationFacts, documented_codes, error_statuses

OPENAPI = ROOT / "gen" / "openapi" / "openapi.yaml"
ALWAYS = {"401", "403", "429", "503"}


@pytest.fixture(scope="module")
def doc() -> dict:
    return yaml.safe_load(OPENAPI.read_text())


def _operations(doc: dict) -> dict[str, tuple[str, dict]]:
    return {op["operationId"]: (verb, op) for item in doc["paths"].values() for verb, op in item.items()}


def _fields_of_type(type_name: str) -> list[tuple[str, str]]:
    """(message, field) of every fintech field of the given message type."""
    files = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET.read_bytes()).file
    found = []

    def walk(package: str, message: descriptor_pb2.DescriptorProto, prefix: str) -> None:
        for field in message.field:
            if field.type_name == f".{type_name}":
                found.append((f"{package}.{prefix}{message.name}", field.name))
        for nested in message.nested_type:
            walk(package, nested, f"{prefix}{message.name}_")

    for file in files:
        if file.package.startswith("fintech."):
            for message in file.message_type:
                walk(file.package, message, "")
    return found


def test_the_completion_finds_every_schema_gnostic_wrote(doc: dict):
    """Each fintech schema is a message the completion knows by gnostic's name, so none escapes its fixes."""
    files = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET.read_bytes()).file
    known = set(openapi_document._Contracts(list(files)).schema_names.values())
    written = {name for name in doc["components"]["schemas"] if name.startswith("fintech.")}
    assert written and written <= known, written - known


def test_dates_are_proto3_json_objects_not_strings(doc: dict):
    schemas = doc["components"]["schemas"]
    assert schemas["google.type.Date"]["type"] == "object"
    assert set(schemas["google.type.Date"]["properties"]) == {"year", "month", "day"}
    dates = _fields_of_type("google.type.Date")
    assert len(dates) >= 8
    for message, field in dates:
        if message in schemas:
            assert schemas[message]["properties"][field]["allOf"] == [{"$ref": "#/components/schemas/google.type.Date"}]
    assert "format: date\n" not in OPENAPI.read_text()


def test_empty_fields_are_kept_as_empty_objects_and_bytes_are_base64(doc: dict):
    schemas = doc["components"]["schemas"]
    for message, field in _fields_of_type("google.protobuf.Empty"):
        assert schemas[message]["properties"][field]["allOf"] == [
            {"$ref": "#/components/schemas/google.protobuf.Empty"}
        ]
    assert schemas["google.protobuf.Empty"] == {**schemas["google.protobuf.Empty"], "type": "object", "properties": {}}
    record = schemas["fintech.risk.v1.AuditRecord"]["properties"]["record_hash"]
    assert (record["type"], record["format"]) == ("string", "byte")
    assert "format: bytes" not in OPENAPI.read_text()


def test_every_google_type_the_contracts_use_has_a_checked_mapping():
    files = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET.read_bytes()).file
    used = {
        field.type_name.lstrip(".")
        for file in files
        if file.package.startswith("fintech.")
        for message in file.message_type
        for field in message.field
        if field.type_name.startswith(".google.")
    }
    assert used and used <= set(openapi_document.WIRE_TYPES)
    with pytest.raises(SystemExit, match="google.protobuf.Unchecked"):
        openapi_document._wire_schema("google.protobuf.Unchecked")


def test_every_operation_needs_a_bearer_token_or_oauth2_client_credentials(doc: dict):
    mesh = tomllib.loads((ROOT / "mesh.toml").read_text())
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == f"http://{mesh['mesh']['host']}:{mesh['edge']['issuer_port']}/oauth2/token"
    assert set(flow["scopes"]) == {"fintech.api"}
    for _verb, operation in _operations(doc).values():
        assert operation["security"] == [{"bearer": []}, {"oauth2": ["fintech.api"]}], operation["operationId"]
    assert doc["servers"][0]["url"] == f"http://{mesh['mesh']['host']}:{mesh['envoy']['rest_port']}"


def test_the_error_shape_is_a_status_with_tagged_details(doc: dict):
    schemas = doc["components"]["schemas"]
    status = schemas["google.rpc.Status"]
    assert set(status["properties"]) == {"code", "message", "details"}
    items = status["properties"]["details"]["items"]
    assert items["discriminator"]["propertyName"] == "@type"
    for name in ("ErrorInfo", "BadRequest", "RetryInfo", "RequestInfo"):
        url = f"type.googleapis.com/google.rpc.{name}"
        assert items["discriminator"]["mapping"][url] == f"#/components/schemas/google.rpc.{name}"
        assert schemas[f"google.rpc.{name}"]["properties"]["@type"]["enum"] == [url]
    assert "field_violations" in schemas["google.rpc.BadRequest"]["properties"]  # proto field names, as sent
    for response in doc["components"]["responses"].values():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/google.rpc.Status"}


def test_each_operation_lists_the_error_statuses_it_can_answer(doc: dict):
    operations = _operations(doc)
    for name, (verb, operation) in operations.items():
        statuses = set(operation["responses"]) - {"200", "default"}
        assert statuses >= ALWAYS, name
        if name.split("_")[1].startswith(("Retrieve", "Get")):
            assert "404" in statuses, name
        if verb == "get":
            assert "409" not in statuses, name
    for name in (
        "CustomerDirectoryService_RegisterCustomer",  # DUPLICATE_RESOURCE
        "CustomerDirectoryService_UpdateCustomer",  # the etag (ABORTED)
        "PaymentInitiationService_InitiatePayment",
        "PositionKeepingService_OpenAccount",
        "SettlementService_ControlSettlementBatch",
    ):
        assert "409" in operations[name][1]["responses"], name
    assert "404" not in operations["FeatureStoreService_ListFeatureDefinitions"][1]["responses"]
    assert "409" not in operations["CreditRiskAssessmentService_EvaluateCreditRisk"][1]["responses"]


def _facts(**changes) -> OperationFacts:
    base = {
        "method": "ListThings",
        "http_method": "get",
        "side_effects": False,
        "path_parameters": (),
        "request_fields": (),
        "validated": False,
        "service_codes": frozenset(),
    }
    return OperationFacts(**{**base, **changes})


def test_error_derivation_rules():
    assert error_statuses(_facts()) == [401, 403, 429, 503]
    assert error_statuses(_facts(request_fields=("page_size",))) == [400, 401, 403, 429, 503]
    found = frozenset({"NOT_FOUND"})
    assert 404 in error_statuses(_facts(method="RetrieveThing", path_parameters=("thing_id",), service_codes=found))
    assert 404 not in error_statuses(_facts(method="RetrieveThing", path_parameters=("thing_id",)))
    assert 404 not in error_statuses(_facts(request_fields=("request_id",), service_codes=found))
    assert 404 in error_statuses(_facts(request_fields=("account_id",), service_codes=found))
    conflicts = frozenset({"ALREADY_EXISTS"})
    create = _facts(method="CreateThing", http_method="post", side_effects=True, service_codes=conflicts)
    assert 409 in error_statuses(create)
    assert 409 not in error_statuses(_facts(method="Predict", http_method="post", service_codes=conflicts))
    assert 409 in error_statuses(_facts(documented_codes=frozenset({"ABORTED"})))


def test_a_methods_comment_names_codes_directly_or_by_reason():
    reasons = {"DUPLICATE_RESOURCE": "ALREADY_EXISTS", "INSUFFICIENT_FUNDS": "FAILED_PRECONDITION"}
    comment = "Fails with ALREADY_EXISTS, or NOT_FOUND; INSUFFICIENT_FUNDS when ... DUPLICATE_RESOURCE."
    assert documented_codes(comment, reasons) == {"ALREADY_EXISTS", "NOT_FOUND", "FAILED_PRECONDITION"}


def test_query_parameters_of_fixed_types_are_described_as_the_transcoder_reads_them():
    field = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(
        name="fintech/test/v1/t.proto",
        package="fintech.test.v1",
        message_type=[
            descriptor_pb2.DescriptorProto(
                name="ListRequest",
                field=[
                    field(name="on", number=1, type=field.TYPE_MESSAGE, type_name=".google.type.Date"),
                    field(name="blob", number=2, type=field.TYPE_BYTES),
                    field(name="mask", number=3, type=field.TYPE_MESSAGE, type_name=".google.protobuf.FieldMask"),
                ],
            )
        ],
        service=[
            descriptor_pb2.ServiceDescriptorProto(
                name="TestService",
                method=[descriptor_pb2.MethodDescriptorProto(name="List", input_type=".fintech.test.v1.ListRequest")],
            )
        ],
    )
    gnostic = [
        {"name": "on", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "blob", "in": "query", "schema": {"type": "string", "format": "bytes"}},
        {"name": "mask", "in": "query", "schema": {"type": "string", "format": "field-mask"}},
    ]
    doc = {"paths": {"/v1/tests": {"get": {"operationId": "TestService_List", "parameters": gnostic}}}}
    openapi_document._fix_query_parameters(doc, openapi_document._Contracts([file]))
    parameters = {p["name"]: p["schema"] for p in doc["paths"]["/v1/tests"]["get"]["parameters"]}
    assert parameters == {
        "on.year": {"type": "integer", "format": "int32", "description": "1 to 9999, or 0 for a date without a year."},
        "on.month": {"type": "integer", "format": "int32", "description": "1 to 12, or 0 for a year alone."},
        "on.day": {"type": "integer", "format": "int32", "description": "1 to 31, or 0 for a year and month alone."},
        "blob": {"type": "string", "format": "byte"},
        "mask": {"type": "string"},
    }
