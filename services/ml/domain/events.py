"""The registry's events as projections of the resources they are about."""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf.message import Message

E = TypeVar("E", bound=Message)


def project(event_type: type[E], source: Message, **values: Any) -> E:
    """An event carrying the fields of `source` that it names alike (its projection), then `values`."""
    fields = {}
    for field in event_type.DESCRIPTOR.fields:
        own = source.DESCRIPTOR.fields_by_name.get(field.name)
        if own is None or field.name in values:
            continue
        if own.message_type is not None and not own.is_repeated and not source.HasField(field.name):
            continue
        fields[field.name] = getattr(source, field.name)
    return event_type(**fields, **values)
