"""Erasure (GDPR art. 17): crypto-shredding of the customer's data keys and removal of what is left in clear."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import events_pb2 as ev
from fintech.customer.v1 import kyc_check_pb2 as k

from services.customer.adapters.crypto import key_family
from services.customer.adapters.db import personal_data, queries
from services.customer.adapters.db.models import PII_FIELDS
from services.customer.app import idempotent
from services.customer.app.context import CustomerContext, authorise, log, now
from services.customer.app.idempotent import Retry
from services.customer.app.kyc_checks import cancel_open_checks
from services.customer.domain.access import Action
from services.customer.domain.records import check_etag
from services.runtime.access import Principal
from services.runtime.errors import NotFound
from services.runtime.idempotency import Scope


@dataclass(frozen=True)
class Erased:
    customer_id: str
    state: int
    erase_time: datetime


async def erase(
    ctx: CustomerContext,
    principal: Principal,
    customer_id: str,
    etag_given: str,
    reason: c.ErasureReason,
    retry: Retry,
) -> Erased:
    """Erase the customer; a retry (the key's resource is the customer) answers with the erasure done."""

    async def replay(erased_id: uuid.UUID) -> Erased:
        async with ctx.database.session() as session:
            row = await queries.customer(session, erased_id)
        if row is None or row.erase_time is None:
            raise NotFound(f"customer {erased_id} not found", metadata={"customer_id": str(erased_id)})
        return Erased(str(row.customer_id), row.state, row.erase_time)

    async def work(scope: Scope) -> Erased:
        async with ctx.database.transaction() as session:
            row = await ctx.load(session, customer_id, lock=True)
            authorise(principal, Action.ERASE, row)
            check_etag(etag_given, row.version, "customer")
            await cancel_open_checks(ctx, session, row, k.KYC_CHECK_CANCEL_REASON_CUSTOMER_ERASED)
            destroyed = await personal_data.destroy_data_keys(session, row.customer_id)
            for name in (*PII_FIELDS, "postal_address", "preferences"):
                setattr(row, name, None)
            await queries.forget_activity_and_notes(session, row.customer_id)
            previous = row.state
            at = now()
            row.document_index = row.name_birth_index = None
            row.state, row.state_change_time, row.erase_time, row.update_time = c.CUSTOMER_STATE_ERASED, at, at, at
            row.version += 1
            await idempotent.record(session, scope, row.customer_id)
            erased = ev.CustomerErased(
                customer_id=str(row.customer_id),
                reason=reason,
                previous_state=cast(c.CustomerState, previous),
                data_key_id=key_family(str(row.customer_id)),
            )
            await ctx.emit(session, row, erased)
        log.info("customer.erased", customer_id=str(row.customer_id), data_keys_destroyed=destroyed, reason=reason)
        return Erased(str(row.customer_id), c.CUSTOMER_STATE_ERASED, at)

    return await idempotent.once(ctx.database, principal, "EraseCustomer", retry, work, replay)
