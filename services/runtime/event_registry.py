"""The event type registry: which messages are domain events and how they travel.

A domain event is a message in a generated `fintech.<domain>.v1.events_pb2` module that
carries the `(fintech.common.v1.event)` option. The registry is built from those options,
so the contracts alone decide what can be published: wrapping a message that is not a
registered event, or unwrapping an envelope whose payload does not match its declared
type, is refused.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from fintech.common.v1 import event_envelope_pb2
from google.protobuf.descriptor import Descriptor, FileDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from services.runtime.observability import current_request_id

EVENTS_MODULE = "events_pb2"


class EventContractError(ValueError):
    """An event or envelope that does not follow the event contracts."""


def topic_for(package: str) -> str:
    """Kafka topic of a domain's events: `fintech.payments.v1` -> `fintech.payments.events.v1`."""
    org, domain, version = package.split(".")
    return f"{org}.{domain}.events.{version}"


@dataclass(frozen=True)
class EventType:
    """One registered event message and where it travels."""

    descriptor: Descriptor
    aggregate_type: str
    carries_personal_data: bool

    @property
    def full_name(self) -> str:
        return self.descriptor.full_name

    @property
    def topic(self) -> str:
        return topic_for(self.descriptor.file.package)

    @property
    def message_class(self) -> type[Message]:
        return GetMessageClass(self.descriptor)


def event_spec(descriptor: Descriptor) -> event_envelope_pb2.EventSpec | None:
    options = descriptor.GetOptions()
    # the generated stub types an extension as a plain FieldDescriptor, the protobuf stubs want its generic form
    if not options.HasExtension(event_envelope_pb2.event):  # type: ignore[arg-type]
        return None
    spec: event_envelope_pb2.EventSpec = options.Extensions[event_envelope_pb2.event]  # type: ignore[index]
    return spec


class EventRegistry:
    """Registered event types by full message name."""

    def __init__(self) -> None:
        self._types: dict[str, EventType] = {}

    @classmethod
    def discover(cls, package: str = "fintech") -> EventRegistry:
        """Import every generated events module under `package` and register its events."""
        registry = cls()
        root = importlib.import_module(package)
        for module_info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if module_info.name.rsplit(".", 1)[-1] == EVENTS_MODULE:
                registry.register_file(importlib.import_module(module_info.name).DESCRIPTOR)
        return registry

    def register_file(self, file_descriptor: FileDescriptor) -> None:
        for descriptor in file_descriptor.message_types_by_name.values():
            spec = event_spec(descriptor)
            if spec is None:
                raise EventContractError(
                    f"{descriptor.full_name} is in {file_descriptor.name} "
                    "but lacks the (fintech.common.v1.event) option"
                )
            if not spec.aggregate_type:
                raise EventContractError(f"{descriptor.full_name} declares no aggregate_type")
            self._types[descriptor.full_name] = EventType(descriptor, spec.aggregate_type, spec.carries_personal_data)

    def __iter__(self) -> Iterator[EventType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def __contains__(self, full_name: object) -> bool:
        return full_name in self._types

    def get(self, full_name: str) -> EventType:
        try:
            return self._types[full_name]
        except KeyError:
            raise EventContractError(f"{full_name} is not a registered event type") from None

    def wrap(
        self,
        event: Message,
        *,
        subject: str,
        sequence: int,
        source: str,
        occur_time: datetime | None = None,
        event_id: str | None = None,
        trace_context: event_envelope_pb2.TraceContext | None = None,
        correlation_id: str | None = None,
        causation_id: str = "",
    ) -> event_envelope_pb2.EventEnvelope:
        """Put an event into its envelope; `subject` is the aggregate id, `sequence` its new version.

        The correlation id is the current request id unless given: consumers log under it while they apply
        the event (consumer.py), so one request id finds the work its events did, as it finds its calls.
        """
        event_type = self.get(event.DESCRIPTOR.full_name)
        if not subject:
            raise EventContractError("an event needs a subject (its aggregate id)")
        if sequence < 1:
            raise EventContractError("an event's sequence starts at 1")
        envelope = event_envelope_pb2.EventEnvelope(
            event_id=event_id or str(uuid.uuid4()),
            event_type=event_type.full_name,
            source=source,
            subject=subject,
            aggregate_type=event_type.aggregate_type,
            sequence=sequence,
            trace_context=trace_context,
            correlation_id=current_request_id() if correlation_id is None else correlation_id,
            causation_id=causation_id,
        )
        envelope.occur_time.FromDatetime(occur_time or datetime.now(UTC))
        envelope.payload.Pack(event)
        return envelope

    def unwrap(self, envelope: event_envelope_pb2.EventEnvelope) -> Message:
        """The event inside an envelope, after checking the envelope tells the truth about it."""
        event_type = self.get(envelope.event_type)
        payload_type = envelope.payload.TypeName()
        if payload_type != event_type.full_name:
            raise EventContractError(f"envelope says {event_type.full_name} but carries {payload_type}")
        if envelope.aggregate_type != event_type.aggregate_type:
            raise EventContractError(
                f"{event_type.full_name} belongs to aggregate {event_type.aggregate_type!r}, "
                f"not {envelope.aggregate_type!r}"
            )
        event = event_type.message_class()
        envelope.payload.Unpack(event)
        return event
