"""The customer directory over real gRPC (mTLS, edge-forwarded claims) against real PostgreSQL and Kafka."""

from __future__ import annotations

import uuid

import grpc
import pytest
from fintech.customer.v1 import customer_directory_service_pb2 as dsvc
from fintech.customer.v1 import customer_pb2 as c
from google.protobuf import field_mask_pb2
from google.type import date_pb2

from services.runtime.config import Settings
from tests.customer.support import (
    ADMIN,
    BRANCH,
    OTHER_BRANCH,
    OTHER_TELLER,
    TELLER,
    Api,
    claims,
    customer_token,
    error_details,
    new_customer,
    reason,
    register,
    registration,
)

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk")


def retrieve(customer_id: str, **fields) -> dsvc.RetrieveCustomerRequest:
    return dsvc.RetrieveCustomerRequest(customer_id=customer_id, **fields)


def list_all(api: Api, claims: str) -> list[c.Customer]:
    customers, token = [], ""
    while True:
        page = api.call(api.directory.ListCustomers, dsvc.ListCustomersRequest(page_size=200, page_token=token), claims)
        customers += page.customers
        token = page.next_page_token
        if not token:
            return customers


def test_register_returns_a_pending_customer_and_a_duplicate_fails_with_details(api: Api):
    customer = new_customer()
    registered = register(api, customer)
    assert registered.state == c.CUSTOMER_STATE_PENDING
    assert registered.family_name == customer.family_name and registered.pii_view == c.PII_VIEW_FULL
    assert registered.customer_number.startswith("C") and registered.etag

    # The same person, written differently, with another document: found by name and birth date.
    twin = c.Customer()
    twin.CopyFrom(customer)
    twin.given_names, twin.family_name = "ERIKA  MARÍA", customer.family_name.upper()
    twin.identity_document.document_number = "C01X00T47"
    error = api.fails(api.directory.RegisterCustomer, registration(twin))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    info, _ = error_details(error)
    assert info.reason == "DUPLICATE_RESOURCE" and info.domain
    assert info.metadata["customer_id"] == registered.customer_id
    assert info.metadata["matched_on"] == "names_and_date_of_birth"

    # Another name with the same document: found by the document's blind index.
    other = new_customer(identity_document=customer.identity_document)
    error = api.fails(api.directory.RegisterCustomer, registration(other))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error_details(error)[0].metadata["matched_on"] == "identity_document"
    # A teller of another branch learns that the person exists, not which customer it is.
    request = registration(new_customer(identity_document=customer.identity_document, branch_id=OTHER_BRANCH))
    error = api.fails(api.directory.RegisterCustomer, request, OTHER_TELLER)
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS and "customer_id" not in error_details(error)[0].metadata


def test_invalid_identity_data_gives_one_violation_per_bad_field(api: Api):
    customer = new_customer()
    customer.identity_document.document_number = "123456789"  # a GB passport number, not a DE one
    customer.residential_address.postal_code = "ABC1"  # no DE postal code
    customer.date_of_birth.CopyFrom(date_pb2.Date(year=1985, month=2, day=30))  # no such day
    error = api.fails(api.directory.RegisterCustomer, registration(customer))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    info, violations = error_details(error)
    assert info.reason == "FIELD_VIOLATION"
    assert sorted(v.field for v in violations) == [
        "customer.date_of_birth",
        "customer.identity_document.document_number",
        "customer.residential_address.postal_code",
    ]
    assert all(v.description for v in violations)


