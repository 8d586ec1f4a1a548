"""Masking of personal data in responses, as `fintech.customer.v1.Customer` describes it."""

from __future__ import annotations

from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import customer_profile_pb2 as p

# E.164 country calling codes of one and two digits; every other code has three.
_TWO_DIGIT_CODES = frozenset(
    [
        "20",
        "27",
        "30",
        "31",
        "32",
        "33",
        "34",
        "36",
        "39",
        "40",
        "41",
        "43",
        "44",
        "45",
        "46",
        "47",
        "48",
        "49",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "60",
        "61",
        "62",
        "63",
        "64",
        "65",
        "66",
        "81",
        "82",
        "84",
        "86",
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
        "98",
    ]
)


def mask_text(value: str, keep_first: int = 1) -> str:
    """`Johanna` -> `J******`; spaces are kept so the shape of several names stays visible."""
    if not value:
        return value
    return value[:keep_first] + "".join(" " if ch == " " else "*" for ch in value[keep_first:])


def mask_all(value: str) -> str:
    return "".join(" " if ch == " " else "*" for ch in value)


def mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    return mask_text(local) + at + domain if at else mask_text(value)


def calling_code(phone: str) -> str:
    digits = phone.removeprefix("+")
    if digits[:1] in {"1", "7"}:
        return digits[:1]
    return digits[:2] if digits[:2] in _TWO_DIGIT_CODES else digits[:3]


def mask_phone(value: str) -> str:
    """`+4915112345689` -> `+49*********89`: the country calling code and the last two digits stay."""
    if len(value) < 5:
        return mask_all(value)
    code = calling_code(value)
    hidden = len(value) - 1 - len(code) - 2
    return f"+{code}{'*' * max(hidden, 0)}{value[-2:]}"


def mask_address(address: c.PostalAddress) -> c.PostalAddress:
    return c.PostalAddress(
        address_lines=[mask_all(line) for line in address.address_lines],
        locality=address.locality,
        administrative_area=address.administrative_area,
        postal_code=mask_all(address.postal_code),
        country_code=address.country_code,
    )


def mask_document_number(number: str) -> str:
    return "*" * max(len(number) - 4, 0) + number[-4:]


def mask_customer(customer: c.Customer) -> None:
    """Mask the PII fields of `customer` in place and mark it `PII_VIEW_MASKED`."""
    for name in ("given_names", "family_name", "birth_family_name", "place_of_birth"):
        setattr(customer, name, mask_text(getattr(customer, name)))
    if customer.HasField("date_of_birth"):
        customer.date_of_birth.month = 0
        customer.date_of_birth.day = 0
    if customer.HasField("residential_address"):
        customer.residential_address.CopyFrom(mask_address(customer.residential_address))
    if customer.HasField("identity_document"):
        document = customer.identity_document
        document.document_number = mask_document_number(document.document_number)
    customer.email = mask_email(customer.email)
    customer.phone_number = mask_phone(customer.phone_number)
    customer.pii_view = c.PII_VIEW_MASKED


def mask_profile(profile: p.CustomerProfile) -> None:
    profile.email = mask_email(profile.email)
    profile.phone_number = mask_phone(profile.phone_number)
    if profile.HasField("postal_address"):
        profile.postal_address.CopyFrom(mask_address(profile.postal_address))
    profile.pii_view = c.PII_VIEW_MASKED


def mask_iban(iban: str) -> str:
    """`DE89370400440532013000` -> `DE** **** **** **** **30 00`: the country and the last four characters."""
    compact = iban.replace(" ", "").upper()
    if len(compact) <= 6:
        return compact[:2] + "*" * max(len(compact) - 2, 0)
    masked = compact[:2] + "*" * (len(compact) - 6) + compact[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))
