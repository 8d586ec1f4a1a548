"""Personal data at rest and in events: sealed everywhere, and unreadable for good once the customer is erased."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from fintech.common.v1.event_envelope_pb2 import EventEnvelope, SealedValue
from fintech.customer.v1 import customer_behavior_models_service_pb2 as bsvc
from fintech.customer.v1 import customer_directory_service_pb2 as dsvc
from fintech.customer.v1 import customer_onboarding_service_pb2 as osvc
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import customer_profile_pb2 as p
from fintech.customer.v1 import customer_profile_service_pb2 as psvc
from fintech.customer.v1 import events_pb2 as cev
from fintech.customer.v1 import kyc_check_pb2 as k
from google.protobuf import field_mask_pb2

from services.customer.adapters import crypto
from services.customer.adapters.db import personal_data
from services.runtime.config import Settings
from services.runtime.envelope_encryption import KeyUnavailable
from services.runtime.event_registry import EventRegistry, topic_for
from tests.customer.support import (
    ADMIN,
    OFFICER,
    Api,
    data_keys,
    erase,
    high_risk_customer,
    new_customer,
    query,
    reason,
    register,
    start_kyc,
)
from tests.runtime.events_support import read_topic

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk")
REGISTRY = EventRegistry.discover()
CUSTOMER_TOPIC = topic_for("fintech.customer.v1")
# Every table of the customer database that can hold something about a customer, and how to find its rows.
TABLES = {
    "customers": "customer_id = :id",
    "kyc_checks": "customer_id = :id",
    "customer_data_keys": "customer_id = :id",
    "idempotency_keys": "resource_id = :id",  # register and erase record the customer as their resource
    "payment_activity": "customer_id = :id",
    "outbox_events": "key = :id",
}


def update_contacts(api: Api, customer_id: str, **fields) -> p.CustomerProfile:
    read = api.call(api.profiles.RetrieveCustomerProfile, psvc.RetrieveCustomerProfileRequest(customer_id=customer_id))
    profile = p.CustomerProfile(etag=read.profile.etag, **fields)
    request = psvc.UpdateCustomerProfileRequest(
        customer_id=customer_id, profile=profile, update_mask=field_mask_pb2.FieldMask(paths=list(fields))
    )
    return api.call(api.profiles.UpdateCustomerProfile, request).profile


def customer_events(customer_id: str, until_type: str) -> list:
    """The customer's events as Kafka holds them (read from the topic's start), once `until_type` is among them."""

    def decode(records) -> list:
        key = customer_id.encode()
        return [REGISTRY.unwrap(EventEnvelope.FromString(r.value)) for r in records if r.key == key]

    def done(records) -> bool:
        return any(event.DESCRIPTOR.full_name == until_type for event in decode(records))

    return decode(asyncio.run(read_topic(CUSTOMER_TOPIC, until=done, settle=0.2)))


def sealed_values(events) -> list[tuple[str, SealedValue]]:
    """(associated data, sealed value) of every sealed field the events carry."""
    found = []
    for event in events:
        if "personal_data" not in event.DESCRIPTOR.fields_by_name:
            continue
        for field, value in event.personal_data.ListFields():
            for sealed in value if field.is_repeated else [value]:
                found.append((personal_data.field_ad(field.name), sealed))
    return found


def stored_sealed(settings: Settings, customer_id: str, *names: str) -> list[tuple[str, SealedValue]]:
    """(associated data, sealed value) of PII columns of the customer's row, read from PostgreSQL."""
    row = query(settings, f"SELECT {', '.join(names)} FROM customers WHERE customer_id = :id", id=customer_id)[0]
    return [
        (personal_data.field_ad(name), SealedValue.FromString(bytes(blob)))
        for name, blob in zip(names, row, strict=True)
    ]


