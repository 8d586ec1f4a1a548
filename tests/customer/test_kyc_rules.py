"""KYC rules (services/customer/domain/kyc.py): document formats, dates and ages, addresses, jurisdictions,
screening, and the state of a check, with the exact field paths and descriptions callers receive."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import kyc_check_pb2 as k
from fintech.risk.v1 import sanctions_screening_pb2 as s
from google.type import date_pb2
from hypothesis import given
from hypothesis import strategies as st

from services.customer.domain import kyc
from services.runtime.validation import Violation

TODAY = date(2026, 11, 25)
P, ID, DL, RP = kyc.PASSPORT, kyc.NATIONAL_ID, kyc.DRIVING_LICENCE, kyc.RESIDENCE_PERMIT
DOC, BIRTH, ADDRESS, JURISDICTION, SCREENING = (
    k.KYC_STEP_IDENTITY_DOCUMENT, k.KYC_STEP_DATE_OF_BIRTH, k.KYC_STEP_ADDRESS, k.KYC_STEP_JURISDICTION,
    k.KYC_STEP_SCREENING,
)  # fmt: skip
PASSED, FAILED, REFERRED, ERROR = (
    k.KYC_STEP_OUTCOME_PASSED, k.KYC_STEP_OUTCOME_FAILED, k.KYC_STEP_OUTCOME_REFERRED, k.KYC_STEP_OUTCOME_ERROR,
)  # fmt: skip


def pb(day: date) -> date_pb2.Date:
    return date_pb2.Date(year=day.year, month=day.month, day=day.day)


def ymd(year: int, month: int, day: int) -> date_pb2.Date:
    return date_pb2.Date(year=year, month=month, day=day)


def doc(kind: int, country: str, number: str, **dates) -> c.IdentityDocument:
    return c.IdentityDocument(document_type=kind, issuing_country=country, document_number=number, **dates)


def R(code: int, step: int, field: str, message: str) -> k.KycReason:  # noqa: N802
    return k.KycReason(code=code, step=step, field=field, message=message)


def address(lines=("Heidestraße 17",), locality="Köln", postal="51147", country="DE", area="") -> c.PostalAddress:
    return c.PostalAddress(address_lines=list(lines), locality=locality, postal_code=postal, country_code=country,
                           administrative_area=area)  # fmt: skip


def customer(**overrides) -> c.Customer:
    """A customer every rule accepts, with `overrides`."""
    fields = {
        "date_of_birth": ymd(1985, 8, 12),
        "nationality": "DE",
        "identity_document": doc(P, "DE", "C01X00T47", issue_date=ymd(2020, 1, 1), expiry_date=ymd(2030, 1, 1)),
        "residential_address": address(),
    }
    fields.update(overrides)
    return c.Customer(**fields)


# --- document numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "country", "number", "valid"),
    [
        (P, "DE", "C01X00T47", True),
        (P, "DE", "K01X00T4Z", True),
        (P, "DE", "C01X00T4", False),  # 8 characters
        (P, "DE", "C01X00T477", False),  # 10 characters
        (P, "DE", "A01X00T47", False),  # an A starts a residence permit
        (ID, "DE", "T22000129", True),
        (ID, "DE", "T2200012B", False),  # no B in German document numbers
        (RP, "DE", "Y01X00T47", True),
        (RP, "DE", "C01X00T47", False),
        (P, "FR", "12AB34567", True),
        (P, "FR", "1AB234567", False),
        (ID, "FR", "880692310285", True),  # 1994 card
        (ID, "FR", "X4RTBPFW4", True),  # 2021 card
        (ID, "FR", "88069231028", False),
        (P, "GB", "123456789", True),
        (P, "GB", "12345678", False),
        (RP, "GB", "ZU1234567", True),
        (RP, "GB", "Z11234567", False),
        (P, "US", "123456789", True),
        (P, "US", "A12345678", True),
        (P, "US", "AB1234567", False),
        (DL, "US", "D123", True),
        (DL, "US", "D12", False),
        (DL, "US", "D123456789012", True),
        (DL, "US", "D1234567890123", False),
        (P, "ES", "AB123456", True),
        (P, "ES", "ABC123456", True),
        (P, "ES", "A1234567", False),
        (P, "IT", "YA1234567", True),
        (P, "IT", "YA123456", False),
        (ID, "IT", "CA12345AB", True),  # CIE
        (ID, "IT", "AB1234567", True),  # paper card
        (ID, "IT", "DA12345AB", False),
        (P, "NL", "XR1001R58", True),
        (P, "NL", "XR1001R5X", False),
        (ID, "NL", "IX1001R58", True),
        (ID, "NL", "OX1001R58", False),  # no O in Dutch document numbers
        (P, "DE", " c01x-00t47<", True),  # case, spaces, hyphens and fillers are normalised
    ],
)
def test_document_number_formats(kind: int, country: str, number: str, valid: bool):
    assert kyc.document_number_valid(doc(kind, country, number)) is valid


def test_a_document_pattern_matches_the_whole_number():
    # The format table is built from these at import; called here so that a broken matcher shows.
    three_digits = kyc._pattern(r"[0-9]{3}")
    assert [three_digits(number) for number in ("123", "12", "1234", "x123", "123x")] == [True, *[False] * 4]


@pytest.mark.parametrize(
    ("kind", "number", "valid"),
    [
        (ID, "12345678Z", True),  # DNI: control letter of the number mod 23
        (ID, "00000000T", True),
        (ID, "99999999R", True),
        (ID, "00000023T", True),
        (ID, "12345678A", False),
        (ID, "00000000R", False),
        (ID, "1234567Z", False),
        (ID, "X1234567L", False),  # a NIE is not a DNI
        (RP, "X1234567L", True),  # NIE: X, Y, Z stand for 0, 1, 2 before the seven digits
        (RP, "Y1234567X", True),
        (RP, "Z1234567R", True),
        (RP, "X1234567X", False),
        (RP, "Y1234567L", False),
        (RP, "Z1234567L", False),
        (RP, "W1234567L", False),
        (RP, "X12345678", False),
        (RP, "12345678Z", False),  # a DNI is not a NIE
    ],
)
def test_spanish_control_letters(kind: int, number: str, valid: bool):
    assert kyc.document_number_valid(doc(kind, "ES", number)) is valid


@pytest.mark.parametrize(
    ("month", "day", "valid"),
    [
        ("01", "01", True),
        ("12", "31", True),
        ("51", "15", True),  # January, a woman (+50)
        ("62", "15", True),  # December, a woman
        ("00", "15", False),
        ("13", "15", False),
        ("50", "15", False),
        ("63", "15", False),
        ("06", "00", False),
        ("06", "32", False),
    ],
)
def test_gb_driving_licence_dates(month: str, day: str, valid: bool):
    assert kyc.document_number_valid(doc(DL, "GB", f"MORGA6{month}{day}4SM9IJ")) is valid


def test_gb_driving_licence_shape():
    assert kyc.document_number_valid(doc(DL, "GB", "MORGA657054SM9IJ")) is True
    assert kyc.document_number_valid(doc(DL, "GB", "MORG657054SM9IJ")) is False
    assert kyc.document_number_valid(doc(DL, "GB", "MORGA657054SM9I")) is False


@pytest.mark.parametrize(
    ("kind", "country", "valid", "accepted"),
    [
        (P, "BR", None, True),  # no rules for the country: a person inspects the document
        (DL, "BR", None, True),
        (DL, "DE", None, False),  # Germany has rules, but a driving licence is no proof of identity there
        (ID, "GB", None, False),
        (RP, "US", None, False),
        (P, "DE", False, True),
        (c.IDENTITY_DOCUMENT_TYPE_UNSPECIFIED, "DE", None, False),
    ],
)
def test_countries_and_types_without_rules(kind: int, country: str, valid: bool | None, accepted: bool):
    document = doc(kind, country, "FZ-12")
    assert kyc.document_number_valid(document) is valid
    assert kyc.document_type_accepted(document) is accepted


# --- dates and ages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ymd(2024, 2, 29), date(2024, 2, 29)),
        (ymd(2025, 2, 29), None),
        (ymd(2025, 13, 1), None),
        (ymd(0, 0, 0), None),
        (ymd(1990, 0, 0), None),
    ],
)
def test_to_date(value: date_pb2.Date, expected: date | None):
    assert kyc.to_date(value) == expected


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(2008, 11, 25), date(2026, 11, 25), 18),  # the birthday
        (date(2008, 11, 26), date(2026, 11, 25), 17),  # the day before
        (date(2008, 12, 1), date(2026, 11, 30), 17),  # a later month, an earlier day
        (date(2008, 10, 31), date(2026, 11, 1), 18),  # an earlier month, a later day
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2026, 11, 25), date(2026, 11, 25), 0),
    ],
)
def test_age_on(birth: date, today: date, age: int):
    assert kyc.age_on(birth, today) == age


@given(birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)), years=st.integers(0, 150))
def test_age_is_whole_years_since_the_birth_date(birth: date, years: int):
    try:
        birthday = birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year: the birthday is on 1 March
        birthday = date(birth.year + years, 3, 1)
    assert kyc.age_on(birth, birthday) == years
    assert kyc.age_on(birth, birthday - timedelta(days=1)) == years - 1


def test_check_birth_boundaries():
    invalid = [R(k.KYC_REASON_CODE_DATE_OF_BIRTH_INVALID, BIRTH, "date_of_birth",
                 "The date of birth is incomplete, in the future or gives an implausible age.")]  # fmt: skip
    under = [R(k.KYC_REASON_CODE_UNDER_MINIMUM_AGE, BIRTH, "date_of_birth",
               "Younger than the minimum age of 18 in DE.")]  # fmt: skip
    assert kyc.check_birth(ymd(2008, 11, 25), "DE", TODAY) == []  # 18 today
    assert kyc.check_birth(ymd(2008, 11, 26), "DE", TODAY) == under  # 18 tomorrow
    assert kyc.check_birth(ymd(1906, 11, 25), "DE", TODAY) == []  # 120 today
    assert kyc.check_birth(ymd(1905, 11, 26), "DE", TODAY) == []  # 121 tomorrow
    assert kyc.check_birth(ymd(1905, 11, 25), "DE", TODAY) == invalid  # 121 today
    assert kyc.check_birth(pb(TODAY), "DE", TODAY) == under  # born today
    assert kyc.check_birth(pb(TODAY + timedelta(days=1)), "DE", TODAY) == invalid
    assert kyc.check_birth(ymd(1990, 0, 0), "DE", TODAY) == invalid
    assert kyc.check_birth(ymd(1990, 2, 30), "DE", TODAY) == invalid
    assert kyc.check_birth(ymd(2010, 1, 1), "FR", TODAY)[0].message == "Younger than the minimum age of 18 in FR."
    assert kyc.check_birth(ymd(2010, 1, 1), "", TODAY)[0].message == "Younger than the minimum age of 18 in ."


def test_a_country_of_residence_with_its_own_minimum_age(monkeypatch):
    monkeypatch.setitem(kyc.MINIMUM_AGE, "XA", 21)
    assert [r.message for r in kyc.check_birth(ymd(2005, 11, 26), "XA", TODAY)] == [
        "Younger than the minimum age of 21 in XA."
    ]
    assert kyc.check_birth(ymd(2005, 11, 25), "XA", TODAY) == []
    assert kyc.check_birth(ymd(2005, 11, 26), "DE", TODAY) == []  # 20 is enough elsewhere


# --- the identity document step --------------------------------------------------------------------------

EXPIRED = R(k.KYC_REASON_CODE_DOCUMENT_EXPIRED, DOC, "identity_document.expiry_date",
            "The identity document has expired.")  # fmt: skip
INCONSISTENT = R(k.KYC_REASON_CODE_DOCUMENT_DATES_INCONSISTENT, DOC, "identity_document.issue_date",
                 "The issue date is in the future, after the expiry or before the birth date.")  # fmt: skip
NUMBER_INVALID = R(k.KYC_REASON_CODE_DOCUMENT_NUMBER_INVALID, DOC, "identity_document.document_number",
                   "Document number does not match the format of a passport of DE.")  # fmt: skip


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (doc(P, "DE", "C01X00T47"), []),
        (doc(P, "DE", "123456789"), [NUMBER_INVALID]),
        (doc(P, "DE", ""), [NUMBER_INVALID]),
        (doc(ID, "GB", "ABC"),
         [R(k.KYC_REASON_CODE_DOCUMENT_TYPE_NOT_ACCEPTED, DOC, "identity_document.document_type",
            "A national id card of GB is not accepted as proof of identity.")]),
        (doc(DL, "DE", "B072RRE2I55"),
         [R(k.KYC_REASON_CODE_DOCUMENT_TYPE_NOT_ACCEPTED, DOC, "identity_document.document_type",
            "A driving licence of DE is not accepted as proof of identity.")]),
        (doc(RP, "BR", "FZ123456"),
         [R(k.KYC_REASON_CODE_DOCUMENT_COUNTRY_UNSUPPORTED, DOC, "identity_document.issuing_country",
            "No format rules for documents of BR; inspect the document.")]),
        (doc(DL, "GB", "MORGA613054SM9IJ"),
         [R(k.KYC_REASON_CODE_DOCUMENT_NUMBER_INVALID, DOC, "identity_document.document_number",
            "Document number does not match the format of a driving licence of GB.")]),
    ],
)  # fmt: skip
def test_document_type_country_and_number(document: c.IdentityDocument, expected: list[k.KycReason]):
    assert kyc.check_document(document, date(1980, 1, 1), TODAY) == expected


@pytest.mark.parametrize(
    ("issue", "expiry", "birth", "expected"),
    [
        (None, None, None, []),
        (TODAY - timedelta(days=1), TODAY + timedelta(days=1), date(1980, 1, 1), []),
        (None, TODAY, None, []),  # valid through the expiry date
        (None, TODAY - timedelta(days=1), None, [EXPIRED]),
        (TODAY, None, None, []),  # issued today
        (TODAY + timedelta(days=1), None, None, [INCONSISTENT]),  # issued tomorrow
        (TODAY, TODAY, None, [INCONSISTENT]),  # expires the day it is issued
        (TODAY - timedelta(days=1), TODAY, None, []),
        (date(2010, 1, 1), date(2020, 1, 1), date(1980, 1, 1), [EXPIRED]),
        (date(2020, 1, 1), date(2010, 1, 1), None, [EXPIRED, INCONSISTENT]),
        (date(1980, 1, 1), None, date(1980, 1, 1), []),  # issued on the day of birth
        (date(1979, 12, 31), None, date(1980, 1, 1), [INCONSISTENT]),
        (date(1979, 12, 31), None, None, []),  # no birth date to compare
    ],
)
def test_document_dates(issue: date | None, expiry: date | None, birth: date | None, expected):
    dates = {}
    if issue:
        dates["issue_date"] = pb(issue)
    if expiry:
        dates["expiry_date"] = pb(expiry)
    assert kyc.check_document(doc(P, "DE", "C01X00T47", **dates), birth, TODAY) == expected


def test_impossible_document_dates_are_ignored_by_the_check():
    document = doc(P, "DE", "C01X00T47", issue_date=ymd(2030, 2, 30), expiry_date=ymd(2020, 2, 30))
    assert kyc.check_document(document, None, TODAY) == []


# --- identity data at the API edge ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (ymd(1985, 8, 12), []),
        (ymd(0, 0, 0), [Violation("customer.date_of_birth", "must be set")]),
        (ymd(1985, 0, 0), [Violation("customer.date_of_birth", "must be a full date (year, month and day)")]),
        (ymd(1985, 8, 0), [Violation("customer.date_of_birth", "must be a full date (year, month and day)")]),
        (ymd(1985, 0, 12), [Violation("customer.date_of_birth", "must be a full date (year, month and day)")]),
        (ymd(0, 0, 12), [Violation("customer.date_of_birth", "must be a full date (year, month and day)")]),
        (ymd(0, 8, 12), [Violation("customer.date_of_birth", "is not a calendar date")]),
        (ymd(1985, 2, 29), [Violation("customer.date_of_birth", "is not a calendar date")]),
        (ymd(1985, 13, 1), [Violation("customer.date_of_birth", "is not a calendar date")]),
        (pb(TODAY), []),  # born today
        (pb(TODAY + timedelta(days=1)), [Violation("customer.date_of_birth", "must not be in the future")]),
        (ymd(1905, 11, 26), []),  # 120
        (ymd(1905, 11, 25), [Violation("customer.date_of_birth", "gives an age over 120 years")]),  # 121
    ],
)
def test_date_of_birth_violations(birth: date_pb2.Date, expected: list[Violation]):
    assert kyc.identity_violations(customer(date_of_birth=birth), TODAY) == expected


PREFIX = "customer."
DOC_PATH = f"{PREFIX}identity_document"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (doc(P, "DE", "C01X00T47"), []),
        (doc(P, "DE", ""), []),  # a missing number is the field rules' business, not a format error
        (doc(P, "DE", "123456789"),
         [Violation(f"{DOC_PATH}.document_number", "does not match the format of a passport of DE")]),
        (doc(RP, "ES", "X1234567X"),
         [Violation(f"{DOC_PATH}.document_number", "does not match the format of a residence permit of ES")]),
        (doc(P, "BR", "anything"), []),  # no rules for Brazil
        (doc(DL, "DE", "anything"), []),  # not accepted: the KYC check says so, the format is unknown
        (doc(P, "DE", "C01X00T47", issue_date=ymd(2020, 1, 1), expiry_date=ymd(2030, 1, 1)), []),
        (doc(P, "DE", "C01X00T47", issue_date=ymd(2020, 1, 1)), []),
        (doc(P, "DE", "C01X00T47", expiry_date=ymd(2030, 1, 1)), []),
        (doc(P, "DE", "C01X00T47", issue_date=ymd(2020, 1, 1), expiry_date=ymd(2020, 1, 2)), []),
        (doc(P, "DE", "C01X00T47", issue_date=ymd(2020, 1, 1), expiry_date=ymd(2020, 1, 1)),
         [Violation(f"{DOC_PATH}.expiry_date", "must be after the issue date")]),
        (doc(P, "DE", "C01X00T47", issue_date=ymd(2030, 1, 1), expiry_date=ymd(2020, 1, 1)),
         [Violation(f"{DOC_PATH}.expiry_date", "must be after the issue date")]),
        (doc(P, "DE", "C01X00T47", issue_date=ymd(2020, 1, 0), expiry_date=ymd(2030, 2, 30)),
         [Violation(f"{DOC_PATH}.issue_date", "must be a full date (year, month and day)"),
          Violation(f"{DOC_PATH}.expiry_date", "is not a calendar date")]),
        (doc(P, "DE", "C01X00T47", issue_date=ymd(2020, 2, 30), expiry_date=ymd(2010, 1, 1)),
         [Violation(f"{DOC_PATH}.issue_date", "is not a calendar date")]),
        (doc(P, "DE", "C01X00T47", issue_date=ymd(2030, 1, 1), expiry_date=ymd(2010, 0, 1)),
         [Violation(f"{DOC_PATH}.expiry_date", "must be a full date (year, month and day)")]),
        (doc(P, "DE", "1", issue_date=ymd(2020, 1, 1), expiry_date=ymd(2020, 1, 1)),
         [Violation(f"{DOC_PATH}.document_number", "does not match the format of a passport of DE"),
          Violation(f"{DOC_PATH}.expiry_date", "must be after the issue date")]),
    ],
)  # fmt: skip
def test_identity_document_violations(document: c.IdentityDocument, expected: list[Violation]):
    assert kyc.identity_violations(customer(identity_document=document), TODAY) == expected


def test_without_a_document_or_address_there_is_nothing_to_check():
    bare = c.Customer(date_of_birth=ymd(1985, 8, 12), nationality="DE")
    assert kyc.identity_violations(bare, TODAY) == []


@pytest.mark.parametrize(
    ("postal", "area", "country", "expected"),
    [
        ("51147", "", "DE", []),
        (" 51147 ", "", "DE", []),
        ("5114", "", "DE", [("postal_code", "is not a postal code of DE")]),
        ("", "", "DE", [("postal_code", "is required for addresses in DE")]),
        ("   ", "", "FR", [("postal_code", "is required for addresses in FR")]),
        ("52001", "", "ES", []),
        ("00123", "", "ES", [("postal_code", "is not a postal code of ES")]),
        ("1011 ab", "", "NL", []),  # upper-cased before the check
        ("1011AB", "", "NL", []),
        ("0123 AB", "", "NL", [("postal_code", "is not a postal code of NL")]),
        ("00-950", "", "PL", []),
        ("sw1a 2aa", "", "GB", []),
        ("GIR 0AA", "", "GB", []),
        ("SW1A", "", "GB", [("postal_code", "is not a postal code of GB")]),
        ("62701", "IL", "US", []),
        ("62701-1234", "IL", "US", []),
        ("62701", "", "US", [("administrative_area", "is required for addresses in US")]),
        ("62701", "  ", "US", [("administrative_area", "is required for addresses in US")]),
        ("", "", "US", [("postal_code", "is required for addresses in US"),
                        ("administrative_area", "is required for addresses in US")]),
        ("", "", "IE", []),  # Eircodes are optional
        ("anything", "", "IE", []),
        ("", "", "BR", []),  # no rules for Brazil
    ],
)  # fmt: skip
def test_address_violations(postal: str, area: str, country: str, expected: list[tuple[str, str]]):
    given_address = address(postal=postal, area=area, country=country)
    assert kyc.address_violations(given_address, "p") == [Violation(f"p.{name}", text) for name, text in expected]
    found = kyc.identity_violations(customer(residential_address=given_address), TODAY)
    assert found == [Violation(f"customer.residential_address.{name}", text) for name, text in expected]


def test_nationality_must_not_repeat():
    assert kyc.identity_violations(customer(additional_nationalities=["FR", "IT"]), TODAY) == []
    assert kyc.identity_violations(customer(additional_nationalities=["FR", "DE"]), TODAY) == [
        Violation("customer.additional_nationalities", "must not repeat nationality")
    ]


def _everything_wrong() -> c.Customer:
    return customer(
        date_of_birth=ymd(1990, 2, 30),
        additional_nationalities=["DE"],
        identity_document=doc(P, "DE", "123456789", issue_date=ymd(2020, 1, 1), expiry_date=ymd(2019, 1, 1)),
        residential_address=address(postal="1234"),
    )


def test_every_bad_field_once_in_order_and_with_the_prefix():
    fields = [v.field for v in kyc.identity_violations(_everything_wrong(), TODAY)]
    assert fields == [
        "customer.date_of_birth",
        "customer.identity_document.document_number",
        "customer.identity_document.expiry_date",
        "customer.residential_address.postal_code",
        "customer.additional_nationalities",
    ]
    fields = [v.field for v in kyc.identity_violations(_everything_wrong(), TODAY, prefix="")]
    assert fields == [
        "date_of_birth",
        "identity_document.document_number",
        "identity_document.expiry_date",
        "residential_address.postal_code",
        "additional_nationalities",
    ]


@pytest.mark.parametrize(
    ("paths", "fields"),
    [
        ([], []),
        (["nationality", "given_names"], []),
        (["date_of_birth"], [f"{PREFIX}date_of_birth"]),
        (["identity_document"], [f"{DOC_PATH}.document_number", f"{DOC_PATH}.expiry_date"]),
        (["residential_address"], ["customer.residential_address.postal_code"]),
        (["additional_nationalities"], ["customer.additional_nationalities"]),
        (
            ("additional_nationalities", "date_of_birth"),
            [f"{PREFIX}date_of_birth", f"{PREFIX}additional_nationalities"],
        ),
    ],
)
def test_a_partial_update_checks_only_its_paths(paths, fields: list[str]):
    found = kyc.identity_violations(_everything_wrong(), TODAY, paths=iter(paths))
    assert [v.field for v in found] == fields


# --- the address and jurisdiction steps ------------------------------------------------------------------

INCOMPLETE_LINES = R(k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, ADDRESS, "residential_address.address_lines",
                     "The address needs a street line and a locality.")  # fmt: skip
PO_BOX = R(k.KYC_REASON_CODE_ADDRESS_UNVERIFIABLE, ADDRESS, "residential_address.address_lines",
           "A post-office box or care-of address is not a residential address.")  # fmt: skip


def house_number(country: str) -> k.KycReason:
    return R(k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, ADDRESS, "residential_address.address_lines",
             f"Addresses in {country} need a house number.")  # fmt: skip


@pytest.mark.parametrize(
    ("given_address", "expected"),
    [
        (address(), []),
        (address(lines=["Heidestraße"]), [house_number("DE")]),
        (address(lines=["Heidestraße", "Hinterhaus 2"]), []),  # a number on any line
        (address(lines=["Downing Street"], postal="SW1A 2AA", country="GB"), []),  # British houses have names
        (address(lines=["Rua Augusta"], postal="", country="BR"), []),  # no rules for Brazil
        (address(lines=[]), [INCOMPLETE_LINES]),
        (address(lines=["  "]), [INCOMPLETE_LINES]),
        (address(locality=" "), [INCOMPLETE_LINES]),
        (address(postal="5114"),
         [R(k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, ADDRESS, "residential_address.postal_code",
            "The address postal code is not a postal code of DE.")]),
        (address(lines=["1 Main St"], locality="Springfield", postal="62701", country="US"),
         [R(k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, ADDRESS, "residential_address.administrative_area",
            "The address administrative area is required for addresses in US.")]),
        (address(lines=["Postfach 1234"]), [PO_BOX]),
        (address(lines=["Heidestraße 17", "c/o Müller"]), [PO_BOX]),
        (address(lines=["PO Box 12"], postal="62701", country="US", area="IL"), [PO_BOX]),
        (address(lines=["Postfach"]), [house_number("DE"), PO_BOX]),
        (address(lines=["Postbus 12"], postal="", country="NL"),
         [R(k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, ADDRESS, "residential_address.postal_code",
            "The address postal code is required for addresses in NL."), PO_BOX]),
        (address(lines=[], locality="", postal="", country="US"),
         [R(k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, ADDRESS, "residential_address.postal_code",
            "The address postal code is required for addresses in US."),
          R(k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, ADDRESS, "residential_address.administrative_area",
            "The address administrative area is required for addresses in US."),
          INCOMPLETE_LINES]),
    ],
)  # fmt: skip
def test_check_address(given_address: c.PostalAddress, expected: list[k.KycReason]):
    assert kyc.check_address(given_address) == expected


def high_risk(field: str) -> k.KycReason:
    return R(k.KYC_REASON_CODE_HIGH_RISK_JURISDICTION, JURISDICTION, field,
             "A high-risk jurisdiction: enhanced due diligence applies.")  # fmt: skip


@pytest.mark.parametrize(
    ("nationality", "others", "residence", "fields"),
    [
        ("DE", [], "DE", []),
        ("IR", [], "DE", ["nationality"]),
        ("DE", ["FR", "KP"], "DE", ["additional_nationalities[1]"]),
        ("DE", ["SY"], "DE", ["additional_nationalities[0]"]),
        ("DE", [], "VE", ["residential_address.country_code"]),
        ("AF", ["YE", "FR", "MM"], "SS", ["nationality", "additional_nationalities[0]",
                                          "additional_nationalities[2]", "residential_address.country_code"]),
    ],
)  # fmt: skip
def test_check_jurisdiction(nationality: str, others: list[str], residence: str, fields: list[str]):
    person = customer(nationality=nationality, additional_nationalities=others,
                      residential_address=address(country=residence))  # fmt: skip
    assert kyc.check_jurisdiction(person) == [high_risk(field) for field in fields]


# --- a whole check ---------------------------------------------------------------------------------------


def test_a_clean_customer_passes_every_step():
    outcome = kyc.evaluate(customer(), TODAY)
    assert outcome.reasons == []
    assert outcome.outcomes == [(DOC, PASSED), (BIRTH, PASSED), (ADDRESS, PASSED), (JURISDICTION, PASSED)]


def test_evaluate_runs_every_step_in_order():
    person = customer(
        date_of_birth=ymd(2010, 1, 1),
        nationality="IR",
        identity_document=doc(P, "DE", "C01X00T47", issue_date=ymd(2009, 1, 1)),  # before the birth
        residential_address=address(lines=["Postfach 12"], country="GB", postal="SW1A 2AA"),
    )
    outcome = kyc.evaluate(person, TODAY)
    assert outcome.reasons == [
        INCONSISTENT,
        R(k.KYC_REASON_CODE_UNDER_MINIMUM_AGE, BIRTH, "date_of_birth", "Younger than the minimum age of 18 in GB."),
        PO_BOX,
        high_risk("nationality"),
    ]
    assert outcome.outcomes == [(DOC, FAILED), (BIRTH, FAILED), (ADDRESS, REFERRED), (JURISDICTION, REFERRED)]


def test_evaluate_uses_the_birth_date_for_the_document():
    person = customer(identity_document=doc(P, "DE", "C01X00T47", issue_date=ymd(1985, 8, 11)))
    assert kyc.evaluate(person, TODAY).reasons == [INCONSISTENT]
    assert kyc.evaluate(person, date(2026, 1, 1)).outcomes[0] == (DOC, FAILED)


@pytest.mark.parametrize(
    ("codes", "outcome", "state"),
    [
        ([], PASSED, k.KYC_CHECK_STATE_VERIFIED),
        ([k.KYC_REASON_CODE_APPROVED_BY_REVIEWER], PASSED, k.KYC_CHECK_STATE_VERIFIED),
        ([k.KYC_REASON_CODE_PEP_MATCH], REFERRED, k.KYC_CHECK_STATE_MANUAL_REVIEW),
        ([k.KYC_REASON_CODE_SCREENING_UNAVAILABLE], REFERRED, k.KYC_CHECK_STATE_MANUAL_REVIEW),
        ([k.KYC_REASON_CODE_HIGH_RISK_JURISDICTION, k.KYC_REASON_CODE_APPROVED_BY_REVIEWER], REFERRED,
         k.KYC_CHECK_STATE_MANUAL_REVIEW),
        ([k.KYC_REASON_CODE_UNDER_MINIMUM_AGE], FAILED, k.KYC_CHECK_STATE_REJECTED),
        ([k.KYC_REASON_CODE_SANCTIONS_POTENTIAL_MATCH, k.KYC_REASON_CODE_REJECTED_BY_REVIEWER], FAILED,
         k.KYC_CHECK_STATE_REJECTED),
    ],
)  # fmt: skip
def test_the_worst_reason_decides(codes: list[int], outcome: int, state: int):
    reasons = [R(code, DOC, "", "") for code in codes]
    assert kyc.step_outcome(reasons) == outcome
    assert kyc.check_state(iter(reasons)) == state


@given(st.lists(st.sampled_from(list(k.KycReasonCode.values())), max_size=8))
def test_worst_first_orders_rejecting_then_referring_then_the_rest(codes: list[int]):
    reasons = [R(code, DOC, "", str(i)) for i, code in enumerate(codes)]
    ordered = kyc.worst_first(iter(reasons))

    def rank(r: k.KycReason) -> int:
        return 0 if r.code in kyc.REJECTING else 1 if r.code in kyc.REFERRING else 2

    assert ordered == [r for group in (0, 1, 2) for r in reasons if rank(r) == group]  # stable within a group


def test_worst_first_example():
    approved = R(k.KYC_REASON_CODE_APPROVED_BY_REVIEWER, DOC, "", "")
    pep = R(k.KYC_REASON_CODE_PEP_MATCH, DOC, "", "")
    expired = R(k.KYC_REASON_CODE_DOCUMENT_EXPIRED, DOC, "", "")
    assert kyc.worst_first([approved, pep, expired]) == [expired, pep, approved]


@pytest.mark.parametrize(
    ("status", "reasons", "outcome"),
    [
        (None,
         [R(k.KYC_REASON_CODE_SCREENING_UNAVAILABLE, SCREENING, "",
            "The compliance service could not screen the customer; complete the screening by hand.")],
         ERROR),
        (s.SANCTIONS_MATCH_STATUS_UNSPECIFIED,
         [R(k.KYC_REASON_CODE_SCREENING_UNAVAILABLE, SCREENING, "",
            "The compliance service could not screen the customer; complete the screening by hand.")],
         ERROR),
        (s.SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH,
         [R(k.KYC_REASON_CODE_SANCTIONS_CONFIRMED_MATCH, SCREENING, "",
            "The customer matches a sanctions list entry.")],
         FAILED),
        (s.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH,
         [R(k.KYC_REASON_CODE_SANCTIONS_POTENTIAL_MATCH, SCREENING, "",
            "The customer's name is similar to a sanctions list entry; a compliance officer must decide.")],
         REFERRED),
        (s.SANCTIONS_MATCH_STATUS_CLEAR, [], PASSED),
    ],
)  # fmt: skip
def test_screening_reasons(status: int | None, reasons: list[k.KycReason], outcome: int):
    assert kyc.screening_reasons(status) == (reasons, outcome)


def test_screening_outcome_agrees_with_the_check_state():
    for status in [None, *s.SanctionsMatchStatus.values()]:
        reasons, outcome = kyc.screening_reasons(status)
        state = kyc.check_state(reasons)
        expected = {
            PASSED: k.KYC_CHECK_STATE_VERIFIED,
            FAILED: k.KYC_CHECK_STATE_REJECTED,
            REFERRED: k.KYC_CHECK_STATE_MANUAL_REVIEW,
            ERROR: k.KYC_CHECK_STATE_MANUAL_REVIEW,
        }[outcome]
        assert state == expected, status


PEP_REASON = R(k.KYC_REASON_CODE_PEP_MATCH, SCREENING, "",
               "The customer is, or may be, a politically exposed person; enhanced due diligence applies.")  # fmt: skip


@pytest.mark.parametrize(
    ("status", "reasons", "outcome", "state"),
    [
        (s.SANCTIONS_MATCH_STATUS_CLEAR, [PEP_REASON], REFERRED, k.KYC_CHECK_STATE_MANUAL_REVIEW),
        (s.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH,
         [R(k.KYC_REASON_CODE_SANCTIONS_POTENTIAL_MATCH, SCREENING, "",
            "The customer's name is similar to a sanctions list entry; a compliance officer must decide."),
          PEP_REASON],
         REFERRED, k.KYC_CHECK_STATE_MANUAL_REVIEW),
        (s.SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH,
         [R(k.KYC_REASON_CODE_SANCTIONS_CONFIRMED_MATCH, SCREENING, "", "The customer matches a sanctions list entry."),
          PEP_REASON],
         FAILED, k.KYC_CHECK_STATE_REJECTED),
    ],
)  # fmt: skip
def test_a_pep_hit_refers_the_check(status: int, reasons: list[k.KycReason], outcome: int, state: int):
    # PEP_MATCH refers (enhanced due diligence) like the other REFERRING codes; a confirmed sanction still rejects.
    assert k.KYC_REASON_CODE_PEP_MATCH in kyc.REFERRING
    assert kyc.screening_reasons(status, pep=True) == (reasons, outcome)
    assert kyc.check_state(reasons) == state


def test_an_unreachable_screening_reports_no_pep_hit():
    reasons, outcome = kyc.screening_reasons(None, pep=True)
    assert [r.code for r in reasons] == [k.KYC_REASON_CODE_SCREENING_UNAVAILABLE]
    assert outcome == ERROR
