# Over 400 lines: one interpreter of the contracts' validation rules, each kind of rule next to the others it mirrors.
"""Check a request against the rules its contract declares, before any handler runs.

Two sources of rules, both read from the message descriptors:
- protoc-gen-validate rules (`(validate.rules)`, `(validate.required)` on oneofs);
- `google.api.field_behavior = REQUIRED`: the field must be set.

Every broken rule becomes one `google.rpc.BadRequest.FieldViolation` with the field's path
(`amount.currency_code`, `items[2].sku`), so a client can fix all problems in one round.
protoc-gen-validate's own Python validator stops at the first failure and compiles code at
run time; this interpreter reports every violation and needs no code generation.

Partial updates: below a message that is replaced through an `update_mask`, REQUIRED is not
enforced (a PATCH names only the fields it changes); format rules still are.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from google.api import field_behavior_pb2
from google.protobuf import any_pb2, duration_pb2, timestamp_pb2
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from validate import validate_pb2

if TYPE_CHECKING:
    from google._upb import _message as upb

    # Message.DESCRIPTOR is typed as either descriptor implementation (pure Python or upb).
    MessageType = Descriptor | upb.Descriptor
    Field = FieldDescriptor | upb.FieldDescriptor
    EnumType = EnumDescriptor | upb.EnumDescriptor

MAX_DEPTH = 32
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_NUMERIC_KINDS = {
    "float", "double", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
    "fixed32", "fixed64", "sfixed32", "sfixed64",
}  # fmt: skip


@dataclass(frozen=True)
class Violation:
    """One broken rule: the field's path and what is wrong with it."""

    field: str
    description: str


def validate(message: Message) -> list[Violation]:
    """All rule violations of `message` (empty when it is valid)."""
    return list(_check_message(message, "", enforce_required=True, depth=0))


@lru_cache(maxsize=4096)
def _field_rules(field: Field) -> validate_pb2.FieldRules | None:
    options = field.GetOptions()
    # the generated stub types an extension as a plain FieldDescriptor, the protobuf stubs want its generic form
    has_rules = options.HasExtension(validate_pb2.rules)  # type: ignore[arg-type]
    return options.Extensions[validate_pb2.rules] if has_rules else None  # type: ignore[index]


@lru_cache(maxsize=4096)
def _is_required(field: Field) -> bool:
    behaviors = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
    return field_behavior_pb2.REQUIRED in behaviors


@lru_cache(maxsize=1024)
def _partially_updated(descriptor: MessageType) -> frozenset[str]:
    """Message fields of a request replaced through its `update_mask` (REQUIRED does not apply inside)."""
    mask = descriptor.fields_by_name.get("update_mask")
    if mask is None or mask.message_type is None or mask.message_type.full_name != "google.protobuf.FieldMask":
        return frozenset()
    return frozenset(f.name for f in descriptor.fields if f.message_type is not None and f is not mask)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _is_set(message: Message, field: Field) -> bool:
    if field.is_repeated:
        return len(getattr(message, field.name)) > 0
    if field.has_presence:
        return message.HasField(field.name)
    return bool(getattr(message, field.name) != field.default_value)


def _check_message(message: Message, prefix: str, *, enforce_required: bool, depth: int) -> Iterator[Violation]:
    if depth > MAX_DEPTH:
        return
    descriptor = message.DESCRIPTOR
    partial = _partially_updated(descriptor)
    for oneof in descriptor.oneofs:
        # False when not declared (the generated stub types the extension as a plain FieldDescriptor)
        required: bool = oneof.GetOptions().Extensions[validate_pb2.required]  # type: ignore[index]
        if required and message.WhichOneof(oneof.name) is None:
            yield Violation(_join(prefix, oneof.name), f"exactly one of {oneof.name} must be set")
    for field in descriptor.fields:
        path = _join(prefix, field.name)
        present = _is_set(message, field)
        if enforce_required and _is_required(field) and not present:
            yield Violation(path, "is required")
            continue
        if field.containing_oneof is not None and not present:
            continue  # as protoc-gen-validate: a oneof member's rules apply only when it is the one set
        if present and field.message_type is not None and field.message_type.full_name in _TIME_RANGES:
            broken = list(_check_time_values(message, field, path))
            if broken:  # rules on a time outside its type's range cannot be evaluated (nor converted)
                yield from broken
                continue
        if present and field.type == field.TYPE_STRING:
            yield from _check_text(message, field, path)
        rules = _field_rules(field)
        if rules is not None:
            yield from _check_field(message, field, rules, path, present)
        if field.message_type is not None and present and not _skips_nested(rules):
            nested_required = enforce_required and field.name not in partial
            yield from _check_nested(message, field, path, nested_required, depth)


