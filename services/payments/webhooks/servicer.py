"""PaymentNotificationService: customers' webhook endpoints and the record of their deliveries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from fintech.payments.v1 import payment_notification_service_pb2 as nsvc
from fintech.payments.v1 import payment_notification_service_pb2_grpc as nsvc_grpc
from fintech.payments.v1 import webhook_pb2 as w
from google.protobuf.message import Message
from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.config import PaymentsKeys
from services.payments.webhooks import destinations, sealing, signing
from services.payments.webhooks.config import WebhookSettings
from services.payments.webhooks.models import WebhookDeliveryRow, WebhookEndpointRow
from services.runtime import access, paging
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.outbox import default_registry
from services.runtime.validation import Violation

log = structlog.get_logger("payments.webhooks")
DEFAULT_PAGE_SIZE = 50
SUBSCRIBABLE_AGGREGATES = ("payment", "account")


def subscribable_event_types() -> frozenset[str]:
    """The payments events a customer may subscribe to: those of payments and accounts."""
    return frozenset(
        t.full_name
        for t in default_registry()
        if t.full_name.startswith("fintech.payments.v1.") and t.aggregate_type in SUBSCRIBABLE_AGGREGATES
    )


@dataclass
class WebhookContext:
    database: Database
    settings: Settings
    keys: PaymentsKeys
    webhook: WebhookSettings = field(default_factory=WebhookSettings)

    @property
    def allow_loopback(self) -> bool:
        return self.settings.mesh.mode == "local"


def _time(value: datetime | None, target) -> None:
    if value is not None:
        target.FromDatetime(value)


def endpoint_message(row: WebhookEndpointRow) -> w.WebhookEndpoint:
    endpoint = w.WebhookEndpoint(
        webhook_endpoint_id=str(row.webhook_endpoint_id),
        customer_id=str(row.customer_id),
        url=row.url,
        event_types=row.event_types,
        description=row.description,
        state=row.state,
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
        state=row.state,
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


class PaymentNotifications(nsvc_grpc.PaymentNotificationServiceServicer):
    def __init__(self, ctx: WebhookContext) -> None:
        self.ctx = ctx

    async def RegisterWebhookEndpoint(self, request: nsvc.RegisterWebhookEndpointRequest, context):  # noqa: N802
        ctx = self.ctx
        access.require_owner(request.customer_id)
        violations = [
            Violation(f"event_types[{i}]", f"{name} is not a payment or account event of fintech.payments.v1")
            for i, name in enumerate(request.event_types)
            if name not in subscribable_event_types()
        ]
        try:
            await destinations.check(request.url, allow_loopback=ctx.allow_loopback)
        except destinations.UnsafeDestination as error:
            violations.append(Violation("url", str(error)))
        if violations:
            raise InvalidArgument("the webhook endpoint is not valid", violations=violations)
        endpoint_id = str(uuid.uuid4())
        secret = signing.new_secret()
        now = datetime.now(UTC)
        row = WebhookEndpointRow(
            webhook_endpoint_id=uuid.UUID(endpoint_id),
            customer_id=uuid.UUID(request.customer_id),
            url=request.url,
            event_types=list(request.event_types),
            description=request.description,
            state=w.WEBHOOK_ENDPOINT_STATE_ACTIVE,
            sealed_secret=sealing.seal(ctx.keys, endpoint_id, secret),
            secret_hint=secret[-4:],
            create_time=now,
            update_time=now,
        )
        async with ctx.database.transaction() as session:
            session.add(row)
        log.info("webhook.endpoint_registered", webhook_endpoint_id=endpoint_id, customer_id=request.customer_id)
        return nsvc.RegisterWebhookEndpointResponse(webhook_endpoint=endpoint_message(row), signing_secret=secret)

    async def RetrieveWebhookEndpoint(self, request: nsvc.RetrieveWebhookEndpointRequest, context):  # noqa: N802
        async with self.ctx.database.session() as session:
            row = await self._endpoint(session, request.webhook_endpoint_id)
        return nsvc.RetrieveWebhookEndpointResponse(webhook_endpoint=endpoint_message(row))

    async def ListWebhookEndpoints(self, request: nsvc.ListWebhookEndpointsRequest, context):  # noqa: N802
        who = access.caller()
        access.require_owner(request.customer_id)
        query = select(WebhookEndpointRow).where(WebhookEndpointRow.customer_id == uuid.UUID(request.customer_id))
        order = (WebhookEndpointRow.create_time, WebhookEndpointRow.webhook_endpoint_id)
        rows, token = await self._page(query, order, request, who, ascending=True)
        return nsvc.ListWebhookEndpointsResponse(
            webhook_endpoints=[endpoint_message(row) for row in rows], next_page_token=token
        )

    async def DeleteWebhookEndpoint(self, request: nsvc.DeleteWebhookEndpointRequest, context):  # noqa: N802
        async with self.ctx.database.transaction() as session:
            row = await self._endpoint(session, request.webhook_endpoint_id, lock=True)
            # Its deliveries go with it (ON DELETE CASCADE): pending ones are dropped.
            await session.execute(
                delete(WebhookEndpointRow).where(WebhookEndpointRow.webhook_endpoint_id == row.webhook_endpoint_id)
            )
        log.info("webhook.endpoint_deleted", webhook_endpoint_id=request.webhook_endpoint_id)
        return nsvc.DeleteWebhookEndpointResponse()

    async def ListWebhookDeliveries(self, request: nsvc.ListWebhookDeliveriesRequest, context):  # noqa: N802
        async with self.ctx.database.session() as session:
            endpoint = await self._endpoint(session, request.webhook_endpoint_id)
        query = select(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_endpoint_id == endpoint.webhook_endpoint_id)
        if request.states:
            query = query.where(WebhookDeliveryRow.state.in_(list(request.states)))
        order = (WebhookDeliveryRow.create_time, WebhookDeliveryRow.webhook_delivery_id)
        rows, token = await self._page(query, order, request, access.caller(), ascending=False)
        return nsvc.ListWebhookDeliveriesResponse(
            webhook_deliveries=[delivery_message(row) for row in rows], next_page_token=token
        )

    async def RetrieveWebhookDelivery(self, request: nsvc.RetrieveWebhookDeliveryRequest, context):  # noqa: N802
        async with self.ctx.database.session() as session:
            endpoint = await self._endpoint(session, request.webhook_endpoint_id)
            row = await session.get(WebhookDeliveryRow, uuid.UUID(request.webhook_delivery_id))
        if row is None or row.webhook_endpoint_id != endpoint.webhook_endpoint_id:
            raise NotFound(
                f"webhook delivery {request.webhook_delivery_id} not found",
                metadata={"webhook_delivery_id": request.webhook_delivery_id},
            )
        return nsvc.RetrieveWebhookDeliveryResponse(webhook_delivery=delivery_message(row))

    async def _endpoint(self, session: AsyncSession, endpoint_id: str, *, lock: bool = False) -> WebhookEndpointRow:
        """The endpoint if the caller may reach it; unknown and another's are refused alike (AIP-211)."""
        row = await session.get(WebhookEndpointRow, uuid.UUID(endpoint_id), with_for_update=lock)
        if row is None:
            error = NotFound(f"webhook endpoint {endpoint_id} not found", metadata={"webhook_endpoint_id": endpoint_id})
            raise access.unknown(error)
        access.require_owner(str(row.customer_id))
        return row

    async def _page(self, query: Select, order: tuple, request: Message, who: access.Principal, *, ascending: bool):
        """One page of `query` in `order` (time, id) and the next page's token (AIP-158, signed)."""
        async with self.ctx.database.session() as session:
            return await paging.keyset_page(
                session, query, order, request, self.ctx.keys.page_token_key,
                paging.request_fingerprint(request, who.subject), descending=not ascending,
                default_size=DEFAULT_PAGE_SIZE,
            )  # fmt: skip
