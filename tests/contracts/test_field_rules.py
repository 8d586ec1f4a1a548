"""Field-level contract rules: required fields are marked, formats are declared, money is integral."""

from __future__ import annotations

import re

from google.api import field_behavior_pb2
from google.protobuf import descriptor_pb2
from validate import validate_pb2

from tests.contracts.conftest import Contracts

FieldProto = descriptor_pb2.FieldDescriptorProto
# Requests whose every field is optional by design.
OPTIONAL_ONLY = {"PaymentExecutionService.ReplayPaymentProjections"}  # no arguments: rebuild everything
MONEY_NAME = re.compile(r"amount|balance|limit|price|fee|money|exposure|total")


def _messages(contracts: Contracts):
    def walk(message, name):
        yield name, message
        for nested in message.nested_type:
            yield from walk(nested, f"{name}.{nested.name}")

    for file in contracts.protos:
        for message in file.message_type:
            yield from walk(message, f"{file.package}.{message.name}")


def _requests(contracts: Contracts):
    """(rpc name, request message proto) for every RPC."""
    by_name = dict(_messages(contracts))
    for file in contracts.protos:
        for service in file.service:
            for method in service.method:
                yield f"{service.name}.{method.name}", by_name[method.input_type.lstrip(".")]


def _behaviors(field: FieldProto) -> list[int]:
    return list(field.options.Extensions[field_behavior_pb2.field_behavior])


def _has_rules(field: FieldProto) -> bool:
    return field.options.HasExtension(validate_pb2.rules)


def test_money_is_never_floating_point(contracts: Contracts):
    floats = (FieldProto.TYPE_DOUBLE, FieldProto.TYPE_FLOAT)
    offenders = [
        f"{name}.{field.name}"
        for name, message in _messages(contracts)
        for field in message.field
        if field.type in floats and MONEY_NAME.search(field.name) and "ratio" not in field.name
    ]
    assert offenders == [], "money must be fintech.common.v1.Money (integer minor units)"


def test_every_request_marks_its_required_fields(contracts: Contracts):
    unmarked = [
        rpc
        for rpc, request in _requests(contracts)
        if request.field
        and not rpc.split(".")[1].startswith("List")
        and rpc not in OPTIONAL_ONLY
        and not any(field_behavior_pb2.REQUIRED in _behaviors(f) for f in request.field)
    ]
    assert unmarked == []


def test_required_ids_declare_their_format(contracts: Contracts):
    loose = [
        f"{rpc}.{field.name}"
        for rpc, request in _requests(contracts)
        for field in request.field
        if field.name.endswith("_id")
        and field.type == FieldProto.TYPE_STRING
        and field_behavior_pb2.REQUIRED in _behaviors(field)
        and not _has_rules(field)
    ]
    assert loose == [], "required ids need a validate rule (uuid, pattern or length)"


def test_list_rpcs_page_by_token(contracts: Contracts):
    by_name = dict(_messages(contracts))
    for file in contracts.protos:
        for service in file.service:
            for method in service.method:
                if not method.name.startswith("List"):
                    continue
                request = {f.name: f for f in by_name[method.input_type.lstrip(".")].field}
                response = {f.name for f in by_name[method.output_type.lstrip(".")].field}
                assert {"page_size", "page_token"} <= request.keys(), method.name
                assert "next_page_token" in response, method.name
                size_rule = request["page_size"].options.Extensions[validate_pb2.rules].int32
                assert size_rule.HasField("lte") and 0 < size_rule.lte <= 1000, f"{method.name}.page_size bound"


def test_payments_are_idempotent(contracts: Contracts):
    request = dict(_messages(contracts))["fintech.payments.v1.InitiatePaymentRequest"]
    key = next(f for f in request.field if f.name == "idempotency_key")
    assert field_behavior_pb2.REQUIRED in _behaviors(key)
    assert key.options.Extensions[validate_pb2.rules].string.min_len > 0