def _check_text(message: Message, field: Field, path: str) -> Iterator[Violation]:
    """Every string, rules or not: no NUL character, which no text column can store (PostgreSQL refuses it
    with SQLSTATE 22021, which would otherwise surface as INTERNAL)."""
    values = getattr(message, field.name) if field.is_repeated else [getattr(message, field.name)]
    for index, value in enumerate(values):
        if "\x00" in value:
            where = f"{path}[{index}]" if field.is_repeated else path
            yield Violation(where, "must not contain NUL characters")


# What google/protobuf/timestamp.proto and duration.proto allow: 0001-01-01 to 9999-12-31, +-10,000 years.
_TIME_RANGES = {
    "google.protobuf.Timestamp": (-62_135_596_800, 253_402_300_799),
    "google.protobuf.Duration": (-315_576_000_000, 315_576_000_000),
}


def _check_time_values(message: Message, field: Field, path: str) -> Iterator[Violation]:
    """A Timestamp or Duration outside the range its type defines: refused here, not a crash in a handler."""
    value = getattr(message, field.name)
    assert field.message_type is not None  # the caller checked: a Timestamp or Duration field
    items = enumerate(value) if field.is_repeated else [(None, value)]
    kind = field.message_type.name.lower()
    low, high = _TIME_RANGES[field.message_type.full_name]
    for index, item in items:
        if kind == "timestamp":
            valid = low <= item.seconds <= high and 0 <= item.nanos < 1_000_000_000
        else:
            same_sign = item.seconds * item.nanos >= 0  # or either is zero
            valid = low <= item.seconds <= high and abs(item.nanos) < 1_000_000_000 and same_sign
        if not valid:
            yield Violation(path if index is None else f"{path}[{index}]", f"is not a valid {kind}")


def _skips_nested(rules: validate_pb2.FieldRules | None) -> bool:
    return rules is not None and rules.HasField("message") and rules.message.skip


def _check_nested(message: Message, field: Field, path: str, required: bool, depth: int) -> Iterator[Violation]:
    value = getattr(message, field.name)
    assert field.message_type is not None  # the caller checked: a message field
    if field.message_type.GetOptions().map_entry:
        value_field = field.message_type.fields_by_name["value"]
        if value_field.message_type is not None:
            for key, item in value.items():
                yield from _check_message(item, f"{path}[{key!r}]", enforce_required=required, depth=depth + 1)
    elif field.is_repeated:
        for index, item in enumerate(value):
            yield from _check_message(item, f"{path}[{index}]", enforce_required=required, depth=depth + 1)
    elif not field.message_type.full_name.startswith("google.protobuf."):
        yield from _check_message(value, path, enforce_required=required, depth=depth + 1)


def _check_field(
    message: Message, field: Field, rules: validate_pb2.FieldRules, path: str, present: bool
) -> Iterator[Violation]:
    if rules.message.required and not present:  # `message` is not a member of the `type` oneof
        yield Violation(path, "is required")
    kind = rules.WhichOneof("type")
    if kind is None:
        return
    value = getattr(message, field.name)
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        yield from _check_map(value, rules.map, path, field.message_type)
    elif field.is_repeated:
        yield from _check_repeated(value, rules.repeated, path, field.enum_type)
    else:
        yield from _check_value(value, rules, kind, path, present, field.enum_type)


