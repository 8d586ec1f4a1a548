"""Webhook endpoints' use cases: customers register, read, list and delete their endpoints and read the
record of their deliveries. Matching events to endpoints and sending them run beside the service
(adapters/events/webhook_matcher.py, app/webhook_delivery.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from fintech.payments.v1 import webhook_pb2 as w
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters import webhook_destinations as destinations
from services.payments.adapters import webhook_secrets
from services.payments.adapters.db import webhooks
from services.payments.adapters.db.webhook_models import WebhookEndpointRow
from services.payments.adapters.events.outbox import subscribable_event_types
from services.payments.config import PaymentsKeys
from services.payments.domain import webhook_signing as signing
from services.runtime import access
from services.runtime.db import Database
from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.validation import Violation

log = structlog.get_logger("payments.webhooks")
DEFAULT_PAGE_SIZE = 50


class WebhookEndpoints:
    def __init__(self, database: Database, keys: PaymentsKeys, *, allow_loopback: bool) -> None:
        self.database = database
        self.keys = keys
        self.allow_loopback = allow_loopback  # the dev mesh's receivers listen on 127.0.0.1

    async def register(
        self, customer_id: str, url: str, event_types: Sequence[str], description: str
    ) -> tuple[w.WebhookEndpoint, str]:
        """The new ACTIVE endpoint and its signing secret (returned this once, kept sealed)."""
        access.require_owner(customer_id)
        subscribable = subscribable_event_types()
        violations = [
            Violation(f"event_types[{i}]", f"{name} is not a payment or account event of fintech.payments.v1")
            for i, name in enumerate(event_types)
            if name not in subscribable
        ]
        try:
            await destinations.check(url, allow_loopback=self.allow_loopback)
        except destinations.UnsafeDestination as error:
            violations.append(Violation("url", str(error)))
        if violations:
            raise InvalidArgument("the webhook endpoint is not valid", violations=violations)
        endpoint_id = str(uuid.uuid4())
        secret = signing.new_secret()
        now = datetime.now(UTC)
        row = WebhookEndpointRow(
            webhook_endpoint_id=uuid.UUID(endpoint_id),
            customer_id=uuid.UUID(customer_id),
            url=url,
            event_types=list(event_types),
            description=description,
            state=w.WEBHOOK_ENDPOINT_STATE_ACTIVE,
            sealed_secret=webhook_secrets.seal(self.keys, endpoint_id, secret),
            secret_hint=secret[-4:],
            create_time=now,
            update_time=now,
        )
        async with self.database.transaction() as session:
            session.add(row)
        log.info("webhook.endpoint_registered", webhook_endpoint_id=endpoint_id, customer_id=customer_id)
        return webhooks.endpoint_message(row), secret

    async def retrieve(self, endpoint_id: str) -> w.WebhookEndpoint:
        async with self.database.session() as session:
            return webhooks.endpoint_message(await self._endpoint(session, endpoint_id))

    async def list_page(self, customer_id: str, page: Message, fingerprint: str) -> tuple[list[w.WebhookEndpoint], str]:
        access.require_owner(customer_id)
        async with self.database.session() as session:
            rows, token = await webhooks.page_of_endpoints(
                session, customer_id, page, self.keys.page_token_key, fingerprint, DEFAULT_PAGE_SIZE
            )
        return [webhooks.endpoint_message(row) for row in rows], token

    async def delete(self, endpoint_id: str) -> None:
        async with self.database.transaction() as session:
            row = await self._endpoint(session, endpoint_id, lock=True)
            await webhooks.delete_endpoint(session, row.webhook_endpoint_id)
        log.info("webhook.endpoint_deleted", webhook_endpoint_id=endpoint_id)

    async def deliveries(
        self, endpoint_id: str, states: Sequence[int], page: Message, fingerprint: str
    ) -> tuple[list[w.WebhookDelivery], str]:
        async with self.database.session() as session:
            endpoint = await self._endpoint(session, endpoint_id)
        async with self.database.session() as session:
            rows, token = await webhooks.page_of_deliveries(
                session, endpoint.webhook_endpoint_id, states, page, self.keys.page_token_key, fingerprint,
                DEFAULT_PAGE_SIZE,
            )  # fmt: skip
        return [webhooks.delivery_message(row) for row in rows], token

    async def delivery(self, endpoint_id: str, delivery_id: str) -> w.WebhookDelivery:
        async with self.database.session() as session:
            endpoint = await self._endpoint(session, endpoint_id)
            row = await webhooks.delivery(session, delivery_id)
        if row is None or row.webhook_endpoint_id != endpoint.webhook_endpoint_id:
            raise NotFound(f"webhook delivery {delivery_id} not found", metadata={"webhook_delivery_id": delivery_id})
        return webhooks.delivery_message(row)

    async def _endpoint(self, session: AsyncSession, endpoint_id: str, *, lock: bool = False) -> WebhookEndpointRow:
        """The endpoint if the caller may reach it; unknown and another's are refused alike (AIP-211)."""
        row = await webhooks.endpoint(session, endpoint_id, lock=lock)
        if row is None:
            error = NotFound(f"webhook endpoint {endpoint_id} not found", metadata={"webhook_endpoint_id": endpoint_id})
            raise access.unknown(error)
        access.require_owner(str(row.customer_id))
        return row
