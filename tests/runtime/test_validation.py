"""Contract rules checked at the boundary: one violation per bad field, none for a valid request."""

from __future__ import annotations

from fintech.common.v1 import money_pb2
from fintech.customer.v1 import customer_directory_service_pb2 as directory
from fintech.payments.v1 import payment_initiation_service_pb2 as initiation
from fintech.payments.v1 import payment_pb2
from google.protobuf import field_mask_pb2

from services.runtime.validation import validate

ACCOUNT = "3f8a6a52-9b1e-4a57-8d2c-5c1f2d9b7e10"
OTHER_ACCOUNT = "7c4b2e19-0d3a-4f6e-b8a1-2e9d5c7f1a34"


def _payment(**overrides) -> initiation.InitiatePaymentRequest:
    request = initiation.InitiatePaymentRequest(
        idempotency_key="order-2026-0001",
        debtor_account_id=ACCOUNT,
        creditor_account_id=OTHER_ACCOUNT,
        amount=money_pb2.Money(amount_minor=12_50, currency_code="EUR"),
        channel=payment_pb2.PAYMENT_CHANNEL_MOBILE_APP,
    )
    for name, value in overrides.items():
        setattr(request, name, value)
    return request


def _fields(message) -> dict[str, str]:
    return {v.field: v.description for v in validate(message)}


def test_a_valid_request_has_no_violations():
    assert validate(_payment()) == []


def test_every_bad_field_is_reported_once():
    request = _payment(idempotency_key="short", debtor_account_id="not-a-uuid", remittance_information="x" * 141)
    request.amount.currency_code = "euro"
    violations = _fields(request)
    assert set(violations) == {"idempotency_key", "debtor_account_id", "remittance_information", "amount.currency_code"}
    assert "at least 8" in violations["idempotency_key"]
    assert "uuid" in violations["debtor_account_id"]


def test_required_fields_and_required_oneofs():
    request = initiation.InitiatePaymentRequest(idempotency_key="order-2026-0002")
    violations = _fields(request)
    assert violations["debtor_account_id"] == "is required"
    assert violations["amount"] == "is required"
    assert violations["creditor"] == "exactly one of creditor must be set"
    assert violations["channel"] == "is required"


def test_partial_update_skips_required_below_the_mask_but_not_formats():
    request = directory.UpdateCustomerRequest(
        customer_id=ACCOUNT, update_mask=field_mask_pb2.FieldMask(paths=["family_name"])
    )
    request.customer.family_name = "Moreau"
    assert validate(request) == []
    request.customer.nationality = "France"  # ISO 3166-1 alpha-2 is required when set
    assert "customer.nationality" in _fields(request)


def test_a_missing_path_id_is_required():
    assert _fields(initiation.RetrievePaymentRequest()) == {"payment_id": "is required"}


def test_a_time_outside_its_types_range_is_a_violation_not_a_crash():
    """Timestamp and Duration carry their own range (timestamp.proto, duration.proto); conversions raise past it."""
    request = directory.ListCustomersRequest()
    request.max_create_time.seconds = -(2**63)
    assert _fields(request) == {"max_create_time": "is not a valid timestamp"}
    request.max_create_time.seconds, request.max_create_time.nanos = 0, 1_000_000_000
    assert _fields(request) == {"max_create_time": "is not a valid timestamp"}
    request.max_create_time.nanos = 999_999_999
    assert validate(request) == []


def test_a_nul_character_is_refused_in_any_string_with_rules_or_without():
    request = initiation.ListPaymentsRequest(customer_id="\x00", states=[])
    assert ("customer_id", "must not contain NUL characters") in [(v.field, v.description) for v in validate(request)]
    cancel = initiation.CancelPaymentRequest(payment_id="7b1c1e8e-2f0a-4c4e-9d55-0a8f6f3e5a11", reason="no\x00pe")
    assert [(v.field, v.description) for v in validate(cancel)] == [("reason", "must not contain NUL characters")]
