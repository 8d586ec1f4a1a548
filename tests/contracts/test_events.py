"""Every event message is registered with the envelope's type registry and round-trips through it."""

from __future__ import annotations

import pytest
from fintech.common.v1 import event_envelope_pb2, money_pb2
from google.protobuf import descriptor_pb2

from services.runtime.event_registry import EventContractError, EventRegistry, event_spec, topic_for
from services.runtime.observability import request_context
from tests.contracts.conftest import DOMAINS, Contracts
from tests.contracts.samples import fill

SOURCE = "spiffe://cluster.local/ns/fintech/sa/payments"
# Field names that hold personal data: in events they must be sealed (SealedValue), never clear.
PII_FIELDS = {
    "given_name",
    "family_name",
    "middle_name",
    "full_name",
    "legal_name",
    "name",
    "email",
    "phone_number",
    "date_of_birth",
    "address",
    "residential_address",
    "postal_address",
    "document_number",
    "tax_id",
}

REGISTRY = EventRegistry.discover()


def _event_files(contracts: Contracts) -> list[descriptor_pb2.FileDescriptorProto]:
    return [f for f in contracts.protos if f.name.endswith("/events.proto")]


def test_every_domain_publishes_events(contracts: Contracts):
    packages = {f.package for f in _event_files(contracts)}
    assert packages == {f"fintech.{d}.v1" for d in DOMAINS[1:]}


def test_registry_holds_exactly_the_event_messages(contracts: Contracts):
    declared = {f"{f.package}.{m.name}" for f in _event_files(contracts) for m in f.message_type}
    assert {t.full_name for t in REGISTRY} == declared
    for file in _event_files(contracts):
        for message in file.message_type:
            spec = message.options.Extensions[event_envelope_pb2.event]
            assert spec.aggregate_type, f"{message.name} needs (fintech.common.v1.event).aggregate_type"


@pytest.mark.parametrize("event_type", list(REGISTRY), ids=lambda t: t.full_name)
def test_event_round_trips_through_the_envelope(event_type):
    event = fill(event_type.message_class())
    envelope = REGISTRY.wrap(event, subject="agg-1", sequence=3, source=SOURCE, correlation_id="req-1")
    wire = event_envelope_pb2.EventEnvelope.FromString(envelope.SerializeToString())
    assert wire.event_type == event_type.full_name
    assert wire.aggregate_type == event_type.aggregate_type
    assert (wire.subject, wire.sequence, wire.source) == ("agg-1", 3, SOURCE)
    assert REGISTRY.unwrap(wire) == event
    assert event_type.topic == topic_for(event_type.descriptor.file.package)
    assert event_type.topic.endswith(".events.v1")


@pytest.mark.parametrize("event_type", list(REGISTRY), ids=lambda t: t.full_name)
def test_events_never_carry_clear_personal_data(event_type):
    def clear_pii(descriptor, seen):
        for field in descriptor.fields:
            sealed = field.message_type is not None and field.message_type.full_name.endswith("SealedValue")
            if field.name in PII_FIELDS and not sealed and field.message_type is None:
                yield f"{descriptor.full_name}.{field.name}"
            if field.message_type is not None and not sealed and field.message_type.full_name not in seen:
                yield from clear_pii(field.message_type, seen | {field.message_type.full_name})

    assert list(clear_pii(event_type.descriptor, {event_type.full_name})) == []


def test_events_with_sealed_values_declare_personal_data():
    def has_sealed(descriptor, seen):
        for field in descriptor.fields:
            if field.message_type is None or field.message_type.full_name in seen:
                continue
            if field.message_type.full_name == "fintech.common.v1.SealedValue":
                return True
            if has_sealed(field.message_type, seen | {field.message_type.full_name}):
                return True
        return False

    for event_type in REGISTRY:
        assert has_sealed(event_type.descriptor, set()) == event_type.carries_personal_data, event_type.full_name


def test_registry_refuses_what_the_contracts_do_not_declare():
    some_event = next(iter(REGISTRY))
    with pytest.raises(EventContractError, match="not a registered event"):
        REGISTRY.wrap(money_pb2.Money(amount_minor=1, currency_code="EUR"), subject="x", sequence=1, source=SOURCE)
    with pytest.raises(EventContractError, match="subject"):
        REGISTRY.wrap(some_event.message_class(), subject="", sequence=1, source=SOURCE)
    envelope = REGISTRY.wrap(some_event.message_class(), subject="x", sequence=1, source=SOURCE)
    forged = event_envelope_pb2.EventEnvelope()
    forged.CopyFrom(envelope)
    forged.payload.Pack(money_pb2.Money(amount_minor=1, currency_code="EUR"))
    with pytest.raises(EventContractError, match="carries fintech.common.v1.Money"):
        REGISTRY.unwrap(forged)
    forged.CopyFrom(envelope)
    forged.aggregate_type = "somebody_else"
    with pytest.raises(EventContractError, match="belongs to aggregate"):
        REGISTRY.unwrap(forged)
    assert event_spec(money_pb2.Money.DESCRIPTOR) is None


def test_an_events_correlation_id_is_the_request_id_it_was_written_under():
    """Consumers log under an event's correlation id (consumer.py): the request's id follows its events."""
    event_type = next(iter(REGISTRY))
    event = fill(event_type.message_class())
    with request_context("req-42"):
        assert REGISTRY.wrap(event, subject="agg-1", sequence=1, source=SOURCE).correlation_id == "req-42"
        given = REGISTRY.wrap(event, subject="agg-1", sequence=1, source=SOURCE, correlation_id="")
        assert given.correlation_id == ""  # a caller's own value, even empty, wins
    assert REGISTRY.wrap(event, subject="agg-1", sequence=1, source=SOURCE).correlation_id == ""
