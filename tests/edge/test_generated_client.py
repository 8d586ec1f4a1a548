"""A Python client generated from the committed OpenAPI document plays the demo's flow through the real edge.

openapi-generator (the pinned CLI jar, `-g python`) generates the client from gen/openapi/openapi.yaml;
every call below goes through it: its models build the requests and parse the answers (google.type.Date
objects, RFC 3339 timestamps, 64-bit integers as strings, the error shape), and its configured auth sends
the token (`Configuration.access_token`: a user token from tools.edge.mint for a role, or one from the dev
issuer by OAuth2 client credentials, found through its OpenID Connect discovery). Nothing here writes a
header, a URL or a JSON body by hand.

Roles: a teller (with branch_id) registers, runs KYC, assesses credit and opens customer accounts; an admin
opens the bank's internal cash account, books the deposit, settles and reads a ledger; the customer pays with
her own token and reads her ledger; a risk officer (never the initiator) releases held payments; a compliance
officer reads the audit trail (the roles of the contracts' access option, `x-fintech-access` in the document).
Each step mints tokens with subjects of their own: the test mesh's edge allows 12 requests per client a minute.
"""

from __future__ import annotations

import importlib
import random
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from services.payments.domain.clearing import BANK_CUSTOMER_ID
from services.runtime.config import Settings
from tests.edge.rest import request as http
from tools.demo.actors import ALICE, BOB, BRANCH, MERCHANTS, Person
from tools.edge.mint import mint
from tools.openapi.clients import PYTHON_PACKAGE, generate

RUN = uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated client package, imported from where the generator wrote it."""
    out = generate("python", tmp_path_factory.mktemp("openapi-python"))
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PYTHON_PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [name for name in sys.modules if name.split(".")[0] == PYTHON_PACKAGE]:
            del sys.modules[name]


class Bank:
    """The generated client's API classes, each with its own ApiClient authenticated as one role."""

    def __init__(self, api: ModuleType, settings: Settings) -> None:
        self.api = api
        self.settings = settings
        self.host = f"http://{settings.mesh.host}:{settings.envoy.rest_port}"

    def client(self, token: str | None) -> Any:
        return self.api.ApiClient(self.api.Configuration(host=self.host, access_token=token))

    def as_role(self, role: str, **claims: str) -> Any:
        return self.client(mint(self.settings, role, subject=f"{role}-{uuid.uuid4()}", **claims))

    def teller(self) -> Any:
        return self.as_role("teller", branch_id=BRANCH)

    def customer(self, customer_id: str) -> Any:
        return self.as_role("customer", customer_id=customer_id)


@pytest.fixture
def bank(api: ModuleType, settings: Settings) -> Bank:
    return Bank(api, settings)


def customer_model(api: ModuleType, person: Person, born: tuple[int, int, int]) -> Any:
    """The generated Customer model for one of the demo's people, born on the given date."""
    year, month, day = born
    number = "C" + "".join("CFGHJKLMNPRTVWXYZ0123456789"[b % 27] for b in uuid.uuid4().bytes[:8])
    return api.FintechCustomerV1Customer(
        given_names=person.given_names,
        family_name=person.family_name,
        date_of_birth=api.GoogleTypeDate(year=year, month=month, day=day),
        place_of_birth=person.city,
        country_of_birth=person.country,
        nationality=person.country,
        residential_address=api.FintechCustomerV1PostalAddress(
            address_lines=[person.street],
            locality=person.city,
            postal_code=person.postal_code,
            country_code=person.country,
        ),
        identity_document=api.FintechCustomerV1IdentityDocument(
            document_type="IDENTITY_DOCUMENT_TYPE_PASSPORT",
            document_number=number,
            issuing_country=person.country,
            issue_date=api.GoogleTypeDate(year=2021, month=4, day=1),
            expiry_date=api.GoogleTypeDate(year=2031, month=3, day=31),
        ),
        email=f"{person.given_names.lower()}.{person.family_name.lower()}+oa{RUN}@example.com",
        phone_number="+4915112345689",
        branch_id=BRANCH,
        onboarding_channel="ONBOARDING_CHANNEL_BRANCH",
    )


def eur(api: ModuleType, minor: int) -> Any:
    return api.FintechCommonV1Money(amount_minor=str(minor), currency_code="EUR")


