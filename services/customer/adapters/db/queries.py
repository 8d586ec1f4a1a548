"""The customer database's queries (the rows themselves are in `models`, their sealed data in `personal_data`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from fintech.customer.v1 import customer_directory_service_pb2 as dsvc
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import kyc_check_pb2 as k
from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.customer.adapters.db.models import CustomerRow, KycCheckRow, PaymentActivityRow
from services.runtime import paging

Row = TypeVar("Row")
OPEN_CHECK_STATES = (k.KYC_CHECK_STATE_PENDING, k.KYC_CHECK_STATE_MANUAL_REVIEW)
DEFAULT_PAGE_SIZE = 50


async def customer(session: AsyncSession, customer_id: uuid.UUID, *, lock: bool = False) -> CustomerRow | None:
    """The customer's row, erased or not; None when there is none."""
    query = select(CustomerRow).where(CustomerRow.customer_id == customer_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def duplicate(session: AsyncSession, doc: str, name: str, exclude: uuid.UUID | None) -> CustomerRow | None:
    """An unerased customer with the same document or the same names and date of birth (blind indexes)."""
    query = select(CustomerRow).where(
        CustomerRow.state != c.CUSTOMER_STATE_ERASED,
        or_(CustomerRow.document_index == doc, CustomerRow.name_birth_index == name),
    )
    if exclude is not None:
        query = query.where(CustomerRow.customer_id != exclude)
    return await session.scalar(query.limit(1))


async def kyc_check(session: AsyncSession, kyc_check_id: uuid.UUID, *, lock: bool = False) -> KycCheckRow | None:
    return await session.get(KycCheckRow, kyc_check_id, with_for_update=lock)


async def open_check_id(session: AsyncSession, customer_id: uuid.UUID) -> uuid.UUID | None:
    """The customer's check still pending or in manual review, if any."""
    query = select(KycCheckRow.kyc_check_id).where(
        KycCheckRow.customer_id == customer_id, KycCheckRow.state.in_(OPEN_CHECK_STATES)
    )
    return await session.scalar(query)


async def open_checks(session: AsyncSession, customer_id: uuid.UUID) -> Sequence[KycCheckRow]:
    """The customer's open checks, locked (they are about to be cancelled)."""
    query = select(KycCheckRow).where(KycCheckRow.customer_id == customer_id, KycCheckRow.state.in_(OPEN_CHECK_STATES))
    return (await session.scalars(query.with_for_update())).all()


async def customers_page(
    session: AsyncSession,
    *,
    states: list[int],
    branch_id: str,
    min_create_time: datetime | None,
    max_create_time: datetime | None,
    page_size: int,
    page_token: str,
    token_key: bytes,
    fingerprint: str,
) -> tuple[Sequence[CustomerRow], str]:
    """One page of unerased customers, oldest first, and the next page's signed token."""
    query = select(CustomerRow).where(CustomerRow.state != c.CUSTOMER_STATE_ERASED)
    if states:
        query = query.where(CustomerRow.state.in_(states))
    if branch_id:
        query = query.where(CustomerRow.branch_id == uuid.UUID(branch_id))
    if min_create_time is not None:
        query = query.where(CustomerRow.create_time >= min_create_time)
    if max_create_time is not None:
        query = query.where(CustomerRow.create_time < max_create_time)
    order = (CustomerRow.create_time, CustomerRow.customer_id)
    return await _page(session, query, order, page_size, page_token, token_key, fingerprint)


async def kyc_checks_page(
    session: AsyncSession,
    *,
    customer_id: uuid.UUID | None,
    states: list[int],
    page_size: int,
    page_token: str,
    token_key: bytes,
    fingerprint: str,
) -> tuple[Sequence[KycCheckRow], str]:
    """One page of one customer's checks (None: of every unerased customer), oldest first, and the next token."""
    query = select(KycCheckRow)
    if customer_id is None:
        query = query.join(CustomerRow, CustomerRow.customer_id == KycCheckRow.customer_id).where(
            CustomerRow.state != c.CUSTOMER_STATE_ERASED
        )
    else:
        query = query.where(KycCheckRow.customer_id == customer_id)
    if states:
        query = query.where(KycCheckRow.state.in_(states))
    order = (KycCheckRow.create_time, KycCheckRow.kyc_check_id)
    return await _page(session, query, order, page_size, page_token, token_key, fingerprint)


async def _page(
    session: AsyncSession,
    query: Select[Row],
    order: tuple[object, object],
    page_size: int,
    page_token: str,
    token_key: bytes,
    fingerprint: str,
) -> tuple[Sequence[Row], str]:
    # The runtime's pager reads page_size and page_token off a list request; any list request carries both.
    request = dsvc.ListCustomersRequest(page_size=page_size, page_token=page_token)
    rows, token = await paging.keyset_page(
        session, query, order, request, token_key, fingerprint, default_size=DEFAULT_PAGE_SIZE
    )
    return list(rows), token


async def payment_facts(session: AsyncSession, customer_id: uuid.UUID, since: datetime) -> Sequence[PaymentActivityRow]:
    """The customer's payments executed since `since`."""
    query = select(PaymentActivityRow).where(
        PaymentActivityRow.customer_id == customer_id,
        PaymentActivityRow.execute_time.is_not(None),
        PaymentActivityRow.execute_time >= since,
    )
    return (await session.scalars(query)).all()


async def forget_activity_and_notes(session: AsyncSession, customer_id: uuid.UUID) -> None:
    """Erasure: the reviewers' sealed notes on the customer's checks and its payment facts go."""
    await session.execute(update(KycCheckRow).where(KycCheckRow.customer_id == customer_id).values(note=None))
    await session.execute(delete(PaymentActivityRow).where(PaymentActivityRow.customer_id == customer_id))