def test_pii_columns_hold_no_clear_text(api: Api, settings: Settings):
    customer = high_risk_customer()  # its check goes to manual review, where the officer writes a note
    customer.birth_family_name = f"Geb{uuid.uuid4().hex[:8]}"
    registered = register(api, customer)
    profile = update_contacts(api, registered.customer_id, postal_address=c.PostalAddress(
        address_lines=["Postfach 4711"], locality="Bonn", postal_code="53111", country_code="DE"))  # fmt: skip
    check = start_kyc(api, registered.customer_id)
    assert check.state == k.KYC_CHECK_STATE_MANUAL_REVIEW
    note = f"Met {customer.family_name} in person"
    api.call(api.onboarding.ControlKycCheck, osvc.ControlKycCheckRequest(
        customer_id=registered.customer_id, kyc_check_id=check.kyc_check_id, decision=k.MANUAL_REVIEW_DECISION_APPROVE,
        note=note, request_id=str(uuid.uuid4())), OFFICER)  # fmt: skip
    clear_values = [
        customer.given_names, customer.family_name, customer.birth_family_name, customer.place_of_birth,
        customer.email, customer.phone_number, customer.identity_document.document_number, "Heidestraße",
        "51147", "Postfach 4711", note,
    ]  # fmt: skip
    assert profile.postal_address.address_lines == ["Postfach 4711"]

    # Read PostgreSQL directly, every column of every row about the customer, raw bytes included.
    checked = 0
    for table, where in TABLES.items():
        for row in query(settings, f"SELECT * FROM {table} WHERE {where}", id=registered.customer_id):
            for value in row:
                raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                for clear in clear_values:
                    assert clear.encode() not in raw, f"clear text in {table}"
                checked += 1
    assert checked > 50

    # The PII is there, sealed: each column opens, with the customer's data key, to the registered value.
    ring = data_keys(settings, registered.customer_id)
    columns = stored_sealed(settings, registered.customer_id, "family_name", "email", "identity_document",
                            "postal_address")  # fmt: skip
    opened = {ad.rsplit(".", 1)[1]: ring.open(ad, value) for ad, value in columns}
    assert opened["family_name"].decode() == customer.family_name and opened["email"].decode() == customer.email
    assert c.IdentityDocument.FromString(opened["identity_document"]) == customer.identity_document
    assert c.PostalAddress.FromString(opened["postal_address"]).locality == "Bonn"
    (sealed_note,) = query(settings, "SELECT note FROM kyc_checks WHERE kyc_check_id = :id", id=check.kyc_check_id)[0]
    assert ring.open(personal_data.NOTE_FIELD, SealedValue.FromString(bytes(sealed_note))).decode() == note


def test_after_erasure_stored_data_and_past_events_cannot_be_decrypted_and_the_directory_answers_not_found(
    api: Api, settings: Settings
):
    registered = register(api, new_customer())
    customer_id = registered.customer_id
    update_contacts(api, customer_id, email="new.address@example.org")
    ring = data_keys(settings, customer_id)
    events = customer_events(customer_id, "fintech.customer.v1.CustomerProfileUpdated")
    sealed = sealed_values(events)
    assert {type(e) for e in events} >= {cev.CustomerRegistered, cev.CustomerProfileUpdated} and len(sealed) >= 10
    opened = {ring.open(ad, value).decode(errors="replace") for ad, value in sealed}  # readable before erasure
    assert {registered.family_name, "new.address@example.org"} <= opened
    stored = stored_sealed(settings, customer_id, "family_name", "email")  # what a backup taken now would hold
    assert {ring.open(ad, value).decode() for ad, value in stored} == {
        registered.family_name,
        "new.address@example.org",
    }

    error = api.fails(api.directory.EraseCustomer, dsvc.EraseCustomerRequest(
        customer_id=customer_id, reason=c.ERASURE_REASON_CONSENT_WITHDRAWN, request_id=str(uuid.uuid4())))  # fmt: skip
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED  # a teller may not erase
    erased = erase(api, customer_id)
    assert erased.state == c.CUSTOMER_STATE_ERASED and erased.erase_time.seconds

    # The data key is gone: neither the events Kafka still holds nor copies of the stored values open.
    assert query(settings, "SELECT count(*) FROM customer_data_keys WHERE customer_id = :id", id=customer_id)[0][0] == 0
    after = data_keys(settings, customer_id)
    kafka_events = customer_events(customer_id, "fintech.customer.v1.CustomerErased")
    assert isinstance(kafka_events[-1], cev.CustomerErased)
    assert kafka_events[-1].data_key_id == crypto.key_family(customer_id)
    for ad, value in [*sealed_values(kafka_events), *stored]:
        with pytest.raises(KeyUnavailable):
            after.open(ad, value)
    row = query(settings, "SELECT family_name, email, document_index, name_birth_index, state FROM customers "
                "WHERE customer_id = :id", id=customer_id)[0]  # fmt: skip
    assert tuple(row[:4]) == (None, None, None, None) and row[4] == c.CUSTOMER_STATE_ERASED

    # Every read of the customer answers NOT_FOUND.
    for method, request in (
        (api.directory.RetrieveCustomer, dsvc.RetrieveCustomerRequest(customer_id=customer_id)),
        (api.profiles.RetrieveCustomerProfile, psvc.RetrieveCustomerProfileRequest(customer_id=customer_id)),
        (api.behavior.RetrieveBehaviorInsights, bsvc.RetrieveBehaviorInsightsRequest(customer_id=customer_id)),
        (api.onboarding.ListKycChecks, osvc.ListKycChecksRequest(customer_id=customer_id)),
    ):
        error = api.fails(method, request, ADMIN)
        assert error.code() == grpc.StatusCode.NOT_FOUND and reason(error) == "RESOURCE_NOT_FOUND"