def error_info(error: Any) -> Any:
    """The ErrorInfo of an error answer, as the generated client parsed it (its Status model)."""
    status = error.data
    assert status is not None, f"the error body was not parsed: {error.body}"
    infos = [detail.actual_instance for detail in status.details or []]
    return next(info for info in infos if type(info).__name__ == "GoogleRpcErrorInfo")


@pytest.mark.mesh()
def test_the_demo_flow_through_the_edge_with_the_generated_client(api: ModuleType, bank: Bank, settings: Settings):
    started = datetime.now(UTC)
    # A birth date of their own per run (same name and birth date = a duplicate), none the demo's.
    born = {
        person.name: (random.randint(1940, 1999), random.randint(1, 12), random.randint(1, 28))
        for person in (ALICE, BOB)
    }

    # 1. A teller registers Alice and Bob and runs their KYC checks; Bob a second time is a 409.
    teller = bank.teller()
    directory = api.CustomerDirectoryServiceApi(teller)
    onboarding = api.CustomerOnboardingServiceApi(teller)
    customers = {}
    for person in (ALICE, BOB):
        registered = directory.customer_directory_service_register_customer(
            customer_model(api, person, born[person.name]), request_id=str(uuid.uuid4())
        ).customer
        assert registered.date_of_birth.month == born[person.name][1]  # the Date object came back
        check = onboarding.customer_onboarding_service_initiate_kyc_check(
            registered.customer_id,
            api.FintechCustomerV1InitiateKycCheckRequest(
                customer_id=registered.customer_id,
                trigger="KYC_CHECK_TRIGGER_ONBOARDING",
                request_id=str(uuid.uuid4()),
            ),
        ).kyc_check
        assert check.state == "KYC_CHECK_STATE_VERIFIED", check
        customers[person.name] = registered.customer_id
    alice, bob = customers[ALICE.name], customers[BOB.name]
    with pytest.raises(api.ApiException) as duplicate:
        directory.customer_directory_service_register_customer(
            customer_model(api, BOB, born[BOB.name]), request_id=str(uuid.uuid4())
        )
    assert duplicate.value.status == 409
    assert duplicate.value.data.code == 6  # ALREADY_EXISTS
    assert error_info(duplicate.value).reason == "DUPLICATE_RESOURCE"

    # 2. Credit assessment of Alice (the credit model on Triton).
    credit = (
        api.CreditRiskAssessmentServiceApi(bank.teller())
        .credit_risk_assessment_service_evaluate_credit_risk(
            api.FintechRiskV1EvaluateCreditRiskRequest(
                request_id=str(uuid.uuid4()),
                application=api.FintechRiskV1CreditApplication(
                    application_id=str(uuid.uuid4()),
                    customer_id=alice,
                    applicant=api.FintechRiskV1CreditApplicant(
                        annual_income=eur(api, 5_800_000),
                        existing_debt=eur(api, 420_000),
                        monthly_debt_payments=eur(api, 31_000),
                        employment_status="EMPLOYMENT_STATUS_FULL_TIME",
                        employment_months=74,
                        housing_status="HOUSING_STATUS_RENTING",
                        credit_history_months=142,
                        open_credit_lines=3,
                        past_defaults=0,
                        recent_delinquencies=0,
                        age_band="AGE_BAND_FROM_35_TO_44",
                    ),
                    requested_amount=eur(api, 1_800_000),
                    term_months=48,
                    purpose="CREDIT_PURPOSE_VEHICLE",
                    submit_time=datetime.now(UTC),
                ),
            )
        )
        .credit_assessment
    )
    assert 0 < credit.probability_of_default < 1 and credit.decision != "CREDIT_DECISION_UNSPECIFIED"
    assert credit.model.model_name == "credit"

    # 3. Accounts: the bank's internal cash account (admin), current accounts for both (teller).
    def open_account(client: Any, customer_id: str, kind: str, overdraft: int = 0) -> str:
        return (
            api.PositionKeepingServiceApi(client)
            .position_keeping_service_open_account(
                api.FintechPaymentsV1OpenAccountRequest(
                    idempotency_key=f"oa-{uuid.uuid4()}",
                    customer_id=customer_id,
                    currency_code="EUR",
                    account_type=kind,
                    overdraft_limit=eur(api, overdraft),
                )
            )
            .account.account_id
        )

    admin = bank.as_role("admin")
    cash = open_account(admin, str(BANK_CUSTOMER_ID), "ACCOUNT_TYPE_INTERNAL", overdraft=10**11)
    teller = bank.teller()
    alice_eur = open_account(teller, alice, "ACCOUNT_TYPE_CURRENT")
    bob_eur = open_account(teller, bob, "ACCOUNT_TYPE_CURRENT")

    def pay(client: Any, debtor: str, creditor: str | Any, minor: int, channel: str, key: str | None = None) -> Any:
        order = api.FintechPaymentsV1InitiatePaymentRequest(
            idempotency_key=key or f"oa-{uuid.uuid4()}",
            debtor_account_id=debtor,
            amount=eur(api, minor),
            remittance_information="openapi client",
            channel=channel,
        )
        if isinstance(creditor, str):
            order.creditor_account_id = creditor
        else:
            order.creditor_external_account = creditor
        return api.PaymentInitiationServiceApi(client).payment_initiation_service_initiate_payment(order).payment

    officer = api.PaymentInitiationServiceApi(bank.as_role("risk_officer"))
    reviewed = []

    def released(payment: Any) -> Any:
        """A held payment released by a risk officer (four eyes: not its initiator); others as they are."""
        if payment.state != "PAYMENT_STATE_HELD_FOR_REVIEW":
            return payment
        reviewed.append(payment.payment_id)
        return officer.payment_initiation_service_control_payment(
            payment.payment_id,
            api.FintechPaymentsV1ControlPaymentRequest(
                payment_id=payment.payment_id, decision="REVIEW_DECISION_RELEASE", note="checked by the test"
            ),
        ).payment

    # 4. A cash deposit at the branch (admin), held for review (new counterparty) and released.
    deposit = pay(admin, cash, alice_eur, 300_000, "PAYMENT_CHANNEL_BRANCH")
    assert deposit.state in ("PAYMENT_STATE_HELD_FOR_REVIEW", "PAYMENT_STATE_EXECUTED"), deposit
    deposit = released(deposit)
    assert deposit.state == "PAYMENT_STATE_EXECUTED", deposit

    # 5. Alice pays Bob with her own token, then retries with the same key: one payment, one booking.
    alice_client = bank.customer(alice)
    key = f"oa-{uuid.uuid4()}"
    paid = released(pay(alice_client, alice_eur, bob_eur, 12_550, "PAYMENT_CHANNEL_MOBILE_APP", key=key))
    retried = pay(alice_client, alice_eur, bob_eur, 12_550, "PAYMENT_CHANNEL_MOBILE_APP", key=key)
    assert retried.payment_id == paid.payment_id and paid.state == "PAYMENT_STATE_EXECUTED", paid
    assert isinstance(paid.create_time, datetime) and paid.create_time.tzinfo is not None

    # 6. A payment to another bank, executed, then settled in a batch by an admin.
    iban, bic, holder = MERCHANTS[0]
    merchant = api.FintechPaymentsV1ExternalAccount(iban=iban, bic=bic, holder_name=holder)
    off_us = released(pay(alice_client, alice_eur, merchant, 4_200, "PAYMENT_CHANNEL_WEB"))
    assert off_us.state == "PAYMENT_STATE_EXECUTED", off_us
    assert deposit.payment_id in reviewed  # a new counterparty: held, then released by the officer
    settlement = api.SettlementServiceApi(bank.as_role("admin"))
    batch = settlement.settlement_service_initiate_settlement_batch(
        api.FintechPaymentsV1InitiateSettlementBatchRequest(
            idempotency_key=f"oa-batch-{uuid.uuid4()}",
            currency_code="EUR",
            window_start_time=started,
            window_end_time=datetime.now(UTC),
        )
    ).settlement_batch
    report = settlement.settlement_service_retrieve_settlement_report(batch.settlement_batch_id).settlement_report
    assert report.state == "SETTLEMENT_BATCH_STATE_NETTED", report
    assert bic[:8] in {position.participant_bic for position in report.positions}, report.positions  # BIC8
    settled = settlement.settlement_service_control_settlement_batch(
        batch.settlement_batch_id,
        api.FintechPaymentsV1ControlSettlementBatchRequest(
            settlement_batch_id=batch.settlement_batch_id,
            action="SETTLEMENT_BATCH_ACTION_MARK_SETTLED",
            settlement_reference=f"TARGET2-OA-{RUN.upper()}",
        ),
    ).settlement_batch
    assert settled.state == "SETTLEMENT_BATCH_STATE_SETTLED"

    # 7. Ledger reads: Alice her own account, an admin Bob's; the dates are Date objects, the amounts strings.
    entries = (
        api.PositionKeepingServiceApi(alice_client)
        .position_keeping_service_list_ledger_entries(alice_eur, page_size=50)
        .ledger_entries
    )
    booked = [(entry.direction, entry.amount.amount_minor, entry.payment_id) for entry in entries]
    assert booked == [
        ("LEDGER_ENTRY_DIRECTION_CREDIT", "300000", deposit.payment_id),
        ("LEDGER_ENTRY_DIRECTION_DEBIT", "12550", paid.payment_id),  # once, though asked twice
        ("LEDGER_ENTRY_DIRECTION_DEBIT", "4200", off_us.payment_id),
    ]
    assert entries[-1].balance_after.amount_minor == str(300_000 - 12_550 - 4_200)
    today = datetime.now(UTC).date()
    assert (entries[0].value_date.year, entries[0].value_date.month) == (today.year, today.month)
    bob_account = api.PositionKeepingServiceApi(bank.as_role("admin")).position_keeping_service_retrieve_account(
        bob_eur
    )
    assert bob_account.account.ledger_balance.amount_minor == "12550"

    # 8. Audit reads by a compliance officer: this run's records, one of them by id.
    compliance = api.RegulatoryComplianceServiceApi(bank.as_role("compliance_officer"))
    records = compliance.regulatory_compliance_service_list_audit_records(
        start_time=started, page_size=20
    ).audit_records
    assert records and all(record.occur_time >= started.replace(microsecond=0) for record in records)
    one = compliance.regulatory_compliance_service_retrieve_audit_record(records[0].audit_record_id).audit_record
    assert one.audit_record_id == records[0].audit_record_id and one.record_hash == records[0].record_hash


