"""Hypothesis strategies for any protobuf message, built from its descriptor, biased toward bad input.

Each field is left unset or drawn from values that break contracts: malformed and huge strings next to
valid UUIDs and codes, negative and extreme numbers, enum numbers no contract defines, timestamps
outside the representable range, repeated fields and maps with several items. Nested messages recurse
to a bounded depth.
"""

from __future__ import annotations

import uuid
from functools import cache

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

MAX_DEPTH = 3
HUGE = 200_000  # characters: far above any max_len in the contracts, well below gRPC's 4 MB message limit
INT_RANGES = {
    FieldDescriptor.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
}
# Strings a service may try to parse: ids, currencies, countries, dates, e-mails, page tokens, JSON.
PLAUSIBLE = [
    "", " ", "42", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "EUR", "eur", "XXX", "ZZZ", "DE",
    "KP", "2024-02-30", "1900-01-01", "a@b", "x@example.com", "null", "{}", "[]", "-1", "1e309", "NaN",
    "../../etc/passwd", "' OR 1=1 --", "%00", "\x00", "\u202e", "\U0001f4b8" * 10, "fraud", "credit",
]  # fmt: skip


def _uuid_strings() -> st.SearchStrategy[str]:
    return st.one_of(
        st.uuids().map(str),
        st.uuids().map(lambda u: u.hex),  # no dashes
        st.uuids().map(lambda u: str(u).upper()),
        st.uuids().map(lambda u: str(u)[:-1] + "g"),
        st.just(str(uuid.UUID(int=0))),
    )


STRINGS = st.one_of(
    st.sampled_from(PLAUSIBLE),
    _uuid_strings(),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.integers(1, HUGE).map(lambda n: "x" * n),
)
BYTES = st.one_of(st.binary(max_size=64), st.just(b"\xff" * HUGE))


def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    edges = [v for v in (low, high, 0, -1, 1, -(2**31), 2**31, 10**15) if low <= v <= high]
    return st.one_of(st.sampled_from(edges), st.integers(low, high))


def _scalar(field: FieldDescriptor) -> st.SearchStrategy:
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_STRING:
        return BYTES if field.type == FieldDescriptor.TYPE_BYTES else STRINGS
    if cpp in INT_RANGES:
        return _integers(*INT_RANGES[cpp])
    if cpp == FieldDescriptor.CPPTYPE_DOUBLE:
        return st.floats(allow_nan=True, allow_infinity=True)
    if cpp == FieldDescriptor.CPPTYPE_FLOAT:
        return st.floats(width=32, allow_nan=True, allow_infinity=True)
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        return st.booleans()
    if cpp == FieldDescriptor.CPPTYPE_ENUM:
        defined = [value.number for value in field.enum_type.values]
        return st.one_of(st.sampled_from(defined), _integers(-(2**31), 2**31 - 1))  # open enums: unknown numbers
    raise TypeError(f"no strategy for {field.full_name}")


@cache
def message_class(descriptor: Descriptor) -> type[Message]:
    return message_factory.GetMessageClass(descriptor)


def _well_known(descriptor: Descriptor) -> st.SearchStrategy[dict] | None:
    """Field values of the well-known types the contracts use, out-of-range ones included."""
    name = descriptor.full_name
    if name in ("google.protobuf.Timestamp", "google.protobuf.Duration"):
        seconds = _integers(-(2**63), 2**63 - 1) | st.integers(-(10**11), 10**11)
        return st.fixed_dictionaries({"seconds": seconds, "nanos": _integers(-(2**31), 2**31 - 1)})
    if name == "google.type.Date":
        small = st.integers(-1, 13) | _integers(-(2**31), 2**31 - 1)
        return st.fixed_dictionaries({"year": st.integers(0, 10_000) | small, "month": small, "day": small})
    if name == "google.protobuf.FieldMask":
        return st.fixed_dictionaries({"paths": st.lists(STRINGS, max_size=3)})
    return None


@st.composite
def messages(draw: st.DrawFn, descriptor: Descriptor, depth: int = 0) -> Message:
    """One message of `descriptor`'s type with each field unset or set to a drawn value."""
    message = message_class(descriptor)()
    fixed = _well_known(descriptor)
    if fixed is not None:
        values = draw(fixed)
        for name, value in values.items():
            if isinstance(value, list):
                getattr(message, name).extend(value)
            else:
                setattr(message, name, value)
        return message
    for field in descriptor.fields:
        if not draw(st.booleans()):
            continue
        _set(draw, message, field, depth)
    return message


def _set(draw: st.DrawFn, message: Message, field: FieldDescriptor, depth: int) -> None:
    nested = field.message_type
    if nested is not None and nested.GetOptions().map_entry:
        key_field, value_field = nested.fields_by_name["key"], nested.fields_by_name["value"]
        mapping = getattr(message, field.name)
        for key in draw(st.lists(_scalar(key_field), max_size=3)):
            if value_field.message_type is not None:
                if depth < MAX_DEPTH:
                    mapping[key].CopyFrom(draw(messages(value_field.message_type, depth + 1)))
            else:
                mapping[key] = draw(_scalar(value_field))
        return
    if nested is not None:
        if depth >= MAX_DEPTH:
            return
        if field.is_repeated:
            getattr(message, field.name).extend(draw(st.lists(messages(nested, depth + 1), max_size=3)))
        else:
            getattr(message, field.name).CopyFrom(draw(messages(nested, depth + 1)))
        return
    if field.is_repeated:
        getattr(message, field.name).extend(draw(st.lists(_scalar(field), max_size=4)))
    else:
        setattr(message, field.name, draw(_scalar(field)))
