"""Onboarding and KYC over the mesh: automatic checks, sanctions screening through the risk service,
manual review by a compliance officer, and the verification that payments asks for."""

from __future__ import annotations

import uuid

import grpc
import pytest
from fintech.customer.v1 import customer_onboarding_service_pb2 as osvc
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import kyc_check_pb2 as k
from google.type import date_pb2

from services.runtime.config import Settings
from tests.customer.support import (
    ADMIN,
    BRANCH,
    OFFICER,
    OTHER_TELLER,
    TELLER,
    Api,
    claims,
    erase,
    high_risk_customer,
    kyc_request,
    new_customer,
    reason,
    register,
    start_kyc,
)

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk")
SANCTIONS_CODES = {k.KYC_REASON_CODE_SANCTIONS_POTENTIAL_MATCH, k.KYC_REASON_CODE_SANCTIONS_CONFIRMED_MATCH}


def verification(settings: Settings, customer_id: str) -> osvc.RetrieveCustomerVerificationResponse:
    """What the payments service learns about a customer (its workload identity, no user)."""
    payments = Api(settings, "payments")
    request = osvc.RetrieveCustomerVerificationRequest(customer_id=customer_id)
    return payments.call(payments.onboarding.RetrieveCustomerVerification, request, None)


def retrieve_check(api: Api, check: k.KycCheck, claims: str) -> k.KycCheck:
    request = osvc.RetrieveKycCheckRequest(customer_id=check.customer_id, kyc_check_id=check.kyc_check_id)
    return api.call(api.onboarding.RetrieveKycCheck, request, claims).kyc_check


def control(check: k.KycCheck, decision: int, *codes: int) -> osvc.ControlKycCheckRequest:
    return osvc.ControlKycCheckRequest(
        customer_id=check.customer_id, kyc_check_id=check.kyc_check_id, decision=decision, reason_codes=codes,
        note="Screened by hand against EU and UN lists.", request_id=str(uuid.uuid4()),
    )  # fmt: skip


def test_a_sanctioned_name_ends_in_rejected_or_manual_review(api: Api, settings: Settings):
    # An entry of the risk service's (fictional) list, spelt without diacritics; the same data with
    # another name is verified, so the name alone decides.
    birth = date_pb2.Date(year=1968, month=3, day=14)
    listed = register(api, new_customer(family="Dragulescu-Morozov", given_names="Viktor", date_of_birth=birth))
    control_person = register(api, new_customer(given_names="Viktor", date_of_birth=birth))
    try:
        check = start_kyc(api, listed.customer_id)
        assert check.state in (k.KYC_CHECK_STATE_REJECTED, k.KYC_CHECK_STATE_MANUAL_REVIEW)
        assert check.compliance_details_withheld and not check.HasField("sanctions_screening")  # no tipping-off
        officer_view = retrieve_check(api, check, OFFICER)
        assert {r.code for r in officer_view.reasons} & SANCTIONS_CODES
        assert officer_view.sanctions_screening.outcome in (
            k.SANCTIONS_SCREENING_OUTCOME_POTENTIAL_MATCH,
            k.SANCTIONS_SCREENING_OUTCOME_CONFIRMED_MATCH,
        )
        assert "FSL-0001" in {m.entry_id for m in officer_view.sanctions_screening.matches}
        assert not verification(settings, listed.customer_id).payments_allowed

        clean = start_kyc(api, control_person.customer_id)
        assert clean.state == k.KYC_CHECK_STATE_VERIFIED
        assert retrieve_check(api, clean, OFFICER).sanctions_screening.outcome == k.SANCTIONS_SCREENING_OUTCOME_CLEAR
        assert verification(settings, control_person.customer_id).payments_allowed
    finally:  # the fixed identity must not make the next run's registration a duplicate
        for customer in (listed, control_person):
            erase(api, customer.customer_id)