@pytest.mark.mesh()
def test_client_credentials_from_the_issuers_discovery_and_the_error_answers(
    api: ModuleType, bank: Bank, settings: Settings
):
    """An OAuth2 client finds the token endpoint by OpenID Connect discovery; errors parse as the Status model."""
    issuer = f"http://{settings.mesh.host}:{settings.edge.issuer_port}"
    discovery = http(f"{issuer}/.well-known/openid-configuration").json()
    client_id, client = next(iter(settings.edge.clients.items()))
    token = http(
        discovery["token_endpoint"],
        "POST",
        body=f"grant_type=client_credentials&client_id={client_id}&client_secret={client.secret}".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    ).json()["access_token"]
    # A client's own token names no person with a role: 403 PERMISSION_DENIED, typed like every error.
    with pytest.raises(api.ApiException) as refused:
        api.FeatureStoreServiceApi(bank.client(token)).feature_store_service_list_feature_definitions()
    assert refused.value.status == 403 and refused.value.data.code == 7
    features = api.FeatureStoreServiceApi(bank.as_role("model_risk")).feature_store_service_list_feature_definitions()
    assert features.feature_definitions, "the feature store defines features"

    # No token: 401 from the edge itself, in the same shape.
    with pytest.raises(api.ApiException) as missing:
        api.FeatureStoreServiceApi(bank.client(None)).feature_store_service_list_feature_definitions()
    assert missing.value.status == 401 and missing.value.data.code == 16
    assert error_info(missing.value).reason == "UNAUTHENTICATED"

    # A field rule broken: 400 with ErrorInfo FIELD_VIOLATION and a BadRequest naming the field.
    with pytest.raises(api.ApiException) as bad:
        api.PaymentInitiationServiceApi(bank.as_role("admin")).payment_initiation_service_retrieve_payment("42")
    assert bad.value.status == 400 and error_info(bad.value).reason == "FIELD_VIOLATION"
    violations = [
        d.actual_instance for d in bad.value.data.details if type(d.actual_instance).__name__.endswith("BadRequest")
    ]
    assert violations[0].field_violations[0].var_field == "payment_id"  # `field` is pydantic's

    # An unknown payment: 404 RESOURCE_NOT_FOUND.
    with pytest.raises(api.ApiException) as unknown:
        api.PaymentInitiationServiceApi(bank.as_role("admin")).payment_initiation_service_retrieve_payment(
            str(uuid.uuid4())
        )
    assert unknown.value.status == 404 and error_info(unknown.value).reason == "RESOURCE_NOT_FOUND"


def test_generated_package_is_importable_without_a_mesh(api: ModuleType):
    assert Path(api.__file__).parent.name == PYTHON_PACKAGE
    assert {"bearer", "oauth2"} <= set(api.Configuration(access_token="t").auth_settings())
