"""The customer record's rules outside KYC: customer numbers, etags, which fields an update may name."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from fintech.customer.v1 import customer_pb2 as c

from services.runtime.errors import Aborted, InvalidArgument
from services.runtime.validation import Violation

IDENTITY_PATHS = frozenset({
    "given_names", "family_name", "birth_family_name", "date_of_birth", "place_of_birth", "country_of_birth",
    "nationality", "additional_nationalities", "residential_address", "identity_document",
})  # fmt: skip
UPDATABLE_PATHS = IDENTITY_PATHS | {"branch_id"}
REQUIRED_PATHS = frozenset({"given_names", "family_name", "date_of_birth", "nationality", "residential_address",
                            "identity_document", "branch_id"})  # fmt: skip
MESSAGE_PATHS = frozenset({"date_of_birth", "residential_address", "identity_document"})
PROFILE_PATHS = frozenset({
    "email", "phone_number", "postal_address", "preferences", "preferences.language_code", "preferences.time_zone",
    "preferences.notification_channels", "preferences.marketing_consent",
})  # fmt: skip
CONTACT_PATHS = ("email", "phone_number", "postal_address")
ONLINE_CHANNELS = (c.ONBOARDING_CHANNEL_ONLINE, c.ONBOARDING_CHANNEL_MOBILE_APP)


def customer_number() -> str:
    """`C` and ten digits, the last a Luhn check digit (typing errors on the phone are caught)."""
    digits = [secrets.randbelow(10) for _ in range(9)]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if index % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return "C" + "".join(map(str, digits)) + str((10 - total % 10) % 10)


def etag(version: int) -> str:
    return f"v{version}"


def check_etag(given: str, version: int, what: str) -> None:
    """Optimistic concurrency (AIP-154): ABORTED when the caller's etag is not the current one."""
    if given and given != etag(version):
        raise Aborted(f"the {what} changed since it was read", metadata={"etag": etag(version)})


def reject(what: str, violations: list[Violation]) -> None:
    """INVALID_ARGUMENT with one field violation per broken rule, when there is any."""
    if violations:
        raise InvalidArgument(f"{what}: " + ", ".join(v.field for v in violations), violations=violations)


def update_violations(
    mask_paths: Iterable[str], resource_name: str, given_etag: str, resource_customer_id: str, customer_id: str,
    allowed: frozenset[str],
) -> tuple[list[str], list[Violation]]:  # fmt: skip
    """The update mask's paths (deduplicated) and what is wrong with the mask, the etag and the resource id."""
    paths = list(dict.fromkeys(mask_paths))
    violations = [Violation("update_mask", f"path {path!r} cannot be updated") for path in paths if path not in allowed]
    if not paths:
        violations.append(Violation("update_mask", "must name at least one field"))
    if not given_etag:
        violations.append(Violation(f"{resource_name}.etag", "must hold the etag last read"))
    if resource_customer_id and resource_customer_id != customer_id:
        violations.append(Violation(f"{resource_name}.customer_id", "must equal customer_id"))
    return paths, violations


def has_field(customer: c.Customer, path: str) -> bool:
    """Whether the customer holds a value at `path` (a message field set, a scalar or list non-empty)."""
    if path in MESSAGE_PATHS:
        return customer.HasField(path)
    return bool(getattr(customer, path))
