"""Build fully populated protobuf messages of any type, for wire and JSON round trips."""

from __future__ import annotations

from google.protobuf import any_pb2, duration_pb2, field_mask_pb2, struct_pb2, timestamp_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

MAX_DEPTH = 4

_SCALARS = {
    FieldDescriptor.TYPE_DOUBLE: 0.25,
    FieldDescriptor.TYPE_FLOAT: 0.5,
    FieldDescriptor.TYPE_INT64: -(2**40),
    FieldDescriptor.TYPE_UINT64: 2**40,
    FieldDescriptor.TYPE_INT32: -7,
    FieldDescriptor.TYPE_FIXED64: 2**41,
    FieldDescriptor.TYPE_FIXED32: 9,
    FieldDescriptor.TYPE_BOOL: True,
    FieldDescriptor.TYPE_STRING: "sample-é",
    FieldDescriptor.TYPE_BYTES: b"\x00\x01\xfe",
    FieldDescriptor.TYPE_UINT32: 11,
    FieldDescriptor.TYPE_SFIXED32: -13,
    FieldDescriptor.TYPE_SFIXED64: -(2**42),
    FieldDescriptor.TYPE_SINT32: -17,
    FieldDescriptor.TYPE_SINT64: -(2**43),
}


def _fill_well_known(message: Message) -> bool:
    if isinstance(message, timestamp_pb2.Timestamp):
        message.FromSeconds(1_795_000_000)
        message.nanos = 123_000_000
    elif isinstance(message, duration_pb2.Duration):
        message.FromSeconds(3600)
    elif isinstance(message, field_mask_pb2.FieldMask):
        message.paths.append("display_name")
    elif isinstance(message, struct_pb2.Struct):
        message.update({"key": "value", "n": 2.0})
    elif isinstance(message, struct_pb2.Value):
        message.string_value = "value"
    elif isinstance(message, struct_pb2.ListValue):
        message.extend(["a", 1.0])
    elif isinstance(message, any_pb2.Any):
        message.Pack(timestamp_pb2.Timestamp(seconds=1))
    else:
        return False
    return True


def _scalar(field: FieldDescriptor):
    if field.type == FieldDescriptor.TYPE_ENUM:
        return field.enum_type.values[-1].number
    return _SCALARS[field.type]


def fill(message: Message, depth: int = 0) -> Message:
    """Set every field of `message` (the first member of each oneof), recursing to MAX_DEPTH."""
    if _fill_well_known(message):
        return message
    descriptor: Descriptor = message.DESCRIPTOR
    for field in descriptor.fields:
        oneof = field.containing_oneof
        if oneof is not None and len(oneof.fields) > 1 and oneof.fields[0] is not field:
            continue
        is_message = field.type == FieldDescriptor.TYPE_MESSAGE
        if is_message and depth >= MAX_DEPTH and not field.message_type.GetOptions().map_entry:
            continue
        value = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key_field, value_field = field.message_type.fields
            key = _scalar(key_field)
            if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                fill(value[key], depth + 1)
            else:
                value[key] = _scalar(value_field)
        elif field.is_repeated:
            for _ in range(2):
                if is_message:
                    fill(value.add(), depth + 1)
                else:
                    value.append(_scalar(field))
        elif is_message:
            fill(value, depth + 1)
        else:
            setattr(message, field.name, _scalar(field))
    return message
