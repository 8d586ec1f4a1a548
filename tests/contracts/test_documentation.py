"""Every service, RPC, message, field, enum and enum value of the contracts has a doc comment."""

from __future__ import annotations

import pytest
from google.protobuf import descriptor_pb2

from tests.contracts.conftest import load_contracts

# Field numbers of FileDescriptorProto / DescriptorProto / ... used in SourceCodeInfo paths.
FILE_MESSAGE, FILE_ENUM, FILE_SERVICE = 4, 5, 6
MESSAGE_FIELD, MESSAGE_NESTED, MESSAGE_ENUM = 2, 3, 4
ENUM_VALUE, SERVICE_METHOD = 2, 2


def _message_paths(message: descriptor_pb2.DescriptorProto, path: tuple, name: str):
    yield path, name
    for i, field in enumerate(message.field):
        yield (*path, MESSAGE_FIELD, i), f"{name}.{field.name}"
    for i, nested in enumerate(message.nested_type):
        if not nested.options.map_entry:
            yield from _message_paths(nested, (*path, MESSAGE_NESTED, i), f"{name}.{nested.name}")
    for i, enum in enumerate(message.enum_type):
        yield from _enum_paths(enum, (*path, MESSAGE_ENUM, i), f"{name}.{enum.name}")


def _enum_paths(enum: descriptor_pb2.EnumDescriptorProto, path: tuple, name: str):
    yield path, name
    for i, value in enumerate(enum.value):
        yield (*path, ENUM_VALUE, i), f"{name}.{value.name}"


def documentable(file: descriptor_pb2.FileDescriptorProto):
    """(source path, full name) of every element that needs a comment."""
    for i, message in enumerate(file.message_type):
        yield from _message_paths(message, (FILE_MESSAGE, i), f"{file.package}.{message.name}")
    for i, enum in enumerate(file.enum_type):
        yield from _enum_paths(enum, (FILE_ENUM, i), f"{file.package}.{enum.name}")
    for i, service in enumerate(file.service):
        yield (FILE_SERVICE, i), f"{file.package}.{service.name}"
        for j, method in enumerate(service.method):
            yield (FILE_SERVICE, i, SERVICE_METHOD, j), f"{file.package}.{service.name}.{method.name}"


@pytest.mark.parametrize("file", load_contracts().protos, ids=lambda f: f.name)
def test_every_element_is_documented(file: descriptor_pb2.FileDescriptorProto):
    commented = {
        tuple(location.path)
        for location in file.source_code_info.location
        if location.leading_comments.strip() or location.trailing_comments.strip()
    }
    assert file.source_code_info.location, "the descriptor set was built without source info"
    missing = [name for path, name in documentable(file) if path not in commented]
    assert missing == [], f"{file.name}: undocumented {missing}"
