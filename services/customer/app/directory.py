"""Reading the customer directory: one customer, a page of customers, a customer's verification status."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fintech.customer.v1 import customer_pb2 as c

from services.customer.adapters.db import personal_data, queries
from services.customer.app.context import CustomerContext, authorise, customer_view
from services.customer.domain.access import Action
from services.runtime import paging
from services.runtime.access import ADMIN, COMPLIANCE_OFFICER, RISK_OFFICER, TELLER, Principal
from services.runtime.errors import PermissionDenied


async def retrieve(ctx: CustomerContext, principal: Principal, customer_id: str, pii_view: int) -> c.Customer:
    async with ctx.database.session() as session:
        row, ring = await ctx.open_record(session, principal, customer_id, Action.READ)
        customer = personal_data.open_customer(row, ring)
    return customer_view(principal, customer, pii_view)


async def page(
    ctx: CustomerContext,
    principal: Principal,
    *,
    branch_id: str,
    states: Iterable[int],
    min_create_time: datetime | None,
    max_create_time: datetime | None,
    pii_view: int,
    page_size: int,
    page_token: str,
) -> tuple[Sequence[c.Customer], str]:
    """One page of unerased customers (a teller's: of their branch only) and the next page's token."""
    if principal.has(TELLER) and not principal.has(ADMIN, RISK_OFFICER, COMPLIANCE_OFFICER):
        if branch_id and branch_id != principal.branch_id:
            raise PermissionDenied("a teller lists only customers of their own branch")
        branch_id = principal.branch_id
    authorise(principal, Action.LIST, customer_id="", branch_id=branch_id)
    wanted = sorted(set(states))
    times = (
        min_create_time.isoformat() if min_create_time is not None else "",
        max_create_time.isoformat() if max_create_time is not None else "",
    )
    fingerprint = paging.fingerprint(wanted, branch_id, times, pii_view, principal.subject)
    customers = []
    async with ctx.database.session() as session:
        rows, next_page_token = await queries.customers_page(
            session, states=wanted, branch_id=branch_id, min_create_time=min_create_time,
            max_create_time=max_create_time, page_size=page_size, page_token=page_token,
            token_key=ctx.keys.page_token_key, fingerprint=fingerprint,
        )  # fmt: skip
        for row in rows:
            ring = await ctx.key_ring(session, row.customer_id)
            customers.append(customer_view(principal, personal_data.open_customer(row, ring), pii_view))
    return customers, next_page_token


@dataclass(frozen=True)
class Verification:
    """Whether a customer may pay: its state and when it changed, no personal data."""

    erased: bool
    state: int
    kyc_check_id: str
    verify_time: datetime | None
    state_change_time: datetime


async def verification(ctx: CustomerContext, customer_id: str) -> Verification | None:
    """The customer's verification, erased or not; None for an unknown customer."""
    async with ctx.database.session() as session:
        row = await queries.customer(session, uuid.UUID(customer_id))
    if row is None:
        return None
    return Verification(
        erased=row.state == c.CUSTOMER_STATE_ERASED,
        state=row.state,
        kyc_check_id=str(row.state_kyc_check_id) if row.state_kyc_check_id else "",
        verify_time=row.verify_time,
        state_change_time=row.state_change_time,
    )
