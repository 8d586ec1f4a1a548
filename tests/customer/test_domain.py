"""The customer domain's pure rules: KYC formats, normalisation, masking, access, paging, insights, crypto, claims."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from fintech.customer.v1 import customer_behavior_models_service_pb2 as b
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import kyc_check_pb2 as k
from fintech.risk.v1 import sanctions_screening_pb2 as s
from google.type import date_pb2

from services.customer.adapters import crypto
from services.customer.config import CustomerKeys
from services.customer.domain import access, insights, kyc, masking
from services.customer.domain.access import Action, Principal
from services.customer.domain.normalise import document_index, name_birth_index, normalise_name
from services.runtime.access import InvalidClaims, Kind, decode_claims

TODAY = date(2026, 11, 25)
P, ID, DL, RP = kyc.PASSPORT, kyc.NATIONAL_ID, kyc.DRIVING_LICENCE, kyc.RESIDENCE_PERMIT


def doc(kind: int, country: str, number: str, **dates) -> c.IdentityDocument:
    return c.IdentityDocument(document_type=kind, issuing_country=country, document_number=number, **dates)


@pytest.mark.parametrize(
    ("kind", "country", "number", "valid"),
    [
        (P, "DE", "C01X00T47", True),
        (P, "DE", "L01X00T47", False),  # an L starts an identity card number
        (ID, "DE", "L01X00T47", True),
        (ID, "DE", "LO1X00T47", False),  # no O in German document numbers
        (P, "FR", "12AB34567", True),
        (ID, "FR", "880692310285", True),
        (P, "GB", "123456789", True),
        (DL, "GB", "MORGA657054SM9IJ", True),
        (DL, "GB", "MORGA613054SM9IJ", False),  # month 13
        (P, "US", "A12345678", True),
        (ID, "ES", "12345678Z", True),
        (ID, "ES", "12345678A", False),  # wrong DNI control letter
        (RP, "ES", "X1234567L", True),
        (P, "IT", "YA1234567", True),
        (ID, "IT", "CA12345AB", True),
        (P, "NL", "XR1001R58", True),
        (P, "NL", "XO1001R58", False),
        (P, "DE", "c01x-00t47", True),  # case, hyphens and fillers are normalised
    ],
)
def test_document_number_formats(kind: int, country: str, number: str, valid: bool):
    assert kyc.document_number_valid(doc(kind, country, number)) is valid


def test_documents_of_unknown_countries_go_to_manual_review_and_unaccepted_types_are_rejected():
    assert kyc.document_number_valid(doc(P, "BR", "FZ123456")) is None
    reasons = kyc.check_document(doc(P, "BR", "FZ123456"), None, TODAY)
    assert [r.code for r in reasons] == [k.KYC_REASON_CODE_DOCUMENT_COUNTRY_UNSUPPORTED]
    reasons = kyc.check_document(doc(DL, "DE", "B072RRE2I55"), None, TODAY)
    assert [r.code for r in reasons] == [k.KYC_REASON_CODE_DOCUMENT_TYPE_NOT_ACCEPTED]


def test_expired_and_inconsistent_documents_are_rejected():
    expired = doc(P, "DE", "C01X00T47", issue_date=date_pb2.Date(year=2010, month=1, day=1),
                  expiry_date=date_pb2.Date(year=2020, month=1, day=1))  # fmt: skip
    assert [r.code for r in kyc.check_document(expired, date(1980, 1, 1), TODAY)] == [
        k.KYC_REASON_CODE_DOCUMENT_EXPIRED
    ]
    before_birth = doc(P, "DE", "C01X00T47", issue_date=date_pb2.Date(year=1979, month=1, day=1))
    codes = [r.code for r in kyc.check_document(before_birth, date(1980, 1, 1), TODAY)]
    assert codes == [k.KYC_REASON_CODE_DOCUMENT_DATES_INCONSISTENT]


@pytest.mark.parametrize(
    ("birth", "code"),
    [
        (date_pb2.Date(year=2008, month=11, day=26), k.KYC_REASON_CODE_UNDER_MINIMUM_AGE),  # 18 tomorrow
        (date_pb2.Date(year=2008, month=11, day=25), None),  # 18 today
        (date_pb2.Date(year=1900, month=1, day=1), k.KYC_REASON_CODE_DATE_OF_BIRTH_INVALID),
        (date_pb2.Date(year=2030, month=1, day=1), k.KYC_REASON_CODE_DATE_OF_BIRTH_INVALID),
        (date_pb2.Date(year=1990, month=0, day=0), k.KYC_REASON_CODE_DATE_OF_BIRTH_INVALID),
    ],
)
def test_age_limits(birth: date_pb2.Date, code: int | None):
    assert [r.code for r in kyc.check_birth(birth, "DE", TODAY)] == ([code] if code else [])


@pytest.mark.parametrize(
    ("address", "codes"),
    [
        (c.PostalAddress(address_lines=["Heide 17"], locality="Köln", postal_code="51147", country_code="DE"), []),
        (c.PostalAddress(address_lines=["Heidestraße"], locality="Köln", postal_code="51147", country_code="DE"),
         [k.KYC_REASON_CODE_ADDRESS_INCOMPLETE]),  # no house number
        (c.PostalAddress(address_lines=["1 Main St"], locality="Springfield", postal_code="62701", country_code="US"),
         [k.KYC_REASON_CODE_ADDRESS_INCOMPLETE]),  # no state
        (c.PostalAddress(address_lines=["10 Downing St"], locality="Ldn", postal_code="SW1A 2AA", country_code="GB"),
         []),
        (c.PostalAddress(address_lines=["Postfach 1234"], locality="Köln", postal_code="50667", country_code="DE"),
         [k.KYC_REASON_CODE_ADDRESS_UNVERIFIABLE]),
        (c.PostalAddress(address_lines=["Calle Mayor 5"], locality="Madrid", postal_code="60001", country_code="ES"),
         [k.KYC_REASON_CODE_ADDRESS_INCOMPLETE]),  # no Spanish province 60
    ],
)  # fmt: skip
def test_address_completeness_per_country(address: c.PostalAddress, codes: list[int]):
    assert [r.code for r in kyc.check_address(address)] == codes


def test_identity_violations_name_each_bad_field_once():
    customer = c.Customer(
        date_of_birth=date_pb2.Date(year=1990, month=2, day=30),
        nationality="DE",
        additional_nationalities=["DE"],
        identity_document=doc(P, "DE", "123456789"),
        residential_address=c.PostalAddress(
            address_lines=["Main 1"], locality="X", postal_code="1234", country_code="DE"
        ),
    )
    fields = [v.field for v in kyc.identity_violations(customer, TODAY)]
    assert fields == [
        "customer.date_of_birth",
        "customer.identity_document.document_number",
        "customer.residential_address.postal_code",
        "customer.additional_nationalities",
    ]
    assert kyc.identity_violations(customer, TODAY, paths=["nationality"]) == []


def test_check_state_is_the_worst_reason_and_unreachable_screening_never_passes():
    reasons, outcome = kyc.screening_reasons(None)
    assert outcome == k.KYC_STEP_OUTCOME_ERROR
    assert kyc.check_state(reasons) == k.KYC_CHECK_STATE_MANUAL_REVIEW
    confirmed, _ = kyc.screening_reasons(s.SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH)
    assert kyc.check_state([*reasons, *confirmed]) == k.KYC_CHECK_STATE_REJECTED
    assert kyc.check_state(kyc.screening_reasons(s.SANCTIONS_MATCH_STATUS_CLEAR)[0]) == k.KYC_CHECK_STATE_VERIFIED
    potential, _ = kyc.screening_reasons(s.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH)
    assert kyc.check_state(potential) == k.KYC_CHECK_STATE_MANUAL_REVIEW


def test_normalisation_for_duplicate_detection():
    assert normalise_name("  Zoë   O'Brien-Łukasz ") == "zoe o brien lukasz"
    assert normalise_name("STRAUSS") == normalise_name("Strauß")
    key = b"k" * 32
    assert document_index(key, P, "DE", "c01x 00t47") == document_index(key, P, "DE", "C01X00T47")
    assert document_index(key, P, "DE", "C01X00T47") != document_index(key, ID, "DE", "C01X00T47")
    assert name_birth_index(key, "José", "Núñez", 1980, 1, 2) == name_birth_index(key, "JOSE", "nunez", 1980, 1, 2)
    assert name_birth_index(key, "José", "Núñez", 1980, 1, 2) != name_birth_index(
        b"x" * 32, "José", "Núñez", 1980, 1, 2
    )


def test_masking_follows_the_contract():
    customer = c.Customer(
        given_names="Anna Maria", family_name="Schmidt", email="anna.schmidt@example.com",
        phone_number="+4915112345689",
        date_of_birth=date_pb2.Date(year=1985, month=8, day=12), nationality="DE",
        residential_address=c.PostalAddress(address_lines=["Heidestraße 17"], locality="Köln", postal_code="51147",
                                            country_code="DE"),
        identity_document=doc(P, "DE", "C01X00T47"),
    )  # fmt: skip
    masking.mask_customer(customer)
    assert customer.given_names == "A*** *****" and customer.family_name == "S******"
    assert customer.email == "a***********@example.com"
    assert customer.phone_number == "+49*********89"
    assert (customer.date_of_birth.year, customer.date_of_birth.month, customer.date_of_birth.day) == (1985, 0, 0)
    assert customer.residential_address.locality == "Köln" and "*" in customer.residential_address.postal_code
    assert customer.identity_document.document_number == "*****0T47" and customer.nationality == "DE"
    assert customer.pii_view == c.PII_VIEW_MASKED
    assert masking.mask_phone("+12025550123") == "+1********23"
    assert masking.mask_iban("DE89370400440532013000") == "DE** **** **** **** **30 00"


def test_access_rules():
    me = Principal("u1", frozenset({access.CUSTOMER}), customer_id="c1")
    teller = Principal("t1", frozenset({access.TELLER}), branch_id="b1")
    officer = Principal("o1", frozenset({access.RISK_OFFICER}))
    admin = Principal("a1", frozenset({access.ADMIN}))
    cli = Principal("cli", kind=Kind.OPERATOR)
    assert access.decide(me, Action.READ, customer_id="c1", branch_id="b9").allowed
    assert not access.decide(me, Action.READ, customer_id="c2", branch_id="b9").allowed
    assert not access.decide(me, Action.LIST).allowed
    assert access.decide(teller, Action.UPDATE, customer_id="c1", branch_id="b1").allowed
    assert not access.decide(teller, Action.READ, customer_id="c1", branch_id="b2").allowed
    assert not access.decide(teller, Action.ERASE, customer_id="c1", branch_id="b1").allowed
    assert access.decide(admin, Action.ERASE, customer_id="c1").allowed
    assert access.decide(officer, Action.RESOLVE_KYC).allowed and not access.decide(admin, Action.RESOLVE_KYC).allowed
    assert access.decide(cli, Action.READ, customer_id="c1").allowed
    assert not access.decide(cli, Action.UPDATE, customer_id="c1").allowed
    assert access.pii_view(me, "c1", c.PII_VIEW_UNSPECIFIED) == c.PII_VIEW_FULL
    assert access.pii_view(me, "c1", c.PII_VIEW_MASKED) == c.PII_VIEW_MASKED
    assert access.pii_view(cli, "c1", c.PII_VIEW_FULL) == c.PII_VIEW_MASKED
    assert access.pii_view(admin, "c1", c.PII_VIEW_FULL) == c.PII_VIEW_MASKED
    assert access.sees_compliance_details(officer) and not access.sees_compliance_details(teller)


def test_insights_quantiles_categories_hours_and_counterparties():
    assert insights.quantile([1, 2, 3, 4], 0.5) == 3  # 2.5 rounds half up
    assert insights.quantile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9) == 91
    assert insights.categorise("REWE Markt 123", on_us=False) == b.SPENDING_CATEGORY_GROCERIES
    assert insights.categorise("Miete Dezember", on_us=False) == b.SPENDING_CATEGORY_HOUSING
    assert insights.categorise("Thanks for dinner", on_us=True) == b.SPENDING_CATEGORY_PERSON_TO_PERSON
    assert insights.categorise("", on_us=False) == b.SPENDING_CATEGORY_OTHER
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    facts = [
        insights.PaymentFact(
            1000, "EUR", b.SPENDING_CATEGORY_GROCERIES, "k1", "", "DE** 30 00", now - timedelta(hours=2)
        ),
        insights.PaymentFact(
            3000, "EUR", b.SPENDING_CATEGORY_GROCERIES, "k1", "", "DE** 30 00", now - timedelta(days=1)
        ),
        insights.PaymentFact(5000, "USD", b.SPENDING_CATEGORY_TRAVEL, "k2", "", "US** 12 34", now - timedelta(days=2)),
        insights.PaymentFact(9999, "EUR", b.SPENDING_CATEGORY_OTHER, "k3", "", "", now - timedelta(days=40)),  # outside
    ]
    result = insights.build("c1", facts, window=b.BEHAVIOR_WINDOW_LAST_30_DAYS, now=now, time_zone="Europe/Berlin",
                            max_counterparties=1)  # fmt: skip
    assert result.payment_count == 3 and not result.sufficient_history
    assert [(a.currency_code, a.median_amount.amount_minor) for a in result.amount_statistics] == [
        ("EUR", 2000),
        ("USD", 5000),
    ]
    assert result.category_spending[0].category == b.SPENDING_CATEGORY_GROCERIES
    hours = {h.hour: h.payment_count for h in result.hour_of_day_activity if h.payment_count}
    assert hours == {11: 1, 13: 2}  # 10:00 and 12:00 UTC are 11:00 and 13:00 in Berlin
    assert len(result.usual_counterparties) == 1 and result.usual_counterparties[0].counterparty_key == "k1"
    key = b"z" * 32
    assert insights.counterparty_key(key, iban="de89 3704 0044 0532 0130 00") == insights.counterparty_key(
        key, iban="DE89370400440532013000"
    )


def test_payments_to_unknown_accounts_count_but_are_no_usual_counterparty():
    assert insights.counterparty_key(b"z" * 32) == ""
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    facts = [
        insights.PaymentFact(100 * n, "EUR", b.SPENDING_CATEGORY_OTHER, "", "", "", now - timedelta(hours=n))
        for n in range(1, 4)
    ]
    facts.append(insights.PaymentFact(700, "EUR", b.SPENDING_CATEGORY_OTHER, "k1", "", "", now - timedelta(hours=5)))
    result = insights.build("c1", facts, window=b.BEHAVIOR_WINDOW_LAST_7_DAYS, now=now, time_zone="UTC",
                            max_counterparties=10)  # fmt: skip
    assert result.payment_count == 4
    assert [(u.counterparty_key, u.payment_count) for u in result.usual_counterparties] == [("k1", 1)]


def _keys(active: str, **keks: bytes) -> CustomerKeys:
    return CustomerKeys(active, keks, b"p" * 32, b"s" * 32)


def test_envelope_encryption_binds_fields_and_survives_kek_rotation():
    old = crypto.KeyWrapper(_keys("kek-1", **{"kek-1": b"1" * 32}))
    data_key, wrapped = old.new_data_key("cust", 1)
    ring = crypto.KeyRing({data_key.key_id: data_key})
    sealed = ring.seal("fintech.customer.v1.SealedPersonalData.family_name", b"Schmidt")
    assert sealed.key_id == "customers/cust/keys/1" and len(sealed.nonce) == 12
    with pytest.raises(crypto.CorruptValue):  # moved to another field
        ring.open("fintech.customer.v1.SealedPersonalData.given_names", sealed)

    rotated = crypto.KeyWrapper(_keys("kek-2", **{"kek-1": b"1" * 32, "kek-2": b"2" * 32}))
    rewrapped = rotated.rewrap(wrapped)
    assert rewrapped.kek_id == "kek-2" and rewrapped.blob != wrapped.blob
    only_new = crypto.KeyWrapper(_keys("kek-2", **{"kek-2": b"2" * 32}))
    reopened = crypto.KeyRing({data_key.key_id: only_new.unwrap(rewrapped)})
    assert reopened.open("fintech.customer.v1.SealedPersonalData.family_name", sealed) == b"Schmidt"
    with pytest.raises(crypto.KeyUnavailable):
        only_new.unwrap(wrapped)  # the retired KEK is gone
    with pytest.raises(crypto.KeyUnavailable):
        crypto.KeyRing({}).open("fintech.customer.v1.SealedPersonalData.family_name", sealed)  # shredded


def test_edge_claims():
    payload = base64.urlsafe_b64encode(
        json.dumps({"sub": "u1", "roles": ["customer", "root"], "customer_id": "c1"}).encode()
    )
    user = decode_claims(payload.decode().rstrip("="))
    assert user.subject == "u1" and user.roles == frozenset({"customer"}) and user.customer_id == "c1"
    keycloak = base64.urlsafe_b64encode(
        json.dumps({"sub": "t", "realm_access": {"roles": ["teller"]}}).encode()
    ).decode()
    assert decode_claims(keycloak).roles == frozenset({"teller"})
    with pytest.raises(InvalidClaims):
        decode_claims(base64.urlsafe_b64encode(b'{"roles": []}').decode())
    with pytest.raises(InvalidClaims):
        decode_claims("%%%")


def test_local_kek_rotation_keeps_old_keks_until_dropped(tmp_path, monkeypatch, settings):
    from services.customer import config

    monkeypatch.setenv("FINTECH_CUSTOMER__KEY_FILE", str(tmp_path / "customer.json"))
    first = config.load_keys(settings)
    second = config.add_local_kek(settings)
    keys = config.load_keys(settings)
    assert keys.active_kek_id == second != first.active_kek_id
    assert keys.keks[first.active_kek_id] == first.keks[first.active_kek_id]  # the old KEK still unwraps
    assert (keys.page_token_key, keys.pseudonym_key) == (first.page_token_key, first.pseudonym_key)
    with pytest.raises(ValueError, match="active"):
        config.drop_local_kek(settings, second)
    config.drop_local_kek(settings, first.active_kek_id)
    assert set(config.load_keys(settings).keks) == {second}
    assert config.add_local_kek(settings) not in (first.active_kek_id, second)
    assert (tmp_path / "customer.json").stat().st_mode & 0o777 == 0o600

    monkeypatch.setenv("FINTECH_CUSTOMER__KEK", base64.b64encode(b"k" * 32).decode())
    with pytest.raises(config.KeysFromEnvironment):
        config.add_local_kek(settings)
