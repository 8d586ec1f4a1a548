"""Customer profiles over the mesh: contact details and preferences, sealed at rest, masked by role."""

from __future__ import annotations

import grpc
import pytest
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import customer_profile_pb2 as p
from fintech.customer.v1 import customer_profile_service_pb2 as psvc
from google.protobuf import field_mask_pb2

from services.runtime.config import Settings
from tests.customer.support import (
    ADMIN,
    OTHER_TELLER,
    TELLER,
    Api,
    customer_token,
    error_details,
    new_customer,
    query,
    reason,
    register,
)

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk")


def read(api: Api, customer_id: str, claims: str = TELLER, **fields) -> p.CustomerProfile:
    request = psvc.RetrieveCustomerProfileRequest(customer_id=customer_id, **fields)
    return api.call(api.profiles.RetrieveCustomerProfile, request, claims).profile


def update(customer_id: str, profile: p.CustomerProfile, *paths: str) -> psvc.UpdateCustomerProfileRequest:
    return psvc.UpdateCustomerProfileRequest(
        customer_id=customer_id, profile=profile, update_mask=field_mask_pb2.FieldMask(paths=paths)
    )


def test_a_profile_update_changes_only_the_masked_fields_and_needs_the_current_etag(api: Api, settings: Settings):
    registered = register(api, new_customer())
    profile = read(api, registered.customer_id)
    assert profile.email == registered.email and profile.pii_view == c.PII_VIEW_FULL and profile.etag

    change = p.CustomerProfile(
        etag=profile.etag,
        email="erika.neu@example.org",
        phone_number="+491700000000",  # not in the mask: ignored
        preferences=p.CustomerPreferences(
            language_code="de-DE",
            time_zone="Europe/Berlin",
            marketing_consent=p.MarketingConsent(
                granted=True, channels=[p.NOTIFICATION_CHANNEL_EMAIL], policy_version="2026-01"
            ),
        ),
    )
    paths = ("email", "preferences.language_code", "preferences.marketing_consent")
    updated = api.call(api.profiles.UpdateCustomerProfile, update(registered.customer_id, change, *paths)).profile
    assert updated.email == "erika.neu@example.org" and updated.phone_number == registered.phone_number
    assert updated.preferences.language_code == "de-DE" and not updated.preferences.time_zone
    assert updated.preferences.marketing_consent.granted and updated.preferences.marketing_consent.consent_time.seconds
    assert updated.etag != profile.etag and read(api, registered.customer_id) == updated
    (sealed_email,) = query(settings, "SELECT email FROM customers WHERE customer_id = :id", id=registered.customer_id)[
        0
    ]
    assert b"erika.neu" not in bytes(sealed_email)

    error = api.fails(api.profiles.UpdateCustomerProfile, update(registered.customer_id, change, *paths))
    assert error.code() == grpc.StatusCode.ABORTED and reason(error) == "CONCURRENT_MODIFICATION"

    bad = p.CustomerProfile(etag=updated.etag, preferences=p.CustomerPreferences(
        marketing_consent=p.MarketingConsent(granted=False)))  # fmt: skip
    request = update(registered.customer_id, bad, "preferences.marketing_consent", "email", "customer_number")
    error = api.fails(api.profiles.UpdateCustomerProfile, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert sorted(v.field for v in error_details(error)[1]) == [
        "profile.email",
        "profile.preferences.marketing_consent.policy_version",
        "update_mask",
    ]


def test_profile_reads_are_masked_for_the_back_office_and_refused_to_others(api: Api):
    registered = register(api, new_customer())
    masked = read(api, registered.customer_id, ADMIN)
    assert masked.pii_view == c.PII_VIEW_MASKED and masked.email != registered.email
    assert masked.email.endswith("@example.com")
    own = read(api, registered.customer_id, customer_token(registered.customer_id))
    assert own.pii_view == c.PII_VIEW_FULL and own.email == registered.email
    assert read(api, registered.customer_id, pii_view=c.PII_VIEW_MASKED).pii_view == c.PII_VIEW_MASKED

    other = register(api, new_customer())
    request = psvc.RetrieveCustomerProfileRequest(customer_id=registered.customer_id)
    for claims in (customer_token(other.customer_id), OTHER_TELLER):
        error = api.fails(api.profiles.RetrieveCustomerProfile, request, claims)
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED and reason(error) == "ACCESS_DENIED"
    change = update(registered.customer_id, p.CustomerProfile(etag="v1", email="x@example.org"), "email")
    error = api.fails(api.profiles.UpdateCustomerProfile, change, customer_token(other.customer_id))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
