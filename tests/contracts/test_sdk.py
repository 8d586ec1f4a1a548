"""The betterproto2 SDK and the grpcio stubs agree on the wire, and SDK clients work over grpcio."""

from __future__ import annotations

import importlib
from concurrent import futures

import grpc
import pytest
from fintech_sdk.message_pool import default_message_pool
from google.protobuf import json_format
from google.protobuf.message_factory import GetMessageClass

from tests.contracts.conftest import load_contracts
from tests.contracts.samples import fill

CONTRACTS = load_contracts()


def _sdk_class(full_name: str):
    importlib.import_module(f"fintech_sdk.{CONTRACTS.pool.FindMessageTypeByName(full_name).file.package}")
    return default_message_pool.url_to_type[f"type.googleapis.com/{full_name}"]


def _stub_message(full_name: str):
    """The grpcio-tools class of a message (the generated modules register them by name)."""
    module = importlib.import_module(_module_of(full_name))
    return GetMessageClass(module.DESCRIPTOR.pool.FindMessageTypeByName(full_name))


def _module_of(full_name: str) -> str:
    file = CONTRACTS.pool.FindMessageTypeByName(full_name).file
    return file.name.removesuffix(".proto").replace("/", ".") + "_pb2"


def _all_messages():
    def walk(descriptor):
        if not descriptor.GetOptions().map_entry:
            yield descriptor.full_name
            for nested in descriptor.nested_types:
                yield from walk(nested)

    for file in CONTRACTS.files:
        for message in file.message_types_by_name.values():
            yield from walk(message)


def _contains_field_mask(full_name: str, seen: frozenset = frozenset()) -> bool:
    for field in CONTRACTS.pool.FindMessageTypeByName(full_name).fields:
        nested = field.message_type
        if nested is None or nested.full_name in seen:
            continue
        if nested.full_name == "google.protobuf.FieldMask" or _contains_field_mask(
            nested.full_name, seen | {full_name}
        ):
            return True
    return False


@pytest.mark.parametrize("full_name", list(_all_messages()))
def test_sdk_round_trips_the_wire_format(full_name: str):
    original = fill(_stub_message(full_name)())
    sdk_message = _sdk_class(full_name).parse(original.SerializeToString())
    assert type(original).FromString(bytes(sdk_message)) == original


# betterproto2 0.10 writes a FieldMask as an object, not the comma-separated string of the
# proto3 JSON mapping (python-betterproto2 issue 181). The wire format is unaffected; strict
# xfail tells us when an upgrade fixes it.
# `raises=`: from_dict meets the mapping's comma-separated string where it expects an object; any other failure
# of these messages is a defect of its own, not absorbed here.
FIELD_MASK_JSON = pytest.mark.xfail(
    strict=True, raises=AttributeError, reason="betterproto2 FieldMask JSON (issue 181)"
)


@pytest.mark.parametrize(
    "full_name",
    [pytest.param(n, marks=FIELD_MASK_JSON) if _contains_field_mask(n) else n for n in _all_messages()],
)
def test_sdk_reads_and_writes_proto3_json(full_name: str):
    # JSON as the REST edge speaks it (proto3 JSON mapping) reads back identically on both sides.
    original = fill(_stub_message(full_name)())
    as_json = json_format.MessageToDict(original)
    assert json_format.ParseDict(_sdk_class(full_name).from_dict(as_json).to_dict(), type(original)()) == original


def _unary_methods():
    for file in CONTRACTS.files:
        for service in file.services_by_name.values():
            for method in service.methods:
                if not (method.client_streaming or method.server_streaming):
                    yield pytest.param(service, method, id=f"{service.full_name}.{method.name}")


@pytest.fixture(scope="module")
def echo_server():
    """A grpcio server whose every method answers a fully populated response, via the generated servicers."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    for file in CONTRACTS.files:
        if not file.services_by_name:
            continue
        grpc_module = importlib.import_module(file.name.removesuffix(".proto").replace("/", ".") + "_pb2_grpc")
        for service in file.services_by_name.values():
            handlers = {}
            for method in service.methods:
                response = fill(_stub_message(method.output_type.full_name)())
                request_type = _stub_message(method.input_type.full_name)

                def answer(self, request, context, response=response, request_type=request_type):
                    assert request == fill(request_type())
                    return response

                handlers[method.name] = answer
            servicer = type(f"{service.name}Echo", (getattr(grpc_module, f"{service.name}Servicer"),), handlers)
            getattr(grpc_module, f"add_{service.name}Servicer_to_server")(servicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel
    server.stop(grace=None)


@pytest.mark.parametrize(("service", "method"), list(_unary_methods()))
def test_sdk_client_calls_a_grpcio_server(service, method, echo_server):
    package = importlib.import_module(f"fintech_sdk.{service.file.package}")
    stub = getattr(package, f"{service.name}Stub")(echo_server)
    request = _sdk_class(method.input_type.full_name).parse(
        fill(_stub_message(method.input_type.full_name)()).SerializeToString()
    )
    python_name = next(name for name in dir(stub) if name.replace("_", "") == method.name.lower())
    response = getattr(stub, python_name)(request)
    expected = fill(_stub_message(method.output_type.full_name)())
    assert type(expected).FromString(bytes(response)) == expected
