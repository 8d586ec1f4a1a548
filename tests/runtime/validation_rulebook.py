"""A test-only contract with one field per protoc-gen-validate rule kind that no fintech contract uses yet.

validation.py reads rules from descriptors, whatever file they come from; the contracts in proto/ use only a
part of protoc-gen-validate (string min/max/pattern/uuid, int64 gte, enum defined_only, ...). This file declares
the rest in the same way a .proto would, so each rule the interpreter supports has a test before a contract
starts relying on it. Built once per process into the default descriptor pool (where validate.proto and
field_behavior.proto already are).
"""

from __future__ import annotations

from google.api import field_behavior_pb2
from google.protobuf import (  # noqa: F401 - the imports load the files the rulebook depends on
    any_pb2,
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    field_mask_pb2,
    message_factory,
    text_format,
    timestamp_pb2,
    wrappers_pb2,
)
from validate import validate_pb2

FILE = "tests/runtime/validation_rulebook.proto"
PACKAGE = "rulebook.v1"

_T = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    "string": _T.TYPE_STRING, "bytes": _T.TYPE_BYTES, "bool": _T.TYPE_BOOL,
    "float": _T.TYPE_FLOAT, "double": _T.TYPE_DOUBLE, "int32": _T.TYPE_INT32, "int64": _T.TYPE_INT64,
    "uint32": _T.TYPE_UINT32, "uint64": _T.TYPE_UINT64, "sint32": _T.TYPE_SINT32, "sint64": _T.TYPE_SINT64,
    "fixed32": _T.TYPE_FIXED32, "fixed64": _T.TYPE_FIXED64, "sfixed32": _T.TYPE_SFIXED32,
    "sfixed64": _T.TYPE_SFIXED64,
}  # fmt: skip
NUMERIC_KINDS = [kind for kind in _SCALARS if kind not in ("string", "bytes", "bool")]


def _message_type(name: str) -> str:
    if name.startswith("google."):
        return f".{name}"
    return f".{PACKAGE}.{name}"


def _add(message, name, kind, rules="", *, repeated=False, required=False, oneof=None, optional=False):
    """One field: `kind` is a scalar type, an enum/message name (`Colour`, `google.protobuf.Timestamp`) or
    `map<key, value>`; `rules` is the `(validate.rules)` option in text format."""
    field = message.field.add(name=name, number=len(message.field) + 1, json_name=name)
    field.label = _T.LABEL_REPEATED if repeated else _T.LABEL_OPTIONAL
    if kind.startswith("map<"):
        key, value = (part.strip() for part in kind[4:-1].split(","))
        entry = message.nested_type.add(name="".join(p.title() for p in name.split("_")) + "Entry")
        entry.options.map_entry = True
        _add(entry, "key", key)
        _add(entry, "value", value)
        field.label, field.type, field.type_name = (
            _T.LABEL_REPEATED,
            _T.TYPE_MESSAGE,
            f".{PACKAGE}.{message.name}.{entry.name}",
        )
    elif kind in _SCALARS:
        field.type = _SCALARS[kind]
    elif kind == "Colour":
        field.type, field.type_name = _T.TYPE_ENUM, _message_type(kind)
    else:
        field.type, field.type_name = _T.TYPE_MESSAGE, _message_type(kind)
    if rules:
        text_format.Parse(rules, field.options.Extensions[validate_pb2.rules])
    if required:
        field.options.Extensions[field_behavior_pb2.field_behavior].append(field_behavior_pb2.REQUIRED)
    if optional:  # proto3 `optional`: explicit presence through a synthetic oneof
        oneof = f"_{name}"
        field.proto3_optional = True
    if oneof is not None:
        names = [o.name for o in message.oneof_decl]
        if oneof not in names:
            message.oneof_decl.add(name=oneof)
            names.append(oneof)
        field.oneof_index = names.index(oneof)
    return field


