"""Registering a customer and changing its identity data."""

from __future__ import annotations

import uuid
from datetime import date

from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import events_pb2 as ev
from fintech.customer.v1 import kyc_check_pb2 as k
from google.protobuf import field_mask_pb2

from services.customer.adapters.db import personal_data
from services.customer.adapters.db.models import PII_FIELDS, CustomerRow
from services.customer.app import idempotent
from services.customer.app.context import CustomerContext, authorise, customer_view, log, now
from services.customer.app.idempotent import Retry
from services.customer.app.kyc_checks import cancel_open_checks, verification_changed
from services.customer.domain import kyc
from services.customer.domain.access import Action
from services.customer.domain.records import (
    IDENTITY_PATHS,
    MESSAGE_PATHS,
    ONLINE_CHANNELS,
    REQUIRED_PATHS,
    UPDATABLE_PATHS,
    check_etag,
    customer_number,
    etag,
    has_field,
    reject,
    update_violations,
)
from services.runtime.access import ADMIN, CUSTOMER, TELLER, Principal
from services.runtime.errors import PermissionDenied
from services.runtime.idempotency import Scope
from services.runtime.validation import Violation


async def register(ctx: CustomerContext, principal: Principal, customer: c.Customer, retry: Retry) -> c.Customer:
    authorise(principal, Action.REGISTER, customer_id="", branch_id=customer.branch_id)
    self_service = principal.has(CUSTOMER) and not principal.roles & {
        TELLER,
        ADMIN,
    }
    if self_service and customer.onboarding_channel not in ONLINE_CHANNELS:
        raise PermissionDenied("self-registration only through the online channels")
    reject("invalid identity data", kyc.identity_violations(customer, date.today()))

    async def replay(customer_id: uuid.UUID) -> c.Customer:
        async with ctx.database.session() as session:
            row = await ctx.load(session, str(customer_id))
            ring = await ctx.key_ring(session, row.customer_id)
            return customer_view(principal, personal_data.open_customer(row, ring), c.PII_VIEW_UNSPECIFIED)

    async def work(scope: Scope) -> c.Customer:
        async with ctx.database.transaction() as session:
            doc, name = await ctx.refuse_duplicate(session, principal, customer, None)
            customer_id = uuid.uuid4()
            at = now()
            row = CustomerRow(
                customer_id=customer_id,
                customer_number=customer_number(),
                state=c.CUSTOMER_STATE_PENDING,
                branch_id=uuid.UUID(customer.branch_id),
                onboarding_channel=customer.onboarding_channel,
                version=1,
                event_sequence=0,
                profile_version=1,
                document_index=doc,
                name_birth_index=name,
                registered_by=principal.subject,
                identity_changed_by=principal.subject,
                state_change_time=at,
                create_time=at,
                update_time=at,
                profile_update_time=at,
            )
            session.add(row)
            await session.flush()
            ring = await personal_data.create_data_key(session, ctx.wrapper, customer_id)
            names = list(PII_FIELDS)
            sealed = personal_data.seal_fields(ring, customer, names)
            personal_data.store_sealed(row, sealed, names)
            await idempotent.record(session, scope, customer_id)
            event = ev.CustomerRegistered(
                customer_id=str(customer_id),
                customer_number=row.customer_number,
                branch_id=customer.branch_id,
                state=c.CUSTOMER_STATE_PENDING,
                onboarding_channel=customer.onboarding_channel,
                personal_data=sealed,
            )
            await ctx.emit(session, row, event)
            result = personal_data.open_customer(row, ring)
        log.info("customer.registered", customer_id=str(customer_id))
        return customer_view(principal, result, c.PII_VIEW_UNSPECIFIED)

    return await idempotent.once(ctx.database, principal, "RegisterCustomer", retry, work, replay)


async def update(
    ctx: CustomerContext, principal: Principal, customer_id: str, new: c.Customer, mask_paths: list[str]
) -> c.Customer:
    """Change the fields of `mask_paths` to `new`'s; a change of identity data cancels open checks and
    makes the customer pending (verified again by a new KYC check)."""
    paths, violations = update_violations(
        mask_paths, "customer", new.etag, new.customer_id, customer_id, UPDATABLE_PATHS
    )
    for path in paths:
        if path in REQUIRED_PATHS and not has_field(new, path):
            violations.append(Violation(f"customer.{path}", "is required and cannot be cleared"))
    reject("invalid update", violations + kyc.identity_violations(new, date.today(), paths=paths))
    async with ctx.database.transaction() as session:
        row, ring = await ctx.open_record(session, principal, customer_id, Action.UPDATE, lock=True)
        if "branch_id" in paths and new.branch_id != str(row.branch_id) and not principal.has(ADMIN):
            raise PermissionDenied("moving a customer to another branch needs a back-office role")
        check_etag(new.etag, row.version, "customer")
        changed = c.Customer()
        changed.CopyFrom(personal_data.open_customer(row, ring))
        for path in paths:
            changed.ClearField(path)  # a path of UPDATABLE_PATHS names a field
            if path == "additional_nationalities":
                changed.additional_nationalities.extend(new.additional_nationalities)
            elif path in MESSAGE_PATHS:
                if new.HasField(path):
                    getattr(changed, path).CopyFrom(getattr(new, path))
            else:
                setattr(changed, path, getattr(new, path))
        identity_changed = any(path in IDENTITY_PATHS for path in paths)
        if identity_changed:
            row.document_index, row.name_birth_index = await ctx.refuse_duplicate(
                session, principal, changed, row.customer_id
            )
            row.identity_changed_by = principal.subject
        pii = [path for path in paths if path in IDENTITY_PATHS]
        sealed = personal_data.seal_fields(ring, changed, pii)
        personal_data.store_sealed(row, sealed, pii)
        previous_branch = str(row.branch_id)
        if "branch_id" in paths:
            row.branch_id = uuid.UUID(changed.branch_id)
        row.version += 1
        row.update_time = now()
        updated = ev.CustomerUpdated(
            customer_id=str(row.customer_id),
            update_mask=field_mask_pb2.FieldMask(paths=paths),
            personal_data=sealed,
            branch_id=str(row.branch_id),
            previous_branch_id=previous_branch if previous_branch != str(row.branch_id) else "",
            identity_data_changed=identity_changed,
            etag=etag(row.version),
        )
        await ctx.emit(session, row, updated)
        if identity_changed:
            await cancel_open_checks(ctx, session, row, k.KYC_CHECK_CANCEL_REASON_IDENTITY_DATA_CHANGED)
            if row.state != c.CUSTOMER_STATE_PENDING:
                previous = row.state
                row.state, row.state_change_time, row.state_kyc_check_id = c.CUSTOMER_STATE_PENDING, now(), None
                await ctx.emit(session, row, verification_changed(row, previous, "", []))
        result = personal_data.open_customer(row, ring)
    return customer_view(principal, result, c.PII_VIEW_UNSPECIFIED)