def test_manual_review_is_resolved_by_a_compliance_officer_only(api: Api, settings: Settings):
    registered = register(api, high_risk_customer())  # referred whatever the screening says
    check = start_kyc(api, registered.customer_id)
    assert check.state == k.KYC_CHECK_STATE_MANUAL_REVIEW
    assert k.KYC_REASON_CODE_HIGH_RISK_JURISDICTION in [r.code for r in check.reasons]
    assert verification(settings, registered.customer_id).state == c.CUSTOMER_STATE_MANUAL_REVIEW

    # A check in manual review is open: a second one is refused.
    error = api.fails(api.onboarding.InitiateKycCheck, kyc_request(registered.customer_id))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and reason(error) == "INVALID_STATE_TRANSITION"

    approve = control(check, k.MANUAL_REVIEW_DECISION_APPROVE)
    assert api.fails(api.onboarding.ControlKycCheck, approve).code() == grpc.StatusCode.PERMISSION_DENIED  # teller
    with_codes = control(check, k.MANUAL_REVIEW_DECISION_APPROVE, k.KYC_REASON_CODE_HIGH_RISK_JURISDICTION)
    error = api.fails(api.onboarding.ControlKycCheck, with_codes, OFFICER)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    resolved = api.call(api.onboarding.ControlKycCheck, approve, OFFICER).kyc_check
    assert resolved.state == k.KYC_CHECK_STATE_VERIFIED
    assert resolved.manual_review_resolution.reviewer_id == "officer-1"
    assert api.call(api.onboarding.ControlKycCheck, approve, OFFICER).kyc_check == resolved  # idempotent replay
    again = control(check, k.MANUAL_REVIEW_DECISION_REJECT, k.KYC_REASON_CODE_HIGH_RISK_JURISDICTION)
    error = api.fails(api.onboarding.ControlKycCheck, again, OFFICER)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION  # no longer in manual review

    answer = verification(settings, registered.customer_id)
    assert answer.exists and answer.state == c.CUSTOMER_STATE_VERIFIED and answer.payments_allowed
    assert answer.kyc_check_id == check.kyc_check_id


def test_a_reviewer_does_not_resolve_a_customer_they_registered(api: Api):
    # A teller who is also a compliance officer registers a customer, then reviews its check.
    both = claims("teller-officer-1", "teller", "risk_officer", branch_id=BRANCH)
    registered = register(api, high_risk_customer(), both)
    check = start_kyc(api, registered.customer_id, both)
    assert check.state == k.KYC_CHECK_STATE_MANUAL_REVIEW
    error = api.fails(api.onboarding.ControlKycCheck, control(check, k.MANUAL_REVIEW_DECISION_APPROVE), both)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED and "four eyes" in error.details()


def test_retrieve_and_list_kyc_checks(api: Api):
    registered = register(api, high_risk_customer())
    check = start_kyc(api, registered.customer_id)
    assert retrieve_check(api, check, TELLER) == check
    unknown = osvc.RetrieveKycCheckRequest(customer_id=registered.customer_id, kyc_check_id=str(uuid.uuid4()))
    error = api.fails(api.onboarding.RetrieveKycCheck, unknown)
    assert error.code() == grpc.StatusCode.NOT_FOUND and reason(error) == "RESOURCE_NOT_FOUND"
    other_branch = osvc.RetrieveKycCheckRequest(customer_id=registered.customer_id, kyc_check_id=check.kyc_check_id)
    assert api.fails(api.onboarding.RetrieveKycCheck, other_branch, OTHER_TELLER).code() == (
        grpc.StatusCode.PERMISSION_DENIED
    )

    listed = api.call(api.onboarding.ListKycChecks, osvc.ListKycChecksRequest(customer_id=registered.customer_id))
    assert [x.kyc_check_id for x in listed.kyc_checks] == [check.kyc_check_id] and not listed.next_page_token
    # Across customers ("-"): compliance roles only, filtered by state, in pages with signed tokens.
    everyone = osvc.ListKycChecksRequest(customer_id="-", states=[k.KYC_CHECK_STATE_MANUAL_REVIEW], page_size=1)
    error = api.fails(api.onboarding.ListKycChecks, everyone)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    seen, token = [], ""
    while True:
        everyone.page_token = token
        page = api.call(api.onboarding.ListKycChecks, everyone, OFFICER)
        seen += page.kyc_checks
        token = page.next_page_token
        if not token:
            break
    assert check.kyc_check_id in {x.kyc_check_id for x in seen}
    assert {x.state for x in seen} == {k.KYC_CHECK_STATE_MANUAL_REVIEW}
    everyone.page_token = "bm90IGEgdG9rZW4"
    error = api.fails(api.onboarding.ListKycChecks, everyone, OFFICER)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and reason(error) == "INVALID_PAGE_TOKEN"
    assert api.fails(api.onboarding.ListKycChecks, osvc.ListKycChecksRequest(customer_id=str(uuid.uuid4())),
                     ADMIN).code() == grpc.StatusCode.NOT_FOUND  # fmt: skip


def test_customer_verification_is_for_the_payments_workload_only(api: Api, settings: Settings):
    registered = register(api, new_customer())
    answer = verification(settings, registered.customer_id)
    assert answer.exists and answer.state == c.CUSTOMER_STATE_PENDING and not answer.payments_allowed
    unknown = verification(settings, str(uuid.uuid4()))
    assert not unknown.exists and not unknown.payments_allowed
    request = osvc.RetrieveCustomerVerificationRequest(customer_id=registered.customer_id)
    error = api.fails(api.onboarding.RetrieveCustomerVerification, request)  # the edge: not in the mesh policy
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    payments = Api(settings, "payments")
    error = payments.fails(payments.onboarding.RetrieveCustomerVerification,
                           osvc.RetrieveCustomerVerificationRequest(customer_id="42"), None)  # fmt: skip
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