def _check_value(
    value: Any,
    rules: validate_pb2.FieldRules,
    kind: str,
    path: str,
    present: bool,
    enum_type: EnumType | None = None,
) -> Iterator[Violation]:
    """One singular value (a field, a repeated item or a map key/value) against typed rules."""
    if kind == "string":
        yield from _check_string(value, rules.string, path)
    elif kind == "bytes":
        yield from _check_bytes(value, rules.bytes, path)
    elif kind in _NUMERIC_KINDS:
        yield from _check_number(value, getattr(rules, kind), path)
    elif kind == "bool":
        if rules.bool.HasField("const") and value != rules.bool.const:
            yield Violation(path, f"must be {str(rules.bool.const).lower()}")
    elif kind == "enum":
        yield from _check_enum(value, rules.enum, path, enum_type)
    elif kind == "timestamp":
        yield from _check_timestamp(value, rules.timestamp, path, present)
    elif kind == "duration":
        yield from _check_duration(value, rules.duration, path, present)
    elif kind == "any":
        yield from _check_any(value, rules.any, path, present)


def _check_string(value: str, rule: validate_pb2.StringRules, path: str) -> Iterator[Violation]:
    if rule.ignore_empty and value == "":
        return
    has, length, size = rule.HasField, len(value), len(value.encode())
    allowed = rule.__getattribute__("in")  # `in` is a Python keyword
    checks = [
        (has("const") and value != rule.const, f"must equal {rule.const!r}"),
        (has("len") and length != rule.len, f"must be {rule.len} characters long"),
        (has("min_len") and length < rule.min_len, f"must be at least {rule.min_len} characters long"),
        (has("max_len") and length > rule.max_len, f"must be at most {rule.max_len} characters long"),
        (has("len_bytes") and size != rule.len_bytes, f"must be {rule.len_bytes} bytes long"),
        (has("min_bytes") and size < rule.min_bytes, f"must be at least {rule.min_bytes} bytes long"),
        (has("max_bytes") and size > rule.max_bytes, f"must be at most {rule.max_bytes} bytes long"),
        (has("pattern") and not _matches(rule.pattern, value), f"must match {rule.pattern}"),
        (has("prefix") and not value.startswith(rule.prefix), f"must start with {rule.prefix!r}"),
        (has("suffix") and not value.endswith(rule.suffix), f"must end with {rule.suffix!r}"),
        (has("contains") and rule.contains not in value, f"must contain {rule.contains!r}"),
        (has("not_contains") and rule.not_contains in value, f"must not contain {rule.not_contains!r}"),
        ((allowed and value not in allowed) or value in rule.not_in, "is not an allowed value"),
    ]
    yield from (Violation(path, text) for failed, text in checks if failed)
    well_known = rule.WhichOneof("well_known")
    if well_known and getattr(rule, well_known) is True and not _well_known_string(well_known, value):
        yield Violation(path, f"must be a valid {well_known.replace('_', ' ')}")


def _well_known_string(kind: str, value: str) -> bool:
    if kind == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return len(value) == 36
    if kind == "email":
        return bool(_EMAIL.match(value))
    if kind == "hostname":
        return bool(_HOSTNAME.match(value))
    if kind in ("ip", "ipv4", "ipv6", "address"):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return kind == "address" and bool(_HOSTNAME.match(value))
        return kind in ("ip", "address") or address.version == int(kind[-1])
    # uri or uri_ref: the last kind whose rule is a bool (well_known_regex is an enum and never gets here)
    try:
        parsed = urlparse(value)
    except ValueError:  # for example an unclosed IPv6 host, "http://[::1"
        return False
    return kind == "uri_ref" or bool(parsed.scheme and (parsed.netloc or parsed.path))


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(pattern: str, value: str | bytes) -> bool:
    if isinstance(value, bytes):
        return re.search(pattern.encode(), value) is not None
    return _compiled(pattern).search(value) is not None


