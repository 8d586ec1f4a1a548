"""The webhook tables' queries (endpoints, deliveries, the dispatcher's claims and records), and their rows as
the contract's messages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from fintech.payments.v1 import webhook_pb2 as w
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.payments.adapters.db.webhook_models import WebhookDeliveryRow, WebhookEndpointRow
from services.runtime import paging
from services.runtime.db import Database


def _time(value: datetime | None, target: Timestamp) -> None:
    if value is not None:
        target.FromDatetime(value)


def endpoint_message(row: WebhookEndpointRow) -> w.WebhookEndpoint:
    endpoint = w.WebhookEndpoint(
        webhook_endpoint_id=str(row.webhook_endpoint_id),
        customer_id=str(row.customer_id),
        url=row.url,
        event_types=row.event_types,
        description=row.description,
        state=cast(w.WebhookEndpointState, row.state),
        signing_secret_hint=row.secret_hint,
    )
    _time(row.create_time, endpoint.create_time)
    _time(row.update_time, endpoint.update_time)
    return endpoint


def delivery_message(row: WebhookDeliveryRow) -> w.WebhookDelivery:
    delivery = w.WebhookDelivery(
        webhook_delivery_id=str(row.webhook_delivery_id),
        webhook_endpoint_id=str(row.webhook_endpoint_id),
        event_id=str(row.event_id),
        event_type=row.event_type,
        subject_id=str(row.subject_id),
        state=cast(w.WebhookDeliveryState, row.state),
        attempt_count=row.attempt_count,
        last_http_status_code=row.last_http_status_code,
        last_error=row.last_error,
    )
    _time(row.last_attempt_time, delivery.last_attempt_time)
    if row.state == w.WEBHOOK_DELIVERY_STATE_PENDING:
        _time(row.next_attempt_time, delivery.next_attempt_time)
    _time(row.create_time, delivery.create_time)
    _time(row.deliver_time, delivery.deliver_time)
    return delivery


async def endpoint(session: AsyncSession, endpoint_id: str, *, lock: bool = False) -> WebhookEndpointRow | None:
    return await session.get(WebhookEndpointRow, uuid.UUID(endpoint_id), with_for_update=lock)


async def delete_endpoint(session: AsyncSession, endpoint_id: uuid.UUID) -> None:
    """The endpoint and its deliveries (ON DELETE CASCADE: pending ones are dropped)."""
    await session.execute(delete(WebhookEndpointRow).where(WebhookEndpointRow.webhook_endpoint_id == endpoint_id))


async def delivery(session: AsyncSession, delivery_id: str) -> WebhookDeliveryRow | None:
    return await session.get(WebhookDeliveryRow, uuid.UUID(delivery_id))


async def page_of_endpoints(
    session: AsyncSession, customer_id: str, page: Message, key: bytes, fingerprint: str, default_size: int
) -> tuple[list[WebhookEndpointRow], str]:
    """The customer's endpoints, oldest first, one page, and the next page's token."""
    query = select(WebhookEndpointRow).where(WebhookEndpointRow.customer_id == uuid.UUID(customer_id))
    order = (WebhookEndpointRow.create_time, WebhookEndpointRow.webhook_endpoint_id)
    rows, token = await paging.keyset_page(session, query, order, page, key, fingerprint, default_size=default_size)
    return list(rows), token


async def page_of_deliveries(
    session: AsyncSession, endpoint_id: uuid.UUID, states: Sequence[int], page: Message, key: bytes,
    fingerprint: str, default_size: int,
) -> tuple[list[WebhookDeliveryRow], str]:  # fmt: skip
    """The endpoint's deliveries (in `states`, if any), newest first, one page, and the next page's token."""
    query = select(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_endpoint_id == endpoint_id)
    if states:
        query = query.where(WebhookDeliveryRow.state.in_(list(states)))
    order = (WebhookDeliveryRow.create_time, WebhookDeliveryRow.webhook_delivery_id)
    rows, token = await paging.keyset_page(session, query, order, page, key, fingerprint, descending=True,
                                           default_size=default_size)  # fmt: skip
    return list(rows), token


# How long a claimed delivery is leased to its attempt: an instance that dies mid-attempt leaves the lease to
# expire, and the delivery is tried again.
LEASE = timedelta(seconds=60)
PENDING, SUCCEEDED, FAILED = (
    w.WEBHOOK_DELIVERY_STATE_PENDING,
    w.WEBHOOK_DELIVERY_STATE_SUCCEEDED,
    w.WEBHOOK_DELIVERY_STATE_FAILED,
)


async def claim_due(database: Database, limit: int) -> list[tuple[WebhookDeliveryRow, WebhookEndpointRow]]:
    """Due PENDING deliveries (none while an earlier event of its subject is pending for its endpoint), with
    their endpoints, leased: `FOR UPDATE SKIP LOCKED`, so several instances share the work."""
    earlier = aliased(WebhookDeliveryRow)
    waiting_for_earlier = exists().where(
        and_(
            earlier.state == PENDING,
            earlier.webhook_endpoint_id == WebhookDeliveryRow.webhook_endpoint_id,
            earlier.subject_id == WebhookDeliveryRow.subject_id,
            earlier.sequence < WebhookDeliveryRow.sequence,
        )
    )
    due = (
        select(WebhookDeliveryRow.webhook_delivery_id)
        .where(WebhookDeliveryRow.state == PENDING, WebhookDeliveryRow.next_attempt_time <= func.now())
        .where(~waiting_for_earlier)
        .order_by(WebhookDeliveryRow.next_attempt_time)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    async with database.transaction() as session:
        ids = list(await session.scalars(due))
        if not ids:
            return []
        await session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.webhook_delivery_id.in_(ids))
            .values(next_attempt_time=func.now() + LEASE)
        )
        rows = await session.execute(
            select(WebhookDeliveryRow, WebhookEndpointRow)
            .join(WebhookEndpointRow)
            .where(WebhookDeliveryRow.webhook_delivery_id.in_(ids))
        )
        return [(delivery, endpoint) for delivery, endpoint in rows]


async def record_attempt(
    database: Database, delivery_id: uuid.UUID, values: dict[str, Any], *, endpoint_id: uuid.UUID,
    disable_unless_success_since: datetime | None, now: datetime,
) -> None:  # fmt: skip
    """Store an attempt's outcome (`values` of the delivery's columns). A delivery of an endpoint deleted
    meanwhile is gone: nothing to record. With `disable_unless_success_since`, the endpoint is disabled when
    it is older than that and had no success since."""
    async with database.transaction() as session:
        await session.execute(
            update(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_delivery_id == delivery_id).values(**values)
        )
        if disable_unless_success_since is not None:
            since = disable_unless_success_since
            recent_success = exists().where(
                WebhookDeliveryRow.webhook_endpoint_id == endpoint_id,
                WebhookDeliveryRow.state == SUCCEEDED,
                WebhookDeliveryRow.deliver_time >= since,
            )
            await session.execute(
                update(WebhookEndpointRow)
                .where(WebhookEndpointRow.webhook_endpoint_id == endpoint_id)
                .where(WebhookEndpointRow.state == w.WEBHOOK_ENDPOINT_STATE_ACTIVE)
                .where(WebhookEndpointRow.create_time < since, ~recent_success)
                .values(state=w.WEBHOOK_ENDPOINT_STATE_DISABLED, update_time=now)
            )
