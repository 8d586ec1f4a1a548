"""The customer's profile: contact data (sealed) and preferences."""

from __future__ import annotations

from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import customer_profile_pb2 as p
from fintech.customer.v1 import events_pb2 as ev
from google.protobuf import field_mask_pb2

from services.customer.adapters.db import personal_data
from services.customer.app.context import CustomerContext, now, profile_view
from services.customer.domain import kyc
from services.customer.domain.access import Action
from services.customer.domain.records import CONTACT_PATHS, PROFILE_PATHS, check_etag, etag, reject, update_violations
from services.runtime.access import Principal
from services.runtime.validation import Violation

CONSENT_PATHS = frozenset({"preferences", "preferences.marketing_consent"})


async def retrieve(ctx: CustomerContext, principal: Principal, customer_id: str, pii_view: int) -> p.CustomerProfile:
    async with ctx.database.session() as session:
        row, ring = await ctx.open_record(session, principal, customer_id, Action.READ)
        profile = personal_data.open_profile(row, ring)
    return profile_view(principal, profile, pii_view)


def _violations(new: p.CustomerProfile, customer_id: str, mask_paths: list[str]) -> tuple[list[str], list[Violation]]:
    paths, violations = update_violations(mask_paths, "profile", new.etag, new.customer_id, customer_id, PROFILE_PATHS)
    for name in ("email", "phone_number"):
        if name in paths and not getattr(new, name):
            violations.append(Violation(f"profile.{name}", "cannot be cleared"))
    if CONSENT_PATHS & set(paths) and not new.preferences.marketing_consent.policy_version:
        violations.append(
            Violation("profile.preferences.marketing_consent.policy_version", "is required when consent changes")
        )
    if "postal_address" in paths and new.HasField("postal_address"):
        violations += kyc.address_violations(new.postal_address, "profile.postal_address")
    return paths, violations


def _apply(profile: p.CustomerProfile, new: p.CustomerProfile, paths: list[str]) -> None:
    preferences = profile.preferences
    for path in paths:
        if path in ("email", "phone_number"):
            setattr(profile, path, getattr(new, path))
        elif path == "postal_address":
            profile.ClearField("postal_address")
            if new.HasField("postal_address"):
                profile.postal_address.CopyFrom(new.postal_address)
        elif path == "preferences":
            preferences.CopyFrom(new.preferences)
        else:
            name = path.removeprefix("preferences.")
            preferences.ClearField(name)  # PROFILE_PATHS name its fields
            if name == "notification_channels":
                preferences.notification_channels.extend(new.preferences.notification_channels)
            elif name == "marketing_consent":
                preferences.marketing_consent.CopyFrom(new.preferences.marketing_consent)
            else:
                setattr(preferences, name, getattr(new.preferences, name))


async def update(
    ctx: CustomerContext, principal: Principal, customer_id: str, new: p.CustomerProfile, mask_paths: list[str]
) -> p.CustomerProfile:
    paths, violations = _violations(new, customer_id, mask_paths)
    reject("invalid profile update", violations)
    async with ctx.database.transaction() as session:
        row, ring = await ctx.open_record(session, principal, customer_id, Action.UPDATE_PROFILE, lock=True)
        check_etag(new.etag, row.profile_version, "profile")
        profile = personal_data.open_profile(row, ring)
        _apply(profile, new, paths)
        at = now()
        if CONSENT_PATHS & set(paths):
            profile.preferences.marketing_consent.consent_time.FromDatetime(at)
        contacts = [path for path in paths if path in CONTACT_PATHS]
        sealed = personal_data.seal_fields(ring, profile, contacts)
        personal_data.store_sealed(row, sealed, contacts)
        row.preferences = profile.preferences.SerializeToString()
        row.profile_version += 1
        row.profile_update_time = at
        updated = ev.CustomerProfileUpdated(
            customer_id=str(row.customer_id),
            update_mask=field_mask_pb2.FieldMask(paths=paths),
            personal_data=sealed,
            preferences=profile.preferences,
            etag=etag(row.profile_version),
        )
        await ctx.emit(session, row, updated)
        result = personal_data.open_profile(row, ring)
    return profile_view(principal, result, c.PII_VIEW_UNSPECIFIED)
