"""Contract rules checked at the boundary: one violation per bad field, none for a valid request."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fintech.common.v1 import event_envelope_pb2, money_pb2
from fintech.customer.v1 import customer_directory_service_pb2 as directory
from fintech.features.v1 import feature_store_service_pb2 as features
from fintech.ml.v1 import model_registry_service_pb2 as registry
from fintech.ml.v1 import model_serving_service_pb2 as serving
from fintech.payments.v1 import events_pb2 as payment_events_pb2
from fintech.payments.v1 import payment_initiation_service_pb2 as initiation
from fintech.payments.v1 import payment_pb2
from google.protobuf import any_pb2, duration_pb2, field_mask_pb2, timestamp_pb2
from hypothesis import given
from hypothesis import strategies as st

from services.runtime import validation
from services.runtime.validation import MAX_DEPTH, validate
from tests.runtime import validation_rulebook as rulebook

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


# ---------------------------------------------------------------------------------------------------------------
# Real contracts: the exact descriptions a caller gets back, at every threshold the contract declares.


def _problems(message) -> list[tuple[str, str]]:
    return [(v.field, v.description) for v in validate(message)]


def _ts(seconds: float, nanos: int = 0) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=int(seconds), nanos=nanos)


def _d(seconds: int = 0, nanos: int = 0) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=seconds, nanos=nanos)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("idempotency_key", "a" * 7, ["must be at least 8 characters long"]),
        ("idempotency_key", "a" * 8, []),
        ("idempotency_key", "a" * 128, []),
        ("idempotency_key", "a" * 129, ["must be at most 128 characters long"]),
        ("idempotency_key", "order 2026-01", ["must match ^[A-Za-z0-9_.:-]+$"]),
        ("idempotency_key", "order:2026_01.a-b", []),
        ("debtor_account_id", ACCOUNT.upper(), []),
        ("debtor_account_id", ACCOUNT.replace("-", ""), ["must be a valid uuid"]),
        ("debtor_account_id", "{" + ACCOUNT + "}", ["must be a valid uuid"]),
        ("debtor_account_id", ACCOUNT[:-1] + "g", ["must be a valid uuid"]),
        ("remittance_information", "x" * 140, []),
        ("remittance_information", "x" * 141, ["must be at most 140 characters long"]),
        ("end_to_end_id", "E2E/2026 (1)", []),
        ("end_to_end_id", "x" * 36, ["must be at most 35 characters long"]),
        ("end_to_end_id", "e2e#1", ["must match ^[A-Za-z0-9/?:().,'+ -]*$"]),
        ("channel", 99, ["99 is not a defined value"]),
        ("channel", 0, ["is required"]),
    ],
)
def test_payment_request_fields_at_their_limits(field, value, expected):
    assert _problems(_payment(**{field: value})) == [(field, text) for text in expected]


def test_money_currency_is_three_upper_case_letters():
    for code, expected in [("EUR", []), ("eur", ["must match ^[A-Z]{3}$"]), ("EURO", ["must match ^[A-Z]{3}$"])]:
        request = _payment()
        request.amount.currency_code = code
        assert _problems(request) == [("amount.currency_code", text) for text in expected]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        ({"page_size": 0}, []),
        ({"page_size": 1000}, []),
        ({"page_size": 1001}, [("page_size", "must be at most 1000")]),
        ({"page_size": -1}, [("page_size", "must be at least 0")]),
        ({"branch_id": ""}, []),
        ({"branch_id": "branch-7"}, [("branch_id", "must be a valid uuid")]),
        ({"states": [1, 2, 3, 4]}, []),
        ({"states": [1, 2, 3, 4, 1, 2]}, [("states", "must have at most 5 items"), ("states", "items must be unique")]),
        ({"states": [1, 1]}, [("states", "items must be unique")]),
        ({"states": [1, 0]}, [("states[1]", "must be set")]),
        ({"states": [5]}, [("states[0]", "is not an allowed value")]),
        ({"states": [42]}, [("states[0]", "42 is not a defined value")]),
        ({"pii_view": 9}, [("pii_view", "9 is not a defined value")]),
    ],
)
def test_list_customers_filters(overrides, expected):
    assert _problems(directory.ListCustomersRequest(**overrides)) == expected


def _predict(**overrides) -> serving.PredictRequest:
    request = serving.PredictRequest(model_name="fraud_detector", request_id=ACCOUNT)
    request.instances.add().features["amount"].double_value = 12.5
    for name, value in overrides.items():
        field = getattr(request, name)
        field.CopyFrom(value) if hasattr(field, "CopyFrom") else setattr(request, name, value)
    return request


def test_predict_request_timeout_is_positive_and_at_most_30_seconds():
    assert _problems(_predict()) == []
    assert _problems(_predict(timeout=duration_pb2.Duration(nanos=1))) == []
    assert _problems(_predict(timeout=duration_pb2.Duration(seconds=30))) == []
    assert _problems(_predict(timeout=duration_pb2.Duration())) == [("timeout", "must be greater than 0s")]
    assert _problems(_predict(timeout=duration_pb2.Duration(seconds=30, nanos=1))) == [
        ("timeout", "must be at most 30s")
    ]
    assert _problems(_predict(timeout=duration_pb2.Duration(seconds=-1))) == [("timeout", "must be greater than 0s")]


def test_predict_request_feature_maps_check_keys_and_each_value():
    request = _predict(model_version="0")
    instance = request.instances[0]
    instance.features["Amount"].int64_value = 1
    instance.features["country"].SetInParent()  # a value with no kind
    instance.features["note"].string_value = "x" * 1025
    assert sorted(_problems(request)) == [  # a map has no order
        ("instances[0].features['Amount']", "must match ^[a-z][a-z0-9_]*$"),
        ("instances[0].features['country'].kind", "exactly one of kind must be set"),
        ("instances[0].features['note'].string_value", "must be at most 1024 characters long"),
        ("model_version", "must match ^[1-9][0-9]{0,9}$"),
    ]
    empty = _predict()
    empty.instances.add()
    assert _problems(empty) == [("instances[1].features", "is required")]


def test_the_contents_of_protobuf_well_known_types_are_left_to_the_handler():
    """update_mask paths are checked by the servicer against the fields it can update, not here."""
    request = directory.UpdateCustomerRequest(
        customer_id=ACCOUNT, update_mask=field_mask_pb2.FieldMask(paths=["family\x00name"])
    )
    request.customer.family_name = "Moreau"
    assert validate(request) == []


# ---------------------------------------------------------------------------------------------------------------
# Every other rule kind, on the test-only rulebook contract (tests/runtime/validation_rulebook.py).

VALID_STRINGS = {
    "code": "EUR", "exact": "abc", "sized": "abc", "exact_bytes": "abcd", "sized_bytes": "abc", "upper": "ABC",
    "affixed": "abXyz", "containing": "amidb", "listed": "a", "unlisted": "y", "optional_code": "",
    "email": "ana@bank.example", "hostname": "api.bank.example", "ip": "10.0.0.1", "ipv4": "10.0.0.1",
    "ipv6": "::1", "address": "api.bank.example", "uri": "https://bank.example/x", "uri_ref": "../x",
    "uuid": ACCOUNT, "email_off": "not an email",
}  # fmt: skip
HOST_253 = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])


def test_valid_rulebook_messages_have_no_violations():
    assert validate(rulebook.Strings(**VALID_STRINGS)) == []
    assert validate(rulebook.Blobs(**VALID_BLOBS)) == []
    assert validate(rulebook.Numbers(**VALID_NUMBERS)) == []
    assert validate(rulebook.Enums(**VALID_ENUMS)) == []
    assert validate(_lists()) == []
    assert validate(_times()) == []
    assert validate(_others()) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("code", "USD", ["must equal 'EUR'"]),
        ("exact", "ab", ["must be 3 characters long"]),
        ("exact", "abcd", ["must be 3 characters long"]),
        ("exact", "éèà", []),  # characters, not bytes
        ("sized", "a", ["must be at least 2 characters long"]),
        ("sized", "ab", []),
        ("sized", "abcd", []),
        ("sized", "abcde", ["must be at most 4 characters long"]),
        ("sized", "éééé", []),
        ("exact_bytes", "éé", []),
        ("exact_bytes", "abc", ["must be 4 bytes long"]),
        ("exact_bytes", "ééa", ["must be 4 bytes long"]),
        ("sized_bytes", "é", []),
        ("sized_bytes", "a", ["must be at least 2 bytes long"]),
        ("sized_bytes", "éé", []),
        ("sized_bytes", "ééa", ["must be at most 4 bytes long"]),
        ("upper", "AbC", ["must match ^[A-Z]+$"]),
        ("affixed", "Xyz", ["must start with 'ab'"]),
        ("affixed", "abX", ["must end with 'yz'"]),
        ("affixed", "X", ["must start with 'ab'", "must end with 'yz'"]),
        ("containing", "ab", ["must contain 'mid'"]),
        ("containing", "midbad", ["must not contain 'bad'"]),
        ("listed", "b", []),
        ("listed", "c", ["is not an allowed value"]),
        ("unlisted", "x", ["is not an allowed value"]),
        ("unlisted", "", []),
        ("optional_code", "ab", ["must be 3 characters long"]),
        ("optional_code", "abc", []),
        ("email", "ana@bank", ["must be a valid email"]),
        ("email", "ana bank@bank.example", ["must be a valid email"]),
        ("email", "@bank.example", ["must be a valid email"]),
        ("email", "ana@@bank.example", ["must be a valid email"]),
        ("hostname", "localhost", []),
        ("hostname", "a-b.example", []),
        ("hostname", "-ab.example", ["must be a valid hostname"]),
        ("hostname", "ab-.example", ["must be a valid hostname"]),
        ("hostname", "api..example", ["must be a valid hostname"]),
        ("hostname", "api_1.example", ["must be a valid hostname"]),
        ("hostname", "a" * 63 + ".example", []),
        ("hostname", "a" * 64 + ".example", ["must be a valid hostname"]),
        ("hostname", HOST_253, []),
        ("hostname", HOST_253 + "d", ["must be a valid hostname"]),
        ("ip", "2001:db8::1", []),
        ("ip", "10.0.0.256", ["must be a valid ip"]),
        ("ip", "api.bank.example", ["must be a valid ip"]),
        ("ipv4", "192.168.0.1", []),
        ("ipv4", "2001:db8::1", ["must be a valid ipv4"]),
        ("ipv6", "2001:db8::1", []),
        ("ipv6", "192.168.0.1", ["must be a valid ipv6"]),
        ("address", "192.168.0.1", []),
        ("address", "2001:db8::1", []),
        ("address", "api bank", ["must be a valid address"]),
        ("uri", "https://bank.example", []),
        ("uri", "urn:isbn:0451450523", []),
        ("uri", "bank.example/x", ["must be a valid uri"]),
        ("uri", "https:", ["must be a valid uri"]),
        ("uri_ref", "", []),
        ("uri_ref", "#top", []),
        ("uri", "http://[::1", ["must be a valid uri"]),  # urlparse raises on it
        ("uri_ref", "//[::1/x", ["must be a valid uri ref"]),
        ("uuid", "not-a-uuid", ["must be a valid uuid"]),
        ("uuid", "urn:uuid:" + ACCOUNT, ["must be a valid uuid"]),
    ],
)
def test_string_rules(field, value, expected):
    message = rulebook.Strings(**{**VALID_STRINGS, field: value})
    assert _problems(message) == [(field, text) for text in expected]


def test_a_nul_character_is_refused_in_each_item_of_a_repeated_string():
    message = rulebook.Strings(**VALID_STRINGS, tags=["ok", "n\x00", "ok"])
    assert _problems(message) == [("tags[1]", "must not contain NUL characters")]
    message = rulebook.Strings(**{**VALID_STRINGS, "exact": "\x00\x00c"})
    assert _problems(message) == [("exact", "must not contain NUL characters")]  # once per field


VALID_BLOBS = {
    "magic": b"\x01\x02", "exact": b"ab", "sized": b"ab", "lower": b"abc", "affixed": b"\x01x\xff",
    "containing": b"a\x00\x00b", "optional": b"",
}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("magic", b"\x01\x03", ["must equal the required constant"]),
        ("exact", b"a", ["must be 2 bytes long"]),
        ("exact", b"abc", ["must be 2 bytes long"]),
        ("sized", b"a", ["must be at least 2 bytes long"]),
        ("sized", b"abc", []),
        ("sized", b"abcd", ["must be at most 3 bytes long"]),
        ("lower", b"aBc", ["must match ^[a-z]+$"]),
        ("affixed", b"x\xff", ["has the wrong prefix"]),
        ("affixed", b"\x01x", ["has the wrong suffix"]),
        ("containing", b"a\x00b\x00", ["lacks the required content"]),
        ("optional", b"a", ["must be 2 bytes long"]),
        ("optional", b"ab", []),
    ],
)
def test_bytes_rules(field, value, expected):
    message = rulebook.Blobs(**{**VALID_BLOBS, field: value})
    assert _problems(message) == [(field, text) for text in expected]


def test_bytes_rules_of_a_real_contract():
    envelope = event_envelope_pb2.SealedValue(key_id="k1", nonce=b"n" * 12, ciphertext=b"c" * 16)
    assert validate(envelope) == []
    envelope = event_envelope_pb2.SealedValue(key_id="k1", nonce=b"n" * 11, ciphertext=b"c" * 15)
    assert _problems(envelope) == [
        ("nonce", "must be 12 bytes long"),
        ("ciphertext", "must be at least 16 bytes long"),
    ]


VALID_NUMBERS = {
    **{f"{kind}_value": 5 for kind in rulebook.NUMERIC_KINDS},
    "limit": 1, "outside": 11, "outside_inclusive": 10, "five": 5, "version": 2, "tier": 1, "offset": 1,
    "optional_limit": 0, "ratio": 0.5, "accepted": True, "declined": False,
}  # fmt: skip


@pytest.mark.parametrize("kind", rulebook.NUMERIC_KINDS)
def test_every_numeric_kind_checks_its_bounds(kind):
    shown = "{}.0" if kind in ("float", "double") else "{}"
    field = f"{kind}_value"
    for value, expected in [(1, []), (9, []), (0, [f"must be greater than {shown.format(0)}"])]:
        assert _problems(rulebook.Numbers(**{**VALID_NUMBERS, field: value})) == [(field, t) for t in expected]
    assert _problems(rulebook.Numbers(**{**VALID_NUMBERS, field: 10})) == [
        (field, f"must be less than {shown.format(10)}")
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("limit", 0, ["must be at least 1"]),
        ("limit", 100, []),
        ("limit", 101, ["must be at most 100"]),
        ("outside", 4, []),
        ("outside", 5, ["must be greater than 10 or less than 5"]),
        ("outside", 7, ["must be greater than 10 or less than 5"]),
        ("outside", 10, ["must be greater than 10 or less than 5"]),
        ("outside_inclusive", 5, []),
        ("outside_inclusive", 6, ["must be at least 10 or at most 5"]),
        ("outside_inclusive", 9, ["must be at least 10 or at most 5"]),
        ("five", 4, ["must be at least 5"]),
        ("five", 6, ["must be at most 5"]),
        ("version", 3, ["must equal 2"]),
        ("version", 0, ["must equal 2"]),
        ("tier", 3, []),
        ("tier", 4, ["is not an allowed value"]),
        ("tier", 0, ["is not an allowed value"]),
        ("offset", 0, ["is not an allowed value"]),
        ("offset", -1, []),
        ("optional_limit", 9, ["must be at least 10"]),
        ("optional_limit", 10, []),
        ("ratio", 0.0, []),
        ("ratio", 1.0, []),
        ("ratio", 1.0000001, ["must be at most 1.0"]),
        ("ratio", -0.1, ["must be at least 0.0"]),
        ("accepted", False, ["must be true"]),
        ("declined", True, ["must be false"]),
    ],
)
def test_number_and_bool_rules(field, value, expected):
    message = rulebook.Numbers(**{**VALID_NUMBERS, field: value})
    assert _problems(message) == [(field, text) for text in expected]


@given(value=st.integers(min_value=-(2**31), max_value=2**31 - 1))
def test_an_inverted_range_accepts_exactly_the_values_outside_it(value):
    message = rulebook.Numbers(**{**VALID_NUMBERS, "outside": value, "outside_inclusive": value})
    problems = dict(_problems(message))
    assert ("outside" in problems) == (5 <= value <= 10)
    assert ("outside_inclusive" in problems) == (5 < value < 10)


VALID_ENUMS = {"fixed": 1, "chosen": 1, "avoided": 1, "known": 0}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("fixed", 2, ["must be enum value 1"]),
        ("chosen", 2, []),
        ("chosen", 3, ["is not an allowed value"]),
        ("chosen", 0, ["must be set"]),
        ("avoided", 2, []),
        ("avoided", 0, ["must be set"]),
        ("avoided", 3, ["is not an allowed value"]),
        ("known", 3, []),
        ("known", 7, ["7 is not a defined value"]),
    ],
)
def test_enum_rules(field, value, expected):
    message = rulebook.Enums(**{**VALID_ENUMS, field: value})
    assert _problems(message) == [(field, text) for text in expected]


def _lists(**overrides):
    return rulebook.Lists(**{"codes": ["ab"], "limits": {"ab": 1}, **overrides})


def _part(name="n", sku="s"):
    return rulebook.Part(name=name, sku=sku)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"codes": []}, [("codes", "must have at least 1 items")]),
        ({"codes": ["ab", "cd", "ef"]}, []),
        ({"codes": ["ab", "cd", "ef", "gh"]}, [("codes", "must have at most 3 items")]),
        ({"codes": ["ab", "ab"]}, [("codes", "items must be unique")]),
        ({"codes": ["ab", "abc"]}, [("codes[1]", "must be 2 characters long")]),
        ({"colours": [1, 9]}, [("colours[1]", "9 is not a defined value")]),
        ({"parts": [_part(), _part(name="")]}, [("parts[1].name", "must be at least 1 characters long")]),
        ({"parts": [_part(), _part()]}, [("parts", "items must be unique")]),
        ({"parts": [_part(), _part(sku="t")]}, []),
        ({"parts": [_part(sku="")]}, [("parts[0].sku", "is required")]),
        ({"optional_codes": ["x"]}, [("optional_codes", "must have at least 2 items")]),
        ({"optional_codes": ["x", "y"]}, []),
        ({"limits": {}}, [("limits", "must have at least 1 entries")]),
        ({"limits": {"ab": 1, "cd": 2}}, []),
        ({"limits": {"ab": 1, "cd": 2, "ef": 3}}, [("limits", "must have at most 2 entries")]),
        ({"limits": {"a": 1}}, [("limits['a']", "must be at least 2 characters long")]),
        ({"limits": {"ab": 0}}, [("limits['ab']", "must be greater than 0")]),
        ({"palette": {1: 2}}, []),
        ({"palette": {1: 9}}, [("palette[1]", "9 is not a defined value")]),
        ({"parts_by_key": {"k": _part(name="")}}, [("parts_by_key['k'].name", "must be at least 1 characters long")]),
        ({"parts_by_key": {"k": _part(sku="")}}, [("parts_by_key['k'].sku", "is required")]),
        ({"optional_limits": {"a": 1}}, [("optional_limits", "must have at least 2 entries")]),
        ({"optional_limits": {"a": 1, "b": 2}}, []),
        ({"deadlines": [_ts(999), _ts(1000)]}, [("deadlines[1]", "must be less than 1970-01-01T00:16:40+00:00")]),
        ({"timeouts": {"read": _d(0, 1)}}, []),
        ({"timeouts": {"read": _d()}}, [("timeouts['read']", "must be greater than 0s")]),
    ],
)
def test_repeated_and_map_rules(overrides, expected):
    assert _problems(_lists(**overrides)) == expected


def _now(offset: int) -> timestamp_pb2.Timestamp:
    return _ts(time.time() + offset)


def _times(**overrides):
    return rulebook.Times(**{"due": _ts(5000), "timeout": duration_pb2.Duration(seconds=30), **overrides})


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("at", _ts(100), []),
        ("at", _ts(101), ["must equal the required time"]),
        ("at", _ts(100, 1), ["must equal the required time"]),
        ("window", _ts(1000), ["must be greater than 1970-01-01T00:16:40+00:00"]),
        ("window", _ts(1000, 1), []),
        ("window", _ts(1999, 999_999_999), []),
        ("window", _ts(2000), ["must be less than 1970-01-01T00:33:20+00:00"]),
        ("closed_window", _ts(1000, 500_000_000), []),
        ("closed_window", _ts(1000, 499_999_999), ["must be at least 1970-01-01T00:16:40.500000+00:00"]),
        ("closed_window", _ts(2000), []),
        ("closed_window", _ts(2000, 1), ["must be at most 1970-01-01T00:33:20+00:00"]),
        ("period", _d(60), []),
        ("period", _d(61), ["must equal 60s"]),
        ("step", _d(5), []),
        ("step", _d(2), ["is not an allowed duration"]),
        ("pause", _d(1), []),
        ("pause", _d(), ["is not an allowed duration"]),
        ("ttl", _d(), ["must be greater than 0s"]),
        ("ttl", _d(0, 1), []),
        ("ttl", _d(1, 500_000_000), []),
        ("ttl", _d(3600), []),
        ("ttl", _d(3600, 1), ["must be at most 3600s"]),
        ("short", _d(1, 499_999_999), []),
        ("short", _d(1, 500_000_000), ["must be less than 1.500s"]),
    ],
)
def test_timestamp_and_duration_rules(field, value, expected):
    assert _problems(_times(**{field: value})) == [(field, text) for text in expected]


def test_required_times():
    assert _problems(rulebook.Times()) == [("due", "is required"), ("timeout", "is required")]


def test_times_relative_to_now():
    assert _problems(_times(booked=_now(-60), expires=_now(60), recent=_now(-1800))) == []
    assert _problems(_times(recent=_now(1800))) == []
    assert _problems(_times(booked=_now(60))) == [("booked", "must be in the past")]
    assert _problems(_times(expires=_now(-60))) == [("expires", "must be in the future")]
    assert _problems(_times(recent=_now(-7200))) == [("recent", "must be within 3600s of now")]
    assert _problems(_times(recent=_now(7200))) == [("recent", "must be within 3600s of now")]


NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class _FrozenClock(datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW


def _at(offset: timedelta) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(NOW + offset)
    return stamp


@pytest.mark.parametrize(
    ("field", "offset", "expected"),
    [
        ("booked", timedelta(microseconds=-1), []),
        ("booked", timedelta(0), ["must be in the past"]),
        ("expires", timedelta(microseconds=1), []),
        ("expires", timedelta(0), ["must be in the future"]),
        ("recent", timedelta(hours=-1), []),
        ("recent", timedelta(hours=-1, microseconds=-1), ["must be within 3600s of now"]),
        ("recent", timedelta(hours=1), []),
        ("recent", timedelta(hours=1, microseconds=1), ["must be within 3600s of now"]),
    ],
)
def test_times_relative_to_now_at_the_boundary(monkeypatch, field, offset, expected):
    monkeypatch.setattr(validation, "datetime", _FrozenClock)
    assert _problems(_times(**{field: _at(offset)})) == [(field, text) for text in expected]


TIMESTAMP_MIN, TIMESTAMP_MAX = -62_135_596_800, 253_402_300_799
DURATION_MAX = 315_576_000_000


@pytest.mark.parametrize(
    ("seconds", "nanos", "valid"),
    [
        (TIMESTAMP_MIN, 0, True),
        (TIMESTAMP_MIN - 1, 999_999_999, False),
        (TIMESTAMP_MAX, 999_999_999, True),
        (TIMESTAMP_MAX + 1, 0, False),
        (0, -1, False),
        (0, 1_000_000_000, False),
    ],
)
def test_timestamp_range(seconds, nanos, valid):
    message = _times(stamps=[_ts(0), timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)])
    assert _problems(message) == ([] if valid else [("stamps[1]", "is not a valid timestamp")])


@pytest.mark.parametrize(
    ("seconds", "nanos", "valid"),
    [
        (DURATION_MAX, 999_999_999, True),
        (DURATION_MAX + 1, 0, False),
        (-DURATION_MAX, -999_999_999, True),
        (-DURATION_MAX - 1, 0, False),
        (0, 1_000_000_000, False),
        (0, -1_000_000_000, False),
        (0, -5, True),
        (0, 5, True),
        (5, 0, True),
        (-1, -1, True),
        (1, 1, True),
        (1, -1, False),
        (-1, 1, False),
    ],
)
def test_duration_range(seconds, nanos, valid):
    message = _times(spans=[_d(seconds, nanos)])
    assert _problems(message) == ([] if valid else [("spans[0]", "is not a valid duration")])


def test_rules_on_a_time_outside_its_range_are_not_evaluated():
    assert _problems(_times(booked=_ts(TIMESTAMP_MAX + 1), period=_d(61))) == [
        ("booked", "is not a valid timestamp"),
        ("period", "must equal 60s"),
    ]
    assert _problems(_times(booked=_ts(TIMESTAMP_MAX + 1))) == [("booked", "is not a valid timestamp")]
    assert _problems(_times(ttl=_d(-1, 1))) == [("ttl", "is not a valid duration")]
    assert _problems(_times(timeout=_d(DURATION_MAX + 1))) == [("timeout", "is not a valid duration")]


@given(
    seconds=st.integers(min_value=TIMESTAMP_MIN, max_value=TIMESTAMP_MAX),
    nanos=st.integers(min_value=0, max_value=999_999_999),
)
def test_every_timestamp_in_range_is_valid(seconds, nanos):
    assert validate(_times(stamps=[timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)])) == []


def test_feature_rows_must_be_read_in_the_past():
    request = features.RetrieveOnlineFeaturesRequest(feature_view="customer_profile")
    request.entities.add(entity_type=1, entity_id=ACCOUNT)
    assert validate(request) == []
    request.max_staleness.CopyFrom(duration_pb2.Duration())
    assert _problems(request) == [("max_staleness", "must be greater than 0s")]


PART_ANY = "type.googleapis.com/rulebook.v1.Part"
STRINGS_ANY = "type.googleapis.com/rulebook.v1.Strings"


def _others(**overrides):
    values = {"payload": any_pb2.Any(type_url=PART_ANY), "part": _part(), "account_id": ACCOUNT, "count": 0}
    return rulebook.Others(**{**values, "label": "x", "sizes": [0], **overrides})


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"payload": any_pb2.Any(type_url=STRINGS_ANY)}, [("payload", f"type {STRINGS_ANY} is not allowed")]),
        ({"extra": any_pb2.Any(type_url=PART_ANY)}, []),
        ({"extra": any_pb2.Any(type_url=STRINGS_ANY)}, [("extra", f"type {STRINGS_ANY} is not allowed")]),
        ({"part": _part(name="")}, [("part.name", "must be at least 1 characters long")]),
        ({"skipped": _part(name="", sku="")}, []),
        (
            {"checked": _part(name="", sku="")},
            [("checked.name", "must be at least 1 characters long"), ("checked.sku", "is required")],
        ),
        ({"account_id": "acc-1"}, [("account_id", "must be a valid uuid")]),
        ({"iban": "DE89370400440532013000"}, []),
        ({"iban": "DE8937"}, [("iban", "must be at least 15 characters long")]),
        ({"note": "ok"}, []),
        ({"note": "x"}, [("note", "must be at least 2 characters long")]),
    ],
)
def test_message_any_and_oneof_rules(overrides, expected):
    assert _problems(_others(**overrides)) == expected


def test_required_any_message_oneof_and_fields():
    assert _problems(rulebook.Others()) == [
        ("target", "exactly one of target must be set"),
        ("payload", "is required"),
        ("part", "is required"),
        ("count", "is required"),
        ("label", "is required"),
        ("sizes", "is required"),
    ]
    assert _problems(rulebook.Others(**{**_others_values(), "count": 0, "sizes": [0]})) == []


def _others_values():
    message = _others()
    return {f.name: getattr(message, f.name) for f, _ in message.ListFields()}


def _chain(depth: int):
    """A Node `depth` levels deep whose deepest node breaks its rule (an empty label)."""
    root = rulebook.Node(label="root")
    node = root
    for _ in range(depth):
        node.child.SetInParent()
        node = node.child
        node.label = "x"
    node.label = ""
    return root


def test_nesting_is_checked_down_to_the_depth_limit_and_no_further():
    assert _problems(_chain(1)) == [("child.label", "must be at least 1 characters long")]
    assert _problems(_chain(MAX_DEPTH)) == [
        (".".join(["child"] * MAX_DEPTH + ["label"]), "must be at least 1 characters long")
    ]
    assert _problems(_chain(MAX_DEPTH + 1)) == []


def test_the_depth_limit_counts_repeated_and_map_levels_too():
    def chain(depth: int, through: str):
        root = node = rulebook.Node(label="root")
        for _ in range(depth):
            node = node.children.add(label="x") if through == "children" else node.by_name["n"]
            node.label = "x"
        node.label = ""
        return root

    step = {"children": "children[0]", "by_name": "by_name['n']"}
    for through in step:
        path = ".".join([step[through]] * MAX_DEPTH + ["label"])
        assert _problems(chain(MAX_DEPTH, through)) == [(path, "must be at least 1 characters long")]
        assert _problems(chain(MAX_DEPTH + 1, through)) == []


def test_unique_messages_are_compared_by_content_whatever_the_map_order():
    keys = [f"k{i}" for i in range(50)]
    forward, backward = rulebook.Bag(), rulebook.Bag()
    for key in keys:
        forward.counts[key] = 1
    for key in reversed(keys):
        backward.counts[key] = 1
    assert _problems(_lists(bags=[forward, backward])) == [("bags", "items must be unique")]
    backward.counts["k0"] = 2
    assert _problems(_lists(bags=[forward, backward])) == []


def test_required_is_not_enforced_below_an_update_mask_only():
    patch = rulebook.PatchWithFieldmask(part=_part(sku=""))
    assert validate(patch) == []
    patch = rulebook.PatchWithFieldmask(part=_part(name="", sku=""))
    assert _problems(patch) == [("part.name", "must be at least 1 characters long")]
    assert _problems(rulebook.PatchWithString(part=_part(sku=""))) == [("part.sku", "is required")]
    assert _problems(rulebook.PatchWithNode(part=_part(sku=""))) == [("part.sku", "is required")]


def test_a_message_required_rule_alone_makes_the_field_required():
    """`(validate.rules).message.required` sits outside the rules' `type` oneof; it used to be ignored."""
    event = payment_events_pb2.PaymentInitiated()
    assert ("amount", "is required") in _problems(event)
    event.amount.currency_code = "EUR"
    assert "amount" not in dict(_problems(event))
    assert _problems(_others(part=None)) == [("part", "is required")]


@pytest.mark.parametrize(
    ("uri", "valid"),
    [
        ("s3://fintech-model-repository/payment_fraud/7/", True),
        ("fintech-model-repository/payment_fraud/7/", False),
        ("s3://[fintech-model-repository/payment_fraud/7/", False),  # urlparse raises: was INTERNAL, not a violation
    ],
)
def test_model_artifact_uri(uri, valid):
    request = registry.RegisterModelVersionRequest(model_name="payment_fraud")
    request.model_version.artifact_uri = uri
    about_the_uri = [text for field, text in _problems(request) if field == "model_version.artifact_uri"]
    assert about_the_uri == ([] if valid else ["must be a valid uri"])