def _file() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(name=FILE, package=PACKAGE, syntax="proto3")
    file.dependency.extend([
        "validate/validate.proto", "google/api/field_behavior.proto", "google/protobuf/timestamp.proto",
        "google/protobuf/duration.proto", "google/protobuf/any.proto", "google/protobuf/field_mask.proto",
        "google/protobuf/wrappers.proto",
    ])  # fmt: skip
    colour = file.enum_type.add(name="Colour")
    for number, name in enumerate(["COLOUR_UNSPECIFIED", "COLOUR_RED", "COLOUR_GREEN", "COLOUR_BLUE"]):
        colour.value.add(name=name, number=number)

    part = file.message_type.add(name="Part")
    _add(part, "name", "string", "string {min_len: 1}")
    _add(part, "sku", "string", required=True)

    bag = file.message_type.add(name="Bag")
    _add(bag, "counts", "map<string, int64>")

    strings = file.message_type.add(name="Strings")
    _add(strings, "code", "string", 'string {const: "EUR"}')
    _add(strings, "exact", "string", "string {len: 3}")
    _add(strings, "sized", "string", "string {min_len: 2, max_len: 4}")
    _add(strings, "exact_bytes", "string", "string {len_bytes: 4}")
    _add(strings, "sized_bytes", "string", "string {min_bytes: 2, max_bytes: 4}")
    _add(strings, "upper", "string", 'string {pattern: "^[A-Z]+$"}')
    _add(strings, "affixed", "string", 'string {prefix: "ab", suffix: "yz"}')
    _add(strings, "containing", "string", 'string {contains: "mid", not_contains: "bad"}')
    _add(strings, "listed", "string", 'string {in: ["a", "b"]}')
    _add(strings, "unlisted", "string", 'string {not_in: ["x"]}')
    _add(strings, "optional_code", "string", "string {ignore_empty: true, len: 3}")
    for kind in ["email", "hostname", "ip", "ipv4", "ipv6", "address", "uri", "uri_ref", "uuid"]:
        _add(strings, kind, "string", f"string {{{kind}: true}}")
    _add(strings, "email_off", "string", "string {email: false}")
    _add(strings, "tags", "string", repeated=True)

    blobs = file.message_type.add(name="Blobs")
    _add(blobs, "magic", "bytes", r'bytes {const: "\001\002"}')
    _add(blobs, "exact", "bytes", "bytes {len: 2}")
    _add(blobs, "sized", "bytes", "bytes {min_len: 2, max_len: 3}")
    _add(blobs, "lower", "bytes", 'bytes {pattern: "^[a-z]+$"}')
    _add(blobs, "affixed", "bytes", r'bytes {prefix: "\001", suffix: "\377"}')
    _add(blobs, "containing", "bytes", r'bytes {contains: "\000\000"}')
    _add(blobs, "optional", "bytes", "bytes {ignore_empty: true, len: 2}")

    numbers = file.message_type.add(name="Numbers")
    for kind in NUMERIC_KINDS:
        _add(numbers, f"{kind}_value", kind, f"{kind} {{gt: 0, lt: 10}}")
    _add(numbers, "limit", "int64", "int64 {gte: 1, lte: 100}")
    _add(numbers, "outside", "int32", "int32 {gt: 10, lt: 5}")
    _add(numbers, "outside_inclusive", "int32", "int32 {gte: 10, lte: 5}")
    _add(numbers, "five", "int32", "int32 {gte: 5, lte: 5}")
    _add(numbers, "version", "int32", "int32 {const: 2}")
    _add(numbers, "tier", "uint32", "uint32 {in: [1, 2, 3]}")
    _add(numbers, "offset", "sint32", "sint32 {not_in: [0]}")
    _add(numbers, "optional_limit", "int64", "int64 {ignore_empty: true, gte: 10}")
    _add(numbers, "ratio", "double", "double {gte: 0, lte: 1}")
    _add(numbers, "accepted", "bool", "bool {const: true}")
    _add(numbers, "declined", "bool", "bool {const: false}")

    enums = file.message_type.add(name="Enums")
    _add(enums, "fixed", "Colour", "enum {const: 1}")
    _add(enums, "chosen", "Colour", "enum {in: [1, 2]}")
    _add(enums, "avoided", "Colour", "enum {not_in: [0, 3]}")
    _add(enums, "known", "Colour", "enum {defined_only: true}")

    lists = file.message_type.add(name="Lists")
    _add(
        lists,
        "codes",
        "string",
        "repeated {min_items: 1, max_items: 3, unique: true, items {string {len: 2}}}",
        repeated=True,
    )
    _add(lists, "colours", "Colour", "repeated {items {enum {defined_only: true}}}", repeated=True)
    _add(lists, "parts", "Part", "repeated {unique: true, items {message {required: true}}}", repeated=True)
    _add(lists, "optional_codes", "string", "repeated {ignore_empty: true, min_items: 2}", repeated=True)
    _add(
        lists,
        "limits",
        "map<string, int64>",
        "map {min_pairs: 1, max_pairs: 2, keys {string {min_len: 2}}, values {int64 {gt: 0}}}",
    )
    _add(lists, "palette", "map<int32, Colour>", "map {values {enum {defined_only: true}}}")
    _add(lists, "parts_by_key", "map<string, Part>", "map {values {message {required: true}}}")
    _add(lists, "optional_limits", "map<string, int64>", "map {ignore_empty: true, min_pairs: 2}")
    _add(
        lists,
        "deadlines",
        "google.protobuf.Timestamp",
        "repeated {items {timestamp {lt {seconds: 1000}}}}",
        repeated=True,
    )
    _add(lists, "timeouts", "map<string, google.protobuf.Duration>", "map {values {duration {gt {}}}}")
    _add(lists, "bags", "Bag", "repeated {unique: true}", repeated=True)

    times = file.message_type.add(name="Times")
    ts, du = "google.protobuf.Timestamp", "google.protobuf.Duration"
    _add(times, "due", ts, "timestamp {required: true}")
    _add(times, "at", ts, "timestamp {const {seconds: 100}}")
    _add(times, "window", ts, "timestamp {gt {seconds: 1000}, lt {seconds: 2000}}")
    _add(times, "closed_window", ts, "timestamp {gte {seconds: 1000, nanos: 500000000}, lte {seconds: 2000}}")
    _add(times, "booked", ts, "timestamp {lt_now: true}")
    _add(times, "expires", ts, "timestamp {gt_now: true}")
    _add(times, "recent", ts, "timestamp {within {seconds: 3600}}")
    _add(times, "stamps", ts, repeated=True)
    _add(times, "timeout", du, "duration {required: true}")
    _add(times, "period", du, "duration {const {seconds: 60}}")
    _add(times, "step", du, "duration {in: [{seconds: 1}, {seconds: 5}]}")
    _add(times, "pause", du, "duration {not_in: [{}]}")
    _add(times, "ttl", du, "duration {gt {}, lte {seconds: 3600}}")
    _add(times, "short", du, "duration {lt {seconds: 1, nanos: 500000000}}")
    _add(times, "spans", du, repeated=True)

    others = file.message_type.add(name="Others")
    _add(others, "payload", "google.protobuf.Any", 'any {required: true, in: ["type.googleapis.com/rulebook.v1.Part"]}')
    _add(others, "extra", "google.protobuf.Any", 'any {not_in: ["type.googleapis.com/rulebook.v1.Strings"]}')
    _add(others, "part", "Part", "message {required: true}")
    _add(others, "skipped", "Part", "message {skip: true}")
    _add(others, "checked", "Part")
    _add(others, "wrapped", "google.protobuf.StringValue")
    _add(others, "iban", "string", "string {min_len: 15}", oneof="target")
    _add(others, "account_id", "string", "string {uuid: true}", oneof="target")
    file.message_type[-1].oneof_decl[0].options.Extensions[validate_pb2.required] = True
    _add(others, "note", "string", "string {min_len: 2}", oneof="comment")  # a oneof nobody must set
    _add(others, "count", "int32", required=True, optional=True)
    _add(others, "label", "string", required=True)
    _add(others, "sizes", "int32", required=True, repeated=True)

    node = file.message_type.add(name="Node")  # recursive, for the depth limit
    _add(node, "child", "Node")
    _add(node, "label", "string", "string {min_len: 1}")
    _add(node, "children", "Node", repeated=True)
    _add(node, "by_name", "map<string, Node>")

    for mask_kind in ["google.protobuf.FieldMask", "string", "Node"]:
        patch = file.message_type.add(name=f"PatchWith{mask_kind.rsplit('.', 1)[-1].title()}")
        _add(patch, "part", "Part")
        _add(patch, "update_mask", mask_kind)
    return file


def _build() -> dict[str, type]:
    pool = descriptor_pool.Default()
    try:
        file = pool.FindFileByName(FILE)
    except KeyError:
        pool.Add(_file())
        file = pool.FindFileByName(FILE)
    return {name: message_factory.GetMessageClass(d) for name, d in file.message_types_by_name.items()}


_CLASSES = _build()
Part = _CLASSES["Part"]
Bag = _CLASSES["Bag"]
Strings = _CLASSES["Strings"]
Blobs = _CLASSES["Blobs"]
Numbers = _CLASSES["Numbers"]
Enums = _CLASSES["Enums"]
Lists = _CLASSES["Lists"]
Times = _CLASSES["Times"]
Others = _CLASSES["Others"]
Node = _CLASSES["Node"]
PatchWithFieldmask = _CLASSES["PatchWithFieldmask"]
PatchWithString = _CLASSES["PatchWithString"]
PatchWithNode = _CLASSES["PatchWithNode"]