def test_retrieve_finds_a_customer_and_answers_not_found_or_invalid_argument_otherwise(api: Api):
    registered = register(api, new_customer())
    found = api.call(api.directory.RetrieveCustomer, retrieve(registered.customer_id)).customer
    assert found == registered
    masked = api.call(api.directory.RetrieveCustomer, retrieve(registered.customer_id, pii_view=c.PII_VIEW_MASKED))
    assert masked.customer.pii_view == c.PII_VIEW_MASKED and masked.customer.family_name != registered.family_name

    error = api.fails(api.directory.RetrieveCustomer, retrieve(str(uuid.uuid4())), ADMIN)
    assert error.code() == grpc.StatusCode.NOT_FOUND and reason(error) == "RESOURCE_NOT_FOUND"
    error = api.fails(api.directory.RetrieveCustomer, retrieve("42"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in error_details(error)[1]] == ["customer_id"]


def test_update_changes_identity_data_and_needs_the_current_etag_and_a_valid_mask(api: Api):
    registered = register(api, new_customer())
    update = dsvc.UpdateCustomerRequest(
        customer_id=registered.customer_id,
        customer=c.Customer(place_of_birth="Bonn", etag=registered.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["place_of_birth"]),
    )
    updated = api.call(api.directory.UpdateCustomer, update).customer
    assert updated.place_of_birth == "Bonn" and updated.etag != registered.etag
    assert updated.family_name == registered.family_name  # fields outside the mask are kept
    error = api.fails(api.directory.UpdateCustomer, update)  # the old etag again
    assert error.code() == grpc.StatusCode.ABORTED and reason(error) == "CONCURRENT_MODIFICATION"
    assert error_details(error)[0].metadata["etag"] == updated.etag

    bad = dsvc.UpdateCustomerRequest(
        customer_id=registered.customer_id,
        customer=c.Customer(etag=updated.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["customer_number", "family_name"]),
    )
    error = api.fails(api.directory.UpdateCustomer, bad)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert sorted(v.field for v in error_details(error)[1]) == ["customer.family_name", "update_mask"]


def test_list_pages_with_signed_tokens(api: Api):
    for _ in range(3):
        register(api, new_customer())
    first = api.call(api.directory.ListCustomers, dsvc.ListCustomersRequest(page_size=2))
    assert len(first.customers) == 2 and first.next_page_token
    second = api.call(
        api.directory.ListCustomers, dsvc.ListCustomersRequest(page_size=2, page_token=first.next_page_token)
    )
    assert second.customers
    assert {x.customer_id for x in first.customers}.isdisjoint(x.customer_id for x in second.customers)
    forged = first.next_page_token[:-3] + ("AAA" if not first.next_page_token.endswith("AAA") else "BBB")
    error = api.fails(api.directory.ListCustomers, dsvc.ListCustomersRequest(page_size=2, page_token=forged))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and reason(error) == "INVALID_PAGE_TOKEN"
    # A token is bound to its filters: reused with others it is refused.
    other_filters = dsvc.ListCustomersRequest(
        page_size=2, page_token=first.next_page_token, states=[c.CUSTOMER_STATE_VERIFIED]
    )
    assert reason(api.fails(api.directory.ListCustomers, other_filters)) == "INVALID_PAGE_TOKEN"


def test_a_customer_token_cannot_read_another_customer(api: Api, settings: Settings):
    mine, theirs = register(api, new_customer()), register(api, new_customer())
    me = customer_token(mine.customer_id)
    own = api.call(api.directory.RetrieveCustomer, retrieve(mine.customer_id), me).customer
    assert own.pii_view == c.PII_VIEW_FULL and own.family_name == mine.family_name
    error = api.fails(api.directory.RetrieveCustomer, retrieve(theirs.customer_id), me)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED and reason(error) == "ACCESS_DENIED"
    assert theirs.family_name not in error.details()
    assert api.fails(api.directory.ListCustomers, dsvc.ListCustomersRequest(), me).code() == (
        grpc.StatusCode.PERMISSION_DENIED
    )

    # The cli identity (grpcurl operators) never sees clear PII, and claims it sends are not trusted.
    cli = Api(settings, "cli")
    masked = cli.call(cli.directory.RetrieveCustomer, retrieve(mine.customer_id), me).customer
    assert masked.pii_view == c.PII_VIEW_MASKED
    assert masked.family_name == mine.family_name[0] + "*" * (len(mine.family_name) - 1)
    assert masked.date_of_birth.month == 0 and masked.phone_number == "+49*********89"
    assert masked.email.endswith("@example.com") and masked.identity_document.document_number.endswith(
        mine.identity_document.document_number[-4:]
    )
    request = registration(new_customer())
    assert cli.fails(cli.directory.RegisterCustomer, request, TELLER).code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_teller_works_only_with_customers_of_their_own_branch(api: Api):
    ours = register(api, new_customer())
    theirs = register(api, new_customer(branch_id=OTHER_BRANCH), OTHER_TELLER)
    assert ours.branch_id == BRANCH and theirs.branch_id == OTHER_BRANCH

    error = api.fails(api.directory.RetrieveCustomer, retrieve(theirs.customer_id))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED and reason(error) == "ACCESS_DENIED"
    update = dsvc.UpdateCustomerRequest(
        customer_id=theirs.customer_id,
        customer=c.Customer(place_of_birth="Bonn", etag=theirs.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["place_of_birth"]),
    )
    assert api.fails(api.directory.UpdateCustomer, update).code() == grpc.StatusCode.PERMISSION_DENIED
    request = registration(new_customer(branch_id=OTHER_BRANCH))
    assert api.fails(api.directory.RegisterCustomer, request).code() == grpc.StatusCode.PERMISSION_DENIED

    # Listing: only the teller's branch, whatever filter is asked for.
    error = api.fails(api.directory.ListCustomers, dsvc.ListCustomersRequest(branch_id=OTHER_BRANCH))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    listed = list_all(api, TELLER)
    assert ours.customer_id in {x.customer_id for x in listed}
    assert {x.branch_id for x in listed} == {BRANCH}
    # A back-office role sees both branches.
    assert {ours.customer_id, theirs.customer_id} <= {x.customer_id for x in list_all(api, ADMIN)}


def test_a_request_id_is_one_callers_key_replayed_as_first_answered(api: Api):
    request = registration(new_customer())
    first = api.call(api.directory.RegisterCustomer, request).customer
    assert api.call(api.directory.RegisterCustomer, request).customer == first  # the same caller: replayed

    # The same key with other parameters is refused.
    changed = dsvc.RegisterCustomerRequest()
    changed.CopyFrom(request)
    changed.customer.place_of_birth = "Bonn"
    error = api.fails(api.directory.RegisterCustomer, changed)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and reason(error) == "IDEMPOTENCY_KEY_REUSED"

    # Another caller's key, though it is the same request_id: processed afresh (and found a duplicate).
    colleague = claims("teller-3", "teller", branch_id=BRANCH)
    error = api.fails(api.directory.RegisterCustomer, request, colleague)
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error_details(error)[0].metadata["customer_id"] == first.customer_id


def test_an_erasure_retried_answers_with_the_erasure_done(api: Api):
    registered = register(api, new_customer())
    request = dsvc.EraseCustomerRequest(
        customer_id=registered.customer_id, reason=c.ERASURE_REASON_CONSENT_WITHDRAWN, request_id=str(uuid.uuid4())
    )
    erased = api.call(api.directory.EraseCustomer, request, ADMIN)
    assert erased.state == c.CUSTOMER_STATE_ERASED
    assert api.call(api.directory.EraseCustomer, request, ADMIN) == erased  # the key's resource is the customer
    # A new request to erase the erased customer finds none.
    again = dsvc.EraseCustomerRequest(
        customer_id=registered.customer_id, reason=c.ERASURE_REASON_CONSENT_WITHDRAWN, request_id=str(uuid.uuid4())
    )
    assert api.fails(api.directory.EraseCustomer, again, ADMIN).code() == grpc.StatusCode.NOT_FOUND
