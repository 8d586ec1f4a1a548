# Over 400 lines: the document and address format tables are data, and the rules read best next to them.
"""KYC rules: identity document formats per type and country, date of birth and age, address
completeness per country, jurisdiction risk, and the outcome of a check from its reasons.

Two uses of the same rules:
- `identity_violations`: malformed identity data (a number that cannot be a document of that type
  and country, an impossible date, a postal code of the wrong shape) is refused at the API edge with
  INVALID_ARGUMENT, one field violation per bad field;
- `evaluate`: the automatic steps of a KYC check produce `KycReason`s (expired document, under age,
  document type not accepted, post-office box, high-risk jurisdiction, ...), whose worst decides the
  check's state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import kyc_check_pb2 as k
from fintech.risk.v1 import sanctions_screening_pb2 as s
from google.type import date_pb2

from services.customer.domain.normalise import normalise_document_number
from services.runtime.validation import Violation

MINIMUM_AGE = {"default": 18}
MAXIMUM_AGE = 120
PASSPORT = c.IDENTITY_DOCUMENT_TYPE_PASSPORT
NATIONAL_ID = c.IDENTITY_DOCUMENT_TYPE_NATIONAL_ID_CARD
DRIVING_LICENCE = c.IDENTITY_DOCUMENT_TYPE_DRIVING_LICENCE
RESIDENCE_PERMIT = c.IDENTITY_DOCUMENT_TYPE_RESIDENCE_PERMIT

# FATF "call for action" and "increased monitoring" jurisdictions the bank treats as high risk.
HIGH_RISK_JURISDICTIONS = frozenset({"KP", "IR", "MM", "SY", "YE", "AF", "SS", "HT", "VE"})

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
# German documents use digits and consonants without B, D, Q, S (confusable), first letter by kind.
_DE_CHARS = "CFGHJKLMNPRTVWXYZ0-9"


def _es_dni(number: str) -> bool:
    match = re.fullmatch(r"([0-9]{8})([A-Z])", number)
    return match is not None and _DNI_LETTERS[int(match[1]) % 23] == match[2]


def _es_nie(number: str) -> bool:
    match = re.fullmatch(r"([XYZ])([0-9]{7})([A-Z])", number)
    if not match:
        return False
    digits = "XYZ".index(match[1]) * 10_000_000 + int(match[2])
    return _DNI_LETTERS[digits % 23] == match[3]


def _gb_driving_licence(number: str) -> bool:
    """DVLA licence number: 5 surname characters, then decade, month (+50 for women), day and year digits,
    two initials, a digit and two check characters."""
    match = re.fullmatch(r"[A-Z9]{5}([0-9])([0-9]{2})([0-9]{2})([0-9])[A-Z9]{2}[0-9][A-Z0-9]{2}", number)
    if not match:
        return False
    month = int(match[2]) % 50
    return 1 <= month <= 12 and 1 <= int(match[3]) <= 31


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex)
    return lambda number: compiled.fullmatch(number) is not None


# (document type, issuing country) -> number format. Countries with rules but without an entry for a
# type do not issue (or the bank does not accept) that type as proof of identity.
DOCUMENT_FORMATS: dict[tuple[int, str], Callable[[str], bool]] = {
    (PASSPORT, "DE"): _pattern(f"[CFGHJK][{_DE_CHARS}]{{8}}"),
    (NATIONAL_ID, "DE"): _pattern(f"[LMNPRTVWXY][{_DE_CHARS}]{{8}}"),
    (RESIDENCE_PERMIT, "DE"): _pattern(f"[AEY][{_DE_CHARS}]{{8}}"),
    (PASSPORT, "FR"): _pattern(r"[0-9]{2}[A-Z]{2}[0-9]{5}"),
    (NATIONAL_ID, "FR"): _pattern(r"[0-9]{12}|[A-Z0-9]{9}"),  # 1994 card: 12 digits; 2021 card: 9 characters
    (PASSPORT, "GB"): _pattern(r"[0-9]{9}"),
    (DRIVING_LICENCE, "GB"): _gb_driving_licence,
    (RESIDENCE_PERMIT, "GB"): _pattern(r"[A-Z]{2}[A-Z0-9][0-9]{6}"),  # biometric residence permit
    (PASSPORT, "US"): _pattern(r"[0-9]{9}|[A-Z][0-9]{8}"),  # book, then next-generation
    (DRIVING_LICENCE, "US"): _pattern(r"[A-Z0-9]{4,13}"),  # state formats vary within these bounds
    (PASSPORT, "ES"): _pattern(r"[A-Z]{2,3}[0-9]{6}"),
    (NATIONAL_ID, "ES"): _es_dni,
    (RESIDENCE_PERMIT, "ES"): _es_nie,
    (PASSPORT, "IT"): _pattern(r"[A-Z]{2}[0-9]{7}"),
    (NATIONAL_ID, "IT"): _pattern(r"C[A-Z][0-9]{5}[A-Z]{2}|[A-Z]{2}[0-9]{7}"),  # CIE, paper card
    (PASSPORT, "NL"): _pattern(r"[A-NP-Z]{2}[A-NP-Z0-9]{6}[0-9]"),
    (NATIONAL_ID, "NL"): _pattern(r"[A-NP-Z]{2}[A-NP-Z0-9]{6}[0-9]"),
}
SUPPORTED_DOCUMENT_COUNTRIES = frozenset(country for _, country in DOCUMENT_FORMATS)


@dataclass(frozen=True)
class AddressRule:
    postal_code: str | None  # regex; None: the country has no postal codes
    needs_house_number: bool = True
    needs_administrative_area: bool = False


ADDRESS_RULES: dict[str, AddressRule] = {
    "DE": AddressRule(r"[0-9]{5}"),
    "FR": AddressRule(r"[0-9]{5}"),
    "IT": AddressRule(r"[0-9]{5}"),
    "ES": AddressRule(r"(0[1-9]|[1-4][0-9]|5[0-2])[0-9]{3}"),
    "NL": AddressRule(r"[1-9][0-9]{3} ?[A-Z]{2}"),
    "AT": AddressRule(r"[1-9][0-9]{3}"),
    "BE": AddressRule(r"[1-9][0-9]{3}"),
    "CH": AddressRule(r"[1-9][0-9]{3}"),
    "PL": AddressRule(r"[0-9]{2}-[0-9]{3}"),
    "GB": AddressRule(r"(GIR 0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})", needs_house_number=False),
    "US": AddressRule(r"[0-9]{5}(-[0-9]{4})?", needs_administrative_area=True),
    "IE": AddressRule(None, needs_house_number=False),  # Eircodes are optional
}
_PO_BOX = re.compile(
    r"\b(p\.?\s*o\.?\s*box|post\s*office\s*box|postfach|bo[iî]te\s+postale|apartado\s+de\s+correos|casella\s+postale|"
    r"postbus)\b|\bc/o\b|\bcare\s+of\b",
    re.IGNORECASE,
)


def to_date(value: date_pb2.Date) -> date | None:
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        return None


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def document_number_valid(document: c.IdentityDocument) -> bool | None:
    """True/False by the format rules; None when the bank has no rule for the issuing country."""
    if document.issuing_country not in SUPPORTED_DOCUMENT_COUNTRIES:
        return None
    rule = DOCUMENT_FORMATS.get((document.document_type, document.issuing_country))
    if rule is None:
        return None
    return rule(normalise_document_number(document.document_number))


def document_type_accepted(document: c.IdentityDocument) -> bool:
    if document.issuing_country not in SUPPORTED_DOCUMENT_COUNTRIES:
        return True  # unknown country: a person inspects the document (manual review)
    return (document.document_type, document.issuing_country) in DOCUMENT_FORMATS


def _date_violation(value: date_pb2.Date, path: str, required: bool) -> Violation | None:
    if value.year == value.month == value.day == 0:
        return Violation(path, "must be set") if required else None
    if value.month == 0 or value.day == 0:
        return Violation(path, "must be a full date (year, month and day)")
    if to_date(value) is None:
        return Violation(path, "is not a calendar date")
    return None


def identity_violations(
    customer: c.Customer, today: date, prefix: str = "customer.", paths: Iterable[str] | None = None
) -> list[Violation]:
    """Malformed identity data, one violation per bad field (only `paths` when given, for partial updates)."""
    wanted = set(paths) if paths is not None else None

    def checks(name: str) -> bool:
        return wanted is None or name in wanted

    violations: list[Violation] = []
    if checks("date_of_birth"):
        problem = _date_violation(customer.date_of_birth, f"{prefix}date_of_birth", required=True)
        if problem is None:
            birth = to_date(customer.date_of_birth)
            assert birth is not None  # _date_violation found it a calendar date
            if birth > today:
                problem = Violation(f"{prefix}date_of_birth", "must not be in the future")
            elif age_on(birth, today) > MAXIMUM_AGE:
                problem = Violation(f"{prefix}date_of_birth", f"gives an age over {MAXIMUM_AGE} years")
        if problem:
            violations.append(problem)
    if checks("identity_document") and customer.HasField("identity_document"):
        document = customer.identity_document
        path = f"{prefix}identity_document"
        if document.document_number and document_number_valid(document) is False:
            violations.append(
                Violation(f"{path}.document_number", f"does not match the format of a {_doc_name(document)}")
            )
        issue = _date_violation(document.issue_date, f"{path}.issue_date", required=False)
        expiry = _date_violation(document.expiry_date, f"{path}.expiry_date", required=False)
        violations += [v for v in (issue, expiry) if v]
        issued, expires = to_date(document.issue_date), to_date(document.expiry_date)
        if not issue and not expiry and issued and expires and issued >= expires:
            violations.append(Violation(f"{path}.expiry_date", "must be after the issue date"))
    if checks("residential_address") and customer.HasField("residential_address"):
        violations += address_violations(customer.residential_address, f"{prefix}residential_address")
    if checks("additional_nationalities") and customer.nationality in customer.additional_nationalities:
        violations.append(Violation(f"{prefix}additional_nationalities", "must not repeat nationality"))
    return violations


def address_violations(address: c.PostalAddress, path: str) -> list[Violation]:
    rule = ADDRESS_RULES.get(address.country_code)
    if rule is None:
        return []
    violations = []
    postal = address.postal_code.strip().upper()
    if rule.postal_code and not postal:
        violations.append(Violation(f"{path}.postal_code", f"is required for addresses in {address.country_code}"))
    elif rule.postal_code and not re.fullmatch(rule.postal_code, postal):
        violations.append(Violation(f"{path}.postal_code", f"is not a postal code of {address.country_code}"))
    if rule.needs_administrative_area and not address.administrative_area.strip():
        violations.append(
            Violation(f"{path}.administrative_area", f"is required for addresses in {address.country_code}")
        )
    return violations


def _doc_name(document: c.IdentityDocument) -> str:
    kind = c.IdentityDocumentType.Name(document.document_type).removeprefix("IDENTITY_DOCUMENT_TYPE_").lower()
    return f"{kind.replace('_', ' ')} of {document.issuing_country}"


# --- the automatic steps of a KYC check --------------------------------------------------------------

REJECTING = frozenset({
    k.KYC_REASON_CODE_DOCUMENT_NUMBER_INVALID, k.KYC_REASON_CODE_DOCUMENT_EXPIRED,
    k.KYC_REASON_CODE_DOCUMENT_TYPE_NOT_ACCEPTED, k.KYC_REASON_CODE_DOCUMENT_DATES_INCONSISTENT,
    k.KYC_REASON_CODE_DATE_OF_BIRTH_INVALID, k.KYC_REASON_CODE_UNDER_MINIMUM_AGE,
    k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, k.KYC_REASON_CODE_SANCTIONS_CONFIRMED_MATCH,
    k.KYC_REASON_CODE_REJECTED_BY_REVIEWER,
})  # fmt: skip
REFERRING = frozenset({
    k.KYC_REASON_CODE_DOCUMENT_COUNTRY_UNSUPPORTED, k.KYC_REASON_CODE_ADDRESS_UNVERIFIABLE,
    k.KYC_REASON_CODE_HIGH_RISK_JURISDICTION, k.KYC_REASON_CODE_SANCTIONS_POTENTIAL_MATCH,
    k.KYC_REASON_CODE_PEP_MATCH, k.KYC_REASON_CODE_SCREENING_UNAVAILABLE,
})  # fmt: skip


def reason(code: k.KycReasonCode, step: k.KycStep, field: str, message: str) -> k.KycReason:
    return k.KycReason(code=code, step=step, field=field, message=message)


def check_document(document: c.IdentityDocument, birth: date | None, today: date) -> list[k.KycReason]:
    step, path = k.KYC_STEP_IDENTITY_DOCUMENT, "identity_document"
    reasons = []
    valid = document_number_valid(document)
    if not document_type_accepted(document):
        reasons.append(reason(k.KYC_REASON_CODE_DOCUMENT_TYPE_NOT_ACCEPTED, step, f"{path}.document_type",
                              f"A {_doc_name(document)} is not accepted as proof of identity."))  # fmt: skip
    elif valid is None:
        reasons.append(
            reason(
                k.KYC_REASON_CODE_DOCUMENT_COUNTRY_UNSUPPORTED,
                step,
                f"{path}.issuing_country",
                f"No format rules for documents of {document.issuing_country}; inspect the document.",
            )
        )
    elif not valid:
        reasons.append(reason(k.KYC_REASON_CODE_DOCUMENT_NUMBER_INVALID, step, f"{path}.document_number",
                              f"Document number does not match the format of a {_doc_name(document)}."))  # fmt: skip
    issue, expiry = to_date(document.issue_date), to_date(document.expiry_date)
    if expiry is not None and expiry < today:
        reasons.append(reason(k.KYC_REASON_CODE_DOCUMENT_EXPIRED, step, f"{path}.expiry_date",
                              "The identity document has expired."))  # fmt: skip
    inconsistent = (issue is not None and (issue > today or (expiry is not None and issue >= expiry)
                                           or (birth is not None and issue < birth)))  # fmt: skip
    if inconsistent:
        reasons.append(
            reason(
                k.KYC_REASON_CODE_DOCUMENT_DATES_INCONSISTENT,
                step,
                f"{path}.issue_date",
                "The issue date is in the future, after the expiry or before the birth date.",
            )
        )
    return reasons


def check_birth(value: date_pb2.Date, residence_country: str, today: date) -> list[k.KycReason]:
    step, path = k.KYC_STEP_DATE_OF_BIRTH, "date_of_birth"
    birth = to_date(value)
    if birth is None or birth > today or age_on(birth, today) > MAXIMUM_AGE:
        return [reason(k.KYC_REASON_CODE_DATE_OF_BIRTH_INVALID, step, path,
                       "The date of birth is incomplete, in the future or gives an implausible age.")]  # fmt: skip
    minimum = MINIMUM_AGE.get(residence_country, MINIMUM_AGE["default"])
    if age_on(birth, today) < minimum:
        return [reason(k.KYC_REASON_CODE_UNDER_MINIMUM_AGE, step, path,
                       f"Younger than the minimum age of {minimum} in {residence_country}.")]  # fmt: skip
    return []


def check_address(address: c.PostalAddress) -> list[k.KycReason]:
    step, path = k.KYC_STEP_ADDRESS, "residential_address"
    reasons = [
        reason(
            k.KYC_REASON_CODE_ADDRESS_INCOMPLETE,
            step,
            v.field,
            f"The address {v.field.removeprefix(f'{path}.').replace('_', ' ')} {v.description}.",
        )  # fmt: skip
        for v in address_violations(address, path)
    ]
    lines = [line for line in address.address_lines if line.strip()]
    if not lines or not address.locality.strip():
        reasons.append(reason(k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, step, f"{path}.address_lines",
                              "The address needs a street line and a locality."))  # fmt: skip
    rule = ADDRESS_RULES.get(address.country_code)
    if lines and rule and rule.needs_house_number and not any(re.search(r"[0-9]", line) for line in lines):
        reasons.append(reason(k.KYC_REASON_CODE_ADDRESS_INCOMPLETE, step, f"{path}.address_lines",
                              f"Addresses in {address.country_code} need a house number."))  # fmt: skip
    if any(_PO_BOX.search(line) for line in lines):
        reasons.append(reason(k.KYC_REASON_CODE_ADDRESS_UNVERIFIABLE, step, f"{path}.address_lines",
                              "A post-office box or care-of address is not a residential address."))  # fmt: skip
    return reasons


def check_jurisdiction(customer: c.Customer) -> list[k.KycReason]:
    countries = [("nationality", customer.nationality)]
    countries += [(f"additional_nationalities[{i}]", n) for i, n in enumerate(customer.additional_nationalities)]
    countries.append(("residential_address.country_code", customer.residential_address.country_code))
    return [
        reason(
            k.KYC_REASON_CODE_HIGH_RISK_JURISDICTION,
            k.KYC_STEP_JURISDICTION,
            field,
            "A high-risk jurisdiction: enhanced due diligence applies.",
        )  # fmt: skip
        for field, country in countries
        if country in HIGH_RISK_JURISDICTIONS
    ]


@dataclass
class StepsOutcome:
    reasons: list[k.KycReason]
    outcomes: list[tuple[k.KycStep, k.KycStepOutcome]]  # (step, outcome) in the order they ran


def evaluate(customer: c.Customer, today: date) -> StepsOutcome:
    """The automatic steps before screening."""
    birth = to_date(customer.date_of_birth)
    steps = [
        (k.KYC_STEP_IDENTITY_DOCUMENT, check_document(customer.identity_document, birth, today)),
        (
            k.KYC_STEP_DATE_OF_BIRTH,
            check_birth(customer.date_of_birth, customer.residential_address.country_code, today),
        ),
        (k.KYC_STEP_ADDRESS, check_address(customer.residential_address)),
        (k.KYC_STEP_JURISDICTION, check_jurisdiction(customer)),
    ]
    outcome = StepsOutcome([], [])
    for step, reasons in steps:
        outcome.reasons += reasons
        outcome.outcomes.append((step, step_outcome(reasons)))
    return outcome


def step_outcome(reasons: list[k.KycReason]) -> k.KycStepOutcome:
    codes = {r.code for r in reasons}
    if codes & REJECTING:
        return k.KYC_STEP_OUTCOME_FAILED
    if codes & REFERRING:
        return k.KYC_STEP_OUTCOME_REFERRED
    return k.KYC_STEP_OUTCOME_PASSED


def screening_reasons(match_status: int | None, pep: bool = False) -> tuple[list[k.KycReason], k.KycStepOutcome]:
    """Reasons and step outcome from the compliance service's screening (None: it could not be reached).

    A PEP hit is not a sanction: it refers the check for enhanced due diligence (PEP_MATCH is in
    REFERRING), on top of whatever the sanctions match says; the step outcome is the worst reason's.
    """
    step = k.KYC_STEP_SCREENING
    if match_status is None or match_status == s.SANCTIONS_MATCH_STATUS_UNSPECIFIED:
        message = "The compliance service could not screen the customer; complete the screening by hand."
        return [reason(k.KYC_REASON_CODE_SCREENING_UNAVAILABLE, step, "", message)], k.KYC_STEP_OUTCOME_ERROR
    reasons = []
    if match_status == s.SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH:
        message = "The customer matches a sanctions list entry."
        reasons.append(reason(k.KYC_REASON_CODE_SANCTIONS_CONFIRMED_MATCH, step, "", message))
    elif match_status == s.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH:
        message = "The customer's name is similar to a sanctions list entry; a compliance officer must decide."
        reasons.append(reason(k.KYC_REASON_CODE_SANCTIONS_POTENTIAL_MATCH, step, "", message))
    if pep:
        message = "The customer is, or may be, a politically exposed person; enhanced due diligence applies."
        reasons.append(reason(k.KYC_REASON_CODE_PEP_MATCH, step, "", message))
    return reasons, step_outcome(reasons)


def check_state(reasons: Iterable[k.KycReason]) -> k.KycCheckState:
    """The worst of the reasons: rejected before manual review before verified."""
    codes = {r.code for r in reasons}
    if codes & REJECTING:
        return k.KYC_CHECK_STATE_REJECTED
    if codes & REFERRING:
        return k.KYC_CHECK_STATE_MANUAL_REVIEW
    return k.KYC_CHECK_STATE_VERIFIED


def worst_first(reasons: Iterable[k.KycReason]) -> list[k.KycReason]:
    def rank(r: k.KycReason) -> int:
        return 0 if r.code in REJECTING else 1 if r.code in REFERRING else 2

    return sorted(reasons, key=rank)


CUSTOMER_STATE_OF_CHECK = {
    k.KYC_CHECK_STATE_VERIFIED: c.CUSTOMER_STATE_VERIFIED,
    k.KYC_CHECK_STATE_REJECTED: c.CUSTOMER_STATE_REJECTED,
    k.KYC_CHECK_STATE_MANUAL_REVIEW: c.CUSTOMER_STATE_MANUAL_REVIEW,
}