def _check_bytes(value: bytes, rule: validate_pb2.BytesRules, path: str) -> Iterator[Violation]:
    if rule.ignore_empty and value == b"":
        return
    has = rule.HasField
    checks = [
        (has("const") and value != rule.const, "must equal the required constant"),
        (has("len") and len(value) != rule.len, f"must be {rule.len} bytes long"),
        (has("min_len") and len(value) < rule.min_len, f"must be at least {rule.min_len} bytes long"),
        (has("max_len") and len(value) > rule.max_len, f"must be at most {rule.max_len} bytes long"),
        (has("pattern") and not _matches(rule.pattern, value), f"must match {rule.pattern}"),
        (has("prefix") and not value.startswith(rule.prefix), "has the wrong prefix"),
        (has("suffix") and not value.endswith(rule.suffix), "has the wrong suffix"),
        (has("contains") and rule.contains not in value, "lacks the required content"),
    ]
    yield from (Violation(path, text) for failed, text in checks if failed)


def _range_violation(value: Any, rule: Any, show: Callable[[Any], str] = str) -> str | None:
    """The text of a broken gt/gte/lt/lte bound (PGV: lower > upper means 'outside the range')."""
    lower = ("gt", rule.gt) if rule.HasField("gt") else ("gte", rule.gte) if rule.HasField("gte") else None
    upper = ("lt", rule.lt) if rule.HasField("lt") else ("lte", rule.lte) if rule.HasField("lte") else None

    def above(bound: tuple[str, Any]) -> bool:
        return bool(value > bound[1]) if bound[0] == "gt" else value >= bound[1]

    def below(bound: tuple[str, Any]) -> bool:
        return bool(value < bound[1]) if bound[0] == "lt" else value <= bound[1]

    words = {"gt": "greater than", "gte": "at least", "lt": "less than", "lte": "at most"}
    if lower and upper and lower[1] > upper[1]:
        if not (above(lower) or below(upper)):
            return f"must be {words[lower[0]]} {show(lower[1])} or {words[upper[0]]} {show(upper[1])}"
        return None
    if lower and not above(lower):
        return f"must be {words[lower[0]]} {show(lower[1])}"
    if upper and not below(upper):
        return f"must be {words[upper[0]]} {show(upper[1])}"
    return None


def _check_number(value: float, rule: Any, path: str) -> Iterator[Violation]:
    if rule.ignore_empty and value == 0:
        return
    if rule.HasField("const") and value != rule.const:
        yield Violation(path, f"must equal {rule.const}")
    allowed = rule.__getattribute__("in")
    if (allowed and value not in allowed) or value in rule.not_in:
        yield Violation(path, "is not an allowed value")
    problem = _range_violation(value, rule)
    if problem:
        yield Violation(path, problem)


def _check_enum(value: int, rule: validate_pb2.EnumRules, path: str, enum_type: EnumType | None) -> Iterator[Violation]:
    if rule.HasField("const") and value != rule.const:
        yield Violation(path, f"must be enum value {rule.const}")
    allowed = rule.__getattribute__("in")
    if (allowed and value not in allowed) or value in rule.not_in:
        yield Violation(path, "is not an allowed value" if value else "must be set")
    if rule.defined_only and enum_type is not None and enum_type.values_by_number.get(value) is None:
        yield Violation(path, f"{value} is not a defined value")


def _check_repeated(
    values: Sequence[Any], rule: validate_pb2.RepeatedRules, path: str, enum_type: EnumType | None = None
) -> Iterator[Violation]:
    if rule.ignore_empty and len(values) == 0:
        return
    if rule.HasField("min_items") and len(values) < rule.min_items:
        yield Violation(path, f"must have at least {rule.min_items} items")
    if rule.HasField("max_items") and len(values) > rule.max_items:
        yield Violation(path, f"must have at most {rule.max_items} items")
    if rule.unique:
        seen = [v.SerializeToString(deterministic=True) if isinstance(v, Message) else v for v in values]
        if len(set(seen)) != len(seen):
            yield Violation(path, "items must be unique")
    if rule.HasField("items"):
        kind = rule.items.WhichOneof("type")
        for index, item in enumerate(values):
            yield from _check_value(item, rule.items, kind, f"{path}[{index}]", True, enum_type)


