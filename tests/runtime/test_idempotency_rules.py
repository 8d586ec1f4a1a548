"""Idempotency keys, the pure part: the request hash, the stored error and how it is answered again."""

from __future__ import annotations

import hashlib

import grpc
import pytest
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import payment_initiation_service_pb2 as pis
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.runtime import idempotency
from services.runtime.error_status import status_of
from services.runtime.errors import Code, FailedPrecondition, NotFound, Replayed
from services.runtime.idempotency import Scope, Stored

SCOPE = Scope(principal="spiffe://bank/ns/x/sa/edge-gateway|teller-7", operation="InitiatePayment", key="order-42")


def request(amount: int = 700, fingerprint: str = "") -> pis.InitiatePaymentRequest:
    message = pis.InitiatePaymentRequest(idempotency_key="order-42")
    message.amount.CopyFrom(Money(amount_minor=amount, currency_code="EUR"))
    if fingerprint:
        message.client_fingerprint.device_id = fingerprint
    return message


def test_scope_params_match_the_key_row():
    assert SCOPE.params() == {
        "scope_principal": "spiffe://bank/ns/x/sa/edge-gateway|teller-7",
        "scope_operation": "InitiatePayment",
        "scope_key": "order-42",
    }


def test_the_request_hash_is_the_sha256_of_the_deterministic_request():
    message = request()
    expected = hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()
    assert idempotency.request_hash(message) == expected
    assert idempotency.request_hash(request(701)) != expected


def test_ignored_fields_do_not_change_the_hash_and_the_request_is_left_as_it_was():
    with_fingerprint = request(fingerprint="device-1")
    digest = idempotency.request_hash(with_fingerprint, ignore=("client_fingerprint",))
    assert digest == idempotency.request_hash(request())
    assert with_fingerprint.client_fingerprint.device_id == "device-1"  # only the copy was cleared
    assert idempotency.request_hash(with_fingerprint) != digest


def test_the_hash_does_not_depend_on_the_order_maps_were_filled_in():
    forward, backward = error_details_pb2.ErrorInfo(reason="R"), error_details_pb2.ErrorInfo(reason="R")
    keys = [f"k{i}" for i in range(12)]
    for key in keys:
        forward.metadata[key] = "v"
    for key in reversed(keys):
        backward.metadata[key] = "v"
    assert idempotency.request_hash(forward) == idempotency.request_hash(backward)


def test_a_reused_key_is_refused_with_its_reason():
    error = idempotency._reused(SCOPE)
    assert isinstance(error, FailedPrecondition)
    assert (error.code, ErrorReason.Name(error.reason), error.message, error.metadata) == (
        Code.FAILED_PRECONDITION, "ERROR_REASON_IDEMPOTENCY_KEY_REUSED",
        "the idempotency key was used with other parameters", {"idempotency_key": "order-42"},
    )  # fmt: skip


def details(status: grpc.Status) -> status_pb2.Status:
    (value,) = [value for key, value in status.trailing_metadata if key == "grpc-status-details-bin"]
    return status_pb2.Status.FromString(value)


def test_a_stored_error_is_the_status_the_caller_got():
    error = NotFound("account 42 not found", metadata={"account_id": "42"})
    stored = idempotency.error_status(error, "payments.fintech.svc")
    assert status_pb2.Status.FromString(stored) == details(status_of(error, "payments.fintech.svc"))
    info = error_details_pb2.ErrorInfo()
    status_pb2.Status.FromString(stored).details[0].Unpack(info)
    assert (info.reason, info.domain, dict(info.metadata)) == (
        "RESOURCE_NOT_FOUND", "payments.fintech.svc", {"account_id": "42"},
    )  # fmt: skip


def test_a_stored_error_is_raised_again_exactly_as_the_first_time():
    first = FailedPrecondition(
        "account 7 does not cover the amount",
        reason=ErrorReason.ERROR_REASON_INSUFFICIENT_FUNDS,
        metadata={"account_id": "7"},
    )
    stored = Stored(error=idempotency.error_status(first, "payments.fintech.svc"))
    with pytest.raises(Replayed) as replayed:
        stored.raise_error()
    error = replayed.value
    assert (error.code, error.message, str(error)) == (
        Code.FAILED_PRECONDITION, "account 7 does not cover the amount",
        "account 7 does not cover the amount",
    )  # fmt: skip
    again, original = status_of(error, "another.domain"), status_of(first, "payments.fintech.svc")
    assert (again.code, again.details, details(again)) == (original.code, original.details, details(original))


def test_a_stored_response_or_resource_raises_nothing():
    assert Stored(response=b"\x08\x01").raise_error() is None
    assert Stored().raise_error() is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [(0, Code.UNKNOWN), (5, Code.NOT_FOUND), (10, Code.ABORTED), (16, Code.UNAUTHENTICATED), (99, Code.UNKNOWN)],
)
def test_a_replayed_error_keeps_its_canonical_code(code, expected):
    status = status_pb2.Status(code=code, message="as before")
    error = Replayed(status)
    assert (error.code, error.stored, error.message) == (expected, status, "as before")
    assert error.rpc_status("payments.fintech.svc") == status  # answered exactly as stored
    if expected != Code.UNKNOWN:
        assert rpc_status.to_status(status) == status_of(error, "payments.fintech.svc")
