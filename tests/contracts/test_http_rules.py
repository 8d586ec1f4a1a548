"""Every public RPC has an AIP-style HTTP rule, every internal RPC is marked so, and none is both."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from google.api import annotations_pb2, field_behavior_pb2, http_pb2, visibility_pb2
from google.protobuf.descriptor import FieldDescriptor

from tests.contracts.conftest import DERIVED, DOMAINS, Contracts, load_contracts

VERBS = ("get", "put", "post", "delete", "patch")
PATH_SEGMENT = re.compile(r"^(v1|[a-z][a-zA-Z0-9]*|\{[a-z_.]+\}(:[a-z][a-zA-Z]*)?|[a-z][a-zA-Z0-9]*:[a-z][a-zA-Z]*)$")
VARIABLE = re.compile(r"\{([a-z_.]+)(=[^}]*)?\}")


def _methods():
    contracts = load_contracts()
    for file in contracts.protos:
        for service in file.service:
            for method in service.method:
                yield pytest.param(file, service, method, id=f"{file.package}.{service.name}.{method.name}")


def _bindings(rule: http_pb2.HttpRule) -> list[http_pb2.HttpRule]:
    return [rule, *rule.additional_bindings]


def _verb_and_path(rule: http_pb2.HttpRule) -> tuple[str, str]:
    verb = rule.WhichOneof("pattern")
    assert verb in VERBS, f"custom HTTP verb {verb!r}"
    return verb, getattr(rule, verb)


def _field(contracts: Contracts, message_name: str, dotted: str) -> FieldDescriptor:
    """Resolve `a.b` against a message, returning the last field."""
    message = contracts.pool.FindMessageTypeByName(message_name.lstrip("."))
    field = None
    for part in dotted.split("."):
        assert message is not None, f"{dotted}: {part} is not inside a message"
        field = message.fields_by_name.get(part)
        assert field is not None, f"{message.full_name} has no field {part!r}"
        message = field.message_type
    return field


def test_every_domain_has_services(contracts: Contracts):
    packages = Counter(f.package for f in contracts.protos if f.service)
    for domain in DOMAINS[1:]:
        assert packages[f"fintech.{domain}.v1"] > 0, f"fintech.{domain}.v1 defines no service"


@pytest.mark.parametrize(("file", "service", "method"), list(_methods()))
def test_public_rpcs_have_http_rules_and_internal_ones_are_marked(file, service, method, contracts):
    options = method.options
    has_rule = options.HasExtension(annotations_pb2.http)
    internal = options.Extensions[visibility_pb2.method_visibility].restriction == "INTERNAL"
    assert has_rule != internal, (
        f"{service.name}.{method.name}: a public RPC needs a google.api.http rule, an internal one "
        "the INTERNAL method_visibility and no rule"
    )
    if internal:
        return
    for rule in _bindings(options.Extensions[annotations_pb2.http]):
        verb, path = _verb_and_path(rule)
        assert path.startswith("/v1/"), f"{path}: paths start with the major version"
        for segment in path.lstrip("/").split("/"):
            assert PATH_SEGMENT.match(segment), f"{path}: segment {segment!r} is not AIP style"
        variables = [m.group(1) for m in VARIABLE.finditer(path)]
        for variable in variables:
            field = _field(contracts, method.input_type, variable)
            behaviors = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
            assert field_behavior_pb2.REQUIRED in behaviors or field_behavior_pb2.IDENTIFIER in behaviors, (
                f"{path}: path variable {variable} must be a REQUIRED field"
            )
        if verb in ("get", "delete"):
            assert not rule.body, f"{verb.upper()} {path} must not have a body"
        else:
            assert rule.body, f"{verb.upper()} {path} must name its body"
            if rule.body != "*":
                _field(contracts, method.input_type, rule.body)


def test_no_two_rpcs_share_a_route(contracts: Contracts):
    routes = Counter()
    for file in contracts.protos:
        for service in file.service:
            for method in service.method:
                if method.options.HasExtension(annotations_pb2.http):
                    for rule in _bindings(method.options.Extensions[annotations_pb2.http]):
                        verb, path = _verb_and_path(rule)
                        routes[(verb, VARIABLE.sub("{}", path))] += 1
    assert [route for route, count in routes.items() if count > 1] == []


def test_files_live_in_their_package_directory(contracts: Contracts):
    for file in contracts.protos:
        assert file.name.rsplit("/", 1)[0] == file.package.replace(".", "/"), file.name
        assert file.package.split(".")[1] in DOMAINS + DERIVED, file.package


def test_reads_declare_no_side_effects(contracts: Contracts):
    # Clients retry only what the contract declares safe to repeat (idempotency_level).
    undeclared = [
        f"{service.name}.{method.name}"
        for file in contracts.protos
        for service in file.service
        for method in service.method
        if method.options.HasExtension(annotations_pb2.http)
        and method.options.Extensions[annotations_pb2.http].WhichOneof("pattern") == "get"
        and method.options.idempotency_level != method.options.NO_SIDE_EFFECTS
    ]
    assert undeclared == []