def _check_map(
    mapping: Mapping[Any, Any], rule: validate_pb2.MapRules, path: str, entry: MessageType
) -> Iterator[Violation]:
    if rule.ignore_empty and len(mapping) == 0:
        return
    if rule.HasField("min_pairs") and len(mapping) < rule.min_pairs:
        yield Violation(path, f"must have at least {rule.min_pairs} entries")
    if rule.HasField("max_pairs") and len(mapping) > rule.max_pairs:
        yield Violation(path, f"must have at most {rule.max_pairs} entries")
    key_kind = rule.keys.WhichOneof("type")  # None when the map has no key rules
    value_kind = rule.values.WhichOneof("type")
    for key in mapping:
        if key_kind:
            yield from _check_value(key, rule.keys, key_kind, f"{path}[{key!r}]", True)
        if value_kind:
            value_enum = entry.fields_by_name["value"].enum_type
            yield from _check_value(mapping[key], rule.values, value_kind, f"{path}[{key!r}]", True, value_enum)


def _check_timestamp(
    value: timestamp_pb2.Timestamp, rule: validate_pb2.TimestampRules, path: str, present: bool
) -> Iterator[Violation]:
    if not present:
        if rule.required:
            yield Violation(path, "is required")
        return
    moment = value.ToDatetime(tzinfo=UTC)
    now = datetime.now(UTC)
    if rule.HasField("const") and value != rule.const:
        yield Violation(path, "must equal the required time")
    problem = _range_violation(value.ToNanoseconds(), _NanosRange(rule), show=_show_nanos)
    if problem:
        yield Violation(path, problem)
    if rule.lt_now and not moment < now:
        yield Violation(path, "must be in the past")
    if rule.gt_now and not moment > now:
        yield Violation(path, "must be in the future")
    if rule.HasField("within") and abs(moment - now) > timedelta(seconds=rule.within.ToNanoseconds() / 1e9):
        yield Violation(path, f"must be within {rule.within.ToJsonString()} of now")


def _check_duration(
    value: duration_pb2.Duration, rule: validate_pb2.DurationRules, path: str, present: bool
) -> Iterator[Violation]:
    if not present:
        if rule.required:
            yield Violation(path, "is required")
        return
    nanos = value.ToNanoseconds()
    if rule.HasField("const") and value != rule.const:
        yield Violation(path, f"must equal {rule.const.ToJsonString()}")
    allowed = [d.ToNanoseconds() for d in rule.__getattribute__("in")]
    if (allowed and nanos not in allowed) or nanos in [d.ToNanoseconds() for d in rule.not_in]:
        yield Violation(path, "is not an allowed duration")
    problem = _range_violation(nanos, _NanosRange(rule), show=_show_nanos_duration)
    if problem:
        yield Violation(path, problem)


def _check_any(value: any_pb2.Any, rule: validate_pb2.AnyRules, path: str, present: bool) -> Iterator[Violation]:
    if not present:
        if rule.required:
            yield Violation(path, "is required")
        return
    allowed = rule.__getattribute__("in")
    if (allowed and value.type_url not in allowed) or value.type_url in rule.not_in:
        yield Violation(path, f"type {value.type_url} is not allowed")


class _NanosRange:
    """Timestamp/Duration bounds seen as integer nanoseconds, so _range_violation can compare them."""

    def __init__(self, rule: validate_pb2.TimestampRules | validate_pb2.DurationRules) -> None:
        self._rule = rule

    def HasField(self, name: str) -> bool:  # noqa: N802 - mirrors the protobuf API
        return self._rule.HasField(name)

    def __getattr__(self, name: str) -> int:
        nanos: int = getattr(self._rule, name).ToNanoseconds()
        return nanos


def _show_nanos(nanos: int) -> str:
    return datetime.fromtimestamp(nanos / 1e9, UTC).isoformat()


def _show_nanos_duration(nanos: int) -> str:
    duration = duration_pb2.Duration()
    duration.FromNanoseconds(nanos)
    return duration.ToJsonString()  # exact, as `const` and `within` are shown
