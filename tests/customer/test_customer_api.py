"""The customer service over real gRPC (mTLS, edge-gateway claims) against real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from fintech.common.v1.event_envelope_pb2 import EventEnvelope, SealedValue
from fintech.common.v1.money_pb2 import Money
from fintech.customer.v1 import customer_behavior_models_service_pb2 as bsvc
from fintech.customer.v1 import customer_behavior_models_service_pb2_grpc as bsvc_grpc
from fintech.customer.v1 import customer_directory_service_pb2 as dsvc
from fintech.customer.v1 import customer_directory_service_pb2_grpc as dsvc_grpc
from fintech.customer.v1 import customer_onboarding_service_pb2 as osvc
from fintech.customer.v1 import customer_onboarding_service_pb2_grpc as osvc_grpc
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import events_pb2 as cev
from fintech.customer.v1 import kyc_check_pb2 as k
from fintech.payments.v1 import events_pb2 as pev
from fintech.payments.v1 import payment_pb2
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from google.type import date_pb2
from grpc_status import rpc_status
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.customer import crypto, store
from services.customer.config import load_keys
from services.runtime import kafka
from services.runtime.config import Settings
from services.runtime.event_registry import EventRegistry
from services.runtime.tls import certs_dir

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk")
BRANCH = "0b7f5a8e-1c2d-4e3f-9a0b-1c2d3e4f5a6b"
OTHER_BRANCH = "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"


def _claims(sub: str, *roles: str, **extra: str) -> str:
    payload = json.dumps({"sub": sub, "roles": list(roles), **extra}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


TELLER = _claims("teller-1", "teller", branch_id=BRANCH)
OFFICER = _claims("officer-1", "risk_officer")
ADMIN = _claims("admin-1", "admin")


class Api:
    def __init__(self, settings: Settings, workload: str = "edge-gateway") -> None:
        certs = certs_dir(settings)
        credentials = grpc.ssl_channel_credentials(
            (certs / "ca.pem").read_bytes(),
            (certs / f"{workload}-key.pem").read_bytes(),
            (certs / f"{workload}.pem").read_bytes(),
        )
        self.channel = grpc.secure_channel(settings.service("customer").address, credentials)
        self.directory = dsvc_grpc.CustomerDirectoryServiceStub(self.channel)
        self.onboarding = osvc_grpc.CustomerOnboardingServiceStub(self.channel)
        self.behavior = bsvc_grpc.CustomerBehaviorModelsServiceStub(self.channel)

    def call(self, method, request, claims: str | None = TELLER):
        metadata = (("x-jwt-payload", claims),) if claims else ()
        return method(request, metadata=metadata, timeout=15)


@pytest.fixture
def api(settings: Settings, _mesh_components) -> Api:
    return Api(settings)


def new_customer(family: str | None = None, **overrides) -> c.Customer:
    family = family or f"Muster{uuid.uuid4().hex[:8]}"
    number = "C" + "".join("CFGHJKLMNPRTVWXYZ0123456789"[b % 27] for b in uuid.uuid4().bytes[:8])
    customer = c.Customer(
        given_names="Erika Maria",
        family_name=family,
        date_of_birth=date_pb2.Date(year=1985, month=8, day=12),
        place_of_birth="Köln",
        country_of_birth="DE",
        nationality="DE",
        residential_address=c.PostalAddress(
            address_lines=["Heidestraße 17"], locality="Köln", postal_code="51147", country_code="DE"
        ),
        identity_document=c.IdentityDocument(
            document_type=c.IDENTITY_DOCUMENT_TYPE_PASSPORT,
            document_number=number,
            issuing_country="DE",
            issue_date=date_pb2.Date(year=2020, month=1, day=10),
            expiry_date=date_pb2.Date(year=2030, month=1, day=9),
        ),
        email=f"{family.lower()}@example.com",
        phone_number="+4915112345689",
        branch_id=BRANCH,
        onboarding_channel=c.ONBOARDING_CHANNEL_BRANCH,
    )
    for name, value in overrides.items():
        if isinstance(value, str):
            setattr(customer, name, value)
        else:
            getattr(customer, name).CopyFrom(value)
    return customer


def register(api: Api, customer: c.Customer, claims: str = TELLER) -> c.Customer:
    request = dsvc.RegisterCustomerRequest(customer=customer, request_id=str(uuid.uuid4()))
    return api.call(api.directory.RegisterCustomer, request, claims).customer


def error_details(error: grpc.RpcError) -> tuple[error_details_pb2.ErrorInfo, list]:
    info, violations = error_details_pb2.ErrorInfo(), []
    for detail in rpc_status.from_call(error).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations = list(bad.field_violations)
    return info, violations


def query(settings: Settings, sql: str, **params) -> list:
    async def run():
        engine = create_async_engine(settings.postgres.url("customer"))
        try:
            async with engine.connect() as connection:
                return (await connection.execute(text(sql), params)).all()
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_register_returns_a_pending_customer_and_a_duplicate_fails_with_details(api: Api):
    customer = new_customer()
    registered = register(api, customer)
    assert registered.state == c.CUSTOMER_STATE_PENDING
    assert registered.family_name == customer.family_name and registered.pii_view == c.PII_VIEW_FULL
    assert registered.customer_number.startswith("C") and registered.etag

    twin = c.Customer()
    twin.CopyFrom(customer)
    twin.given_names, twin.family_name = "ERIKA  MARÍA", customer.family_name.upper()  # same name, normalised
    twin.identity_document.document_number = "C01X00T47"
    with pytest.raises(grpc.RpcError) as caught:
        register(api, twin)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    info, _ = error_details(caught.value)
    assert info.reason == "DUPLICATE_RESOURCE"
    assert info.metadata["customer_id"] == registered.customer_id
    assert info.metadata["matched_on"] == "names_and_date_of_birth"


def test_invalid_identity_data_gives_one_violation_per_bad_field(api: Api):
    customer = new_customer()
    customer.identity_document.document_number = "123456789"  # a GB passport number, not a DE one
    customer.residential_address.postal_code = "ABC1"  # no DE postal code
    customer.date_of_birth.CopyFrom(date_pb2.Date(year=1985, month=2, day=30))  # no such day
    with pytest.raises(grpc.RpcError) as caught:
        register(api, customer)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    info, violations = error_details(caught.value)
    assert info.reason == "FIELD_VIOLATION"
    fields = [v.field for v in violations]
    assert sorted(fields) == [
        "customer.date_of_birth",
        "customer.identity_document.document_number",
        "customer.residential_address.postal_code",
    ]


def test_pii_columns_hold_no_clear_text(api: Api, settings: Settings):
    customer = new_customer()
    registered = register(api, customer)
    rows = query(settings, "SELECT t::text FROM customers t WHERE customer_id = :id", id=registered.customer_id)
    dump = rows[0][0]
    for clear in (
        customer.family_name,
        customer.email,
        "Erika",
        "Heidestraße",
        "51147",
        customer.identity_document.document_number,
        "+4915112345689",
    ):
        assert clear not in dump
    outbox = query(settings, "SELECT payload FROM outbox_events WHERE key = :id", id=registered.customer_id)
    assert outbox and all(customer.family_name.encode() not in payload for (payload,) in outbox)


def test_a_sanctioned_name_does_not_pass_kyc_and_an_officer_resolves_manual_review(api: Api, settings: Settings):
    # An entry of the risk service's (fictional) list, spelt without diacritics; the birth date varies per run.
    birth = date_pb2.Date(year=1960 + uuid.uuid4().int % 20, month=3, day=14)
    registered = register(api, new_customer(family="Dragulescu-Morozov", given_names="Viktor", date_of_birth=birth,
                                            nationality="MD"))  # fmt: skip
    request = osvc.InitiateKycCheckRequest(
        customer_id=registered.customer_id, trigger=k.KYC_CHECK_TRIGGER_ONBOARDING, request_id=str(uuid.uuid4())
    )
    check = api.call(api.onboarding.InitiateKycCheck, request).kyc_check
    assert check.state in (k.KYC_CHECK_STATE_REJECTED, k.KYC_CHECK_STATE_MANUAL_REVIEW)
    assert check.compliance_details_withheld  # a teller gets no screening details (anti tipping-off)
    verification = Api(settings, "payments").call(
        Api(settings, "payments").onboarding.RetrieveCustomerVerification,
        osvc.RetrieveCustomerVerificationRequest(customer_id=registered.customer_id),
        None,
    )
    assert verification.exists and not verification.payments_allowed

    # A high-risk nationality is referred to a compliance officer whatever the screening says.
    clean = register(api, new_customer(nationality="IR"))
    request = osvc.InitiateKycCheckRequest(
        customer_id=clean.customer_id, trigger=k.KYC_CHECK_TRIGGER_ONBOARDING, request_id=str(uuid.uuid4())
    )
    check = api.call(api.onboarding.InitiateKycCheck, request).kyc_check
    assert check.state == k.KYC_CHECK_STATE_MANUAL_REVIEW
    assert k.KYC_REASON_CODE_HIGH_RISK_JURISDICTION in [r.code for r in check.reasons]
    if check.state == k.KYC_CHECK_STATE_MANUAL_REVIEW:
        officer_view = api.call(api.onboarding.RetrieveKycCheck, osvc.RetrieveKycCheckRequest(
            customer_id=clean.customer_id, kyc_check_id=check.kyc_check_id), OFFICER).kyc_check  # fmt: skip
        assert not officer_view.compliance_details_withheld
        control = osvc.ControlKycCheckRequest(
            customer_id=clean.customer_id, kyc_check_id=check.kyc_check_id, decision=k.MANUAL_REVIEW_DECISION_APPROVE,
            note="Screened by hand against EU and UN lists: no match.", request_id=str(uuid.uuid4()),
        )  # fmt: skip
        with pytest.raises(grpc.RpcError) as caught:  # a teller cannot resolve
            api.call(api.onboarding.ControlKycCheck, control)
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        resolved = api.call(api.onboarding.ControlKycCheck, control, OFFICER).kyc_check
        assert resolved.state == k.KYC_CHECK_STATE_VERIFIED
    payments = Api(settings, "payments")
    verification = payments.call(
        payments.onboarding.RetrieveCustomerVerification,
        osvc.RetrieveCustomerVerificationRequest(customer_id=clean.customer_id),
        None,
    )
    assert verification.state == c.CUSTOMER_STATE_VERIFIED and verification.payments_allowed


def test_update_needs_the_current_etag(api: Api):
    registered = register(api, new_customer())
    update = dsvc.UpdateCustomerRequest(
        customer_id=registered.customer_id,
        customer=c.Customer(place_of_birth="Bonn", etag=registered.etag),
        update_mask=field_mask_pb2.FieldMask(paths=["place_of_birth"]),
    )
    updated = api.call(api.directory.UpdateCustomer, update).customer
    assert updated.place_of_birth == "Bonn" and updated.etag != registered.etag
    with pytest.raises(grpc.RpcError) as caught:
        api.call(api.directory.UpdateCustomer, update)  # the old etag again
    assert caught.value.code() == grpc.StatusCode.ABORTED
    assert error_details(caught.value)[0].reason == "CONCURRENT_MODIFICATION"


def test_a_customer_reads_only_their_own_record_and_others_see_masked_pii(api: Api, settings: Settings):
    mine, theirs = register(api, new_customer()), register(api, new_customer())
    me = _claims("user-mine", "customer", customer_id=mine.customer_id)
    own = api.call(
        api.directory.RetrieveCustomer, dsvc.RetrieveCustomerRequest(customer_id=mine.customer_id), me
    ).customer
    assert own.pii_view == c.PII_VIEW_FULL and own.family_name == mine.family_name
    with pytest.raises(grpc.RpcError) as caught:
        api.call(api.directory.RetrieveCustomer, dsvc.RetrieveCustomerRequest(customer_id=theirs.customer_id), me)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_details(caught.value)[0].reason == "ACCESS_DENIED"

    other_teller = _claims("teller-2", "teller", branch_id=OTHER_BRANCH)
    with pytest.raises(grpc.RpcError) as caught:
        api.call(
            api.directory.RetrieveCustomer, dsvc.RetrieveCustomerRequest(customer_id=mine.customer_id), other_teller
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED

    # The cli identity (grpcurl operators) never sees clear PII, and claims it sends are not trusted.
    cli = Api(settings, "cli")
    masked = cli.call(
        cli.directory.RetrieveCustomer, dsvc.RetrieveCustomerRequest(customer_id=mine.customer_id), me
    ).customer
    assert masked.pii_view == c.PII_VIEW_MASKED
    assert masked.family_name == mine.family_name[0] + "*" * (len(mine.family_name) - 1)
    assert masked.date_of_birth.month == 0 and masked.phone_number == "+49*********89"
    assert masked.email.endswith("@example.com") and masked.identity_document.document_number.endswith(
        mine.identity_document.document_number[-4:]
    )
    with pytest.raises(grpc.RpcError) as caught:
        cli.call(
            cli.directory.RegisterCustomer,
            dsvc.RegisterCustomerRequest(customer=new_customer(), request_id=str(uuid.uuid4())),
            TELLER,
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_list_pages_with_signed_tokens(api: Api):
    for _ in range(3):
        register(api, new_customer())
    first = api.call(api.directory.ListCustomers, dsvc.ListCustomersRequest(page_size=2))
    assert len(first.customers) == 2 and first.next_page_token
    second = api.call(
        api.directory.ListCustomers, dsvc.ListCustomersRequest(page_size=2, page_token=first.next_page_token)
    )
    assert {x.customer_id for x in first.customers}.isdisjoint(x.customer_id for x in second.customers)
    forged = first.next_page_token[:-3] + ("AAA" if not first.next_page_token.endswith("AAA") else "BBB")
    with pytest.raises(grpc.RpcError) as caught:
        api.call(api.directory.ListCustomers, dsvc.ListCustomersRequest(page_size=2, page_token=forged))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_details(caught.value)[0].reason == "INVALID_PAGE_TOKEN"


def test_erasure_shreds_the_key_so_stored_data_and_past_events_cannot_be_decrypted(api: Api, settings: Settings):
    registered = register(api, new_customer())
    keys = load_keys(settings)
    wrapper = crypto.KeyWrapper(keys)

    def ring() -> crypto.KeyRing:
        rows = query(settings, "SELECT version, kek_id, wrapped_key FROM customer_data_keys WHERE customer_id = :id",
                     id=registered.customer_id)  # fmt: skip
        wrapped = [
            crypto.WrappedKey(crypto.key_id(registered.customer_id, v), kek, bytes(blob)) for v, kek, blob in rows
        ]
        return crypto.KeyRing({w.key_id: wrapper.unwrap(w) for w in wrapped})

    registry = EventRegistry.discover()
    payloads = query(settings, "SELECT payload FROM outbox_events WHERE key = :id AND event_type = :t",
                     id=registered.customer_id, t="fintech.customer.v1.CustomerRegistered")  # fmt: skip
    event = registry.unwrap(EventEnvelope.FromString(bytes(payloads[0][0])))
    assert isinstance(event, cev.CustomerRegistered)
    sealed_name = event.personal_data.family_name
    assert ring().open(store.field_ad("family_name"), sealed_name).decode() == registered.family_name  # readable before
    stored = bytes(
        query(settings, "SELECT family_name FROM customers WHERE customer_id = :id", id=registered.customer_id)[0][0]
    )

    erase = dsvc.EraseCustomerRequest(customer_id=registered.customer_id, reason=c.ERASURE_REASON_CONSENT_WITHDRAWN,
                                      request_id=str(uuid.uuid4()))  # fmt: skip
    with pytest.raises(grpc.RpcError) as caught:  # a teller may not erase
        api.call(api.directory.EraseCustomer, erase)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    erased = api.call(api.directory.EraseCustomer, erase, ADMIN)
    assert erased.state == c.CUSTOMER_STATE_ERASED

    after = ring()
    for field, sealed in (("family_name", sealed_name), ("family_name", SealedValue.FromString(stored))):
        with pytest.raises(crypto.KeyUnavailable):
            after.open(store.field_ad(field), sealed)
    row = query(settings, "SELECT family_name, email, document_index, state FROM customers WHERE customer_id = :id",
                id=registered.customer_id)[0]  # fmt: skip
    assert row[:3] == (None, None, None) and row[3] == c.CUSTOMER_STATE_ERASED
    with pytest.raises(grpc.RpcError) as caught:
        api.call(
            api.directory.RetrieveCustomer, dsvc.RetrieveCustomerRequest(customer_id=registered.customer_id), ADMIN
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    erased_events = query(settings, "SELECT 1 FROM outbox_events WHERE key = :id AND event_type = :t",
                          id=registered.customer_id, t="fintech.customer.v1.CustomerErased")  # fmt: skip
    assert erased_events


def test_behaviour_insights_come_from_payment_events(api: Api, settings: Settings):
    registered = register(api, new_customer())
    keys = load_keys(settings)
    wrapper = crypto.KeyWrapper(keys)
    rows = query(
        settings,
        "SELECT version, kek_id, wrapped_key FROM customer_data_keys WHERE customer_id = :id",
        id=registered.customer_id,
    )
    ring = crypto.KeyRing({
        w.key_id: wrapper.unwrap(w)
        for w in (crypto.WrappedKey(crypto.key_id(registered.customer_id, v), kek, bytes(b)) for v, kek, b in rows)
    })  # fmt: skip
    registry = EventRegistry.discover()
    source = settings.spiffe_id("payments")
    now = datetime.now(UTC)
    amounts = [1250, 4990, 2300, 89900, 1800]
    envelopes = []
    for index, amount in enumerate(amounts):
        payment_id = str(uuid.uuid4())
        initiated = pev.PaymentInitiated(
            payment_id=payment_id, idempotency_key=f"key-{payment_id}", customer_id=registered.customer_id,
            initiated_by=registered.customer_id, debtor_account_id=str(uuid.uuid4()),
            amount=Money(amount_minor=amount, currency_code="EUR"), end_to_end_id="NOTPROVIDED",
            channel=payment_pb2.PAYMENT_CHANNEL_MOBILE_APP,
        )  # fmt: skip
        text_value = "Miete Mai" if index == 3 else "REWE Markt sagt danke"
        initiated.remittance_information.CopyFrom(
            ring.seal("fintech.payments.v1.PaymentInitiated.remittance_information", text_value.encode())
        )
        account = payment_pb2.ExternalAccount(iban="DE89370400440532013000", bic="COBADEFFXXX", holder_name="REWE")
        initiated.creditor_external_account.CopyFrom(
            ring.seal("fintech.payments.v1.PaymentInitiated.creditor_external_account", account.SerializeToString())
        )
        initiated.create_time.FromDatetime(now - timedelta(hours=index + 1))
        executed = pev.PaymentExecuted(payment_id=payment_id, ledger_posting_id=str(uuid.uuid4()))
        executed.execute_time.FromDatetime(now - timedelta(hours=index + 1))
        envelopes.append(registry.wrap(initiated, subject=payment_id, sequence=1, source=source))
        envelopes.append(registry.wrap(executed, subject=payment_id, sequence=2, source=source))

    async def publish():
        producer = kafka.make_producer("test-payments", settings=settings)
        await producer.start()
        try:
            for envelope in envelopes:
                await producer.send_and_wait("fintech.payments.events.v1", envelope.SerializeToString(),
                                             key=envelope.subject.encode())  # fmt: skip
        finally:
            await producer.stop()

    asyncio.run(publish())
    request = bsvc.RetrieveBehaviorInsightsRequest(
        customer_id=registered.customer_id, window=bsvc.BEHAVIOR_WINDOW_LAST_7_DAYS
    )
    deadline = time.monotonic() + 30
    while True:
        result = api.call(api.behavior.RetrieveBehaviorInsights, request).behavior_insights
        if result.payment_count == len(amounts) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert result.payment_count == len(amounts)
    stats = result.amount_statistics[0]
    assert (
        stats.currency_code == "EUR"
        and stats.median_amount.amount_minor == 2300
        and stats.max_amount.amount_minor == 89900
    )
    categories = {x.category: x.payment_count for x in result.category_spending}
    assert categories == {bsvc.SPENDING_CATEGORY_GROCERIES: 4, bsvc.SPENDING_CATEGORY_HOUSING: 1}
    assert len(result.hour_of_day_activity) == 24 and sum(h.payment_count for h in result.hour_of_day_activity) == 5
    assert result.usual_counterparties[0].masked_account_identifier == "DE** **** **** **** **30 00"
    assert result.usual_counterparties[0].payment_count == 5 and result.time_zone == "Europe/Berlin"
