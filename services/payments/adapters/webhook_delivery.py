"""The dispatcher: POSTs due webhook deliveries, signed, and schedules retries of failed ones.

Each round claims due PENDING deliveries with `FOR UPDATE SKIP LOCKED` (several service instances
share the work) and leases them by moving their due time `LEASE` ahead, then sends them with no
transaction open; an instance that dies mid-attempt leaves the lease to expire, and the delivery is
tried again (delivery is at least once; receivers deduplicate on the event id). A delivery waits
while an earlier event of the same subject is still pending for its endpoint, so one subject's
events arrive in order. A 2xx within the timeout acknowledges; anything else is retried on the
RetryPolicy until it gives up and the delivery is FAILED. Redirects are not followed (a redirect
could lead into the bank's own network), and the destination is checked again before each attempt.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import structlog
from fintech.payments.v1 import webhook_pb2 as w
from prometheus_client import Counter
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.payments.adapters import webhook_destinations as destinations
from services.payments.adapters import webhook_secrets as sealing
from services.payments.adapters.db.webhook_models import WebhookDeliveryRow, WebhookEndpointRow
from services.payments.config import PaymentsKeys, WebhookSettings
from services.payments.domain import webhook_signing as signing
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.periodic import PeriodicTask
from services.runtime.tls import certs_dir

log = structlog.get_logger("payments.webhooks")
LEASE = timedelta(seconds=60)
PENDING, SUCCEEDED, FAILED = (
    w.WEBHOOK_DELIVERY_STATE_PENDING,
    w.WEBHOOK_DELIVERY_STATE_SUCCEEDED,
    w.WEBHOOK_DELIVERY_STATE_FAILED,
)
ATTEMPTS = Counter("webhook_attempts_total", "Webhook delivery attempts, by outcome.", ["outcome"])


@dataclass(frozen=True)
class Outcome:
    status_code: int = 0  # 0: no response
    error: str = ""  # empty on success

    @property
    def succeeded(self) -> bool:
        return not self.error


def http_client(settings: Settings, webhook: WebhookSettings) -> httpx.AsyncClient:
    """The client of deliveries: system CAs (plus the dev mesh's CA in local mode), no redirects."""
    verify = ssl.create_default_context()
    if settings.mesh.mode == "local" and (certs_dir(settings) / "ca.pem").exists():
        verify.load_verify_locations(certs_dir(settings) / "ca.pem")
    return httpx.AsyncClient(
        verify=verify,
        timeout=webhook.request_timeout_seconds,
        follow_redirects=False,
        headers={"User-Agent": "fintech-webhooks/1"},
    )


class WebhookDispatcher(PeriodicTask):
    def __init__(
        self,
        database: Database,
        keys: PaymentsKeys,
        settings: Settings,
        webhook: WebhookSettings | None = None,
        *,
        client_factory: Callable[[], httpx.AsyncClient] | None = None,
    ) -> None:
        self.webhook = webhook or WebhookSettings()
        super().__init__("webhook-dispatcher", self.webhook.poll_interval_seconds)
        self.database = database
        self.keys = keys
        self.policy = self.webhook.retry_policy()
        self.allow_loopback = settings.mesh.mode == "local"
        self._client_factory = client_factory or (lambda: http_client(settings, self.webhook))
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        if self._client is None:
            self._client = self._client_factory()
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def tick(self) -> bool:
        return await self.dispatch_due() > 0

    async def dispatch_due(self) -> int:
        """Send every claimed due delivery once; returns how many were attempted."""
        claimed = await self._claim()
        await asyncio.gather(*(self._attempt(delivery, endpoint) for delivery, endpoint in claimed))
        return len(claimed)

    async def _claim(self) -> list[tuple[WebhookDeliveryRow, WebhookEndpointRow]]:
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
            .limit(self.webhook.batch_size)
            .with_for_update(skip_locked=True)
        )
        async with self.database.transaction() as session:
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

    async def _attempt(self, delivery: WebhookDeliveryRow, endpoint: WebhookEndpointRow) -> None:
        if endpoint.state != w.WEBHOOK_ENDPOINT_STATE_ACTIVE:
            outcome = Outcome(error="endpoint_disabled")
        else:
            outcome = await self._post(delivery, endpoint)
        ATTEMPTS.labels("succeeded" if outcome.succeeded else "failed").inc()
        await self._record(delivery, endpoint, outcome)

    async def _post(self, delivery: WebhookDeliveryRow, endpoint: WebhookEndpointRow) -> Outcome:
        try:
            await destinations.check(endpoint.url, allow_loopback=self.allow_loopback)
        except destinations.UnsafeDestination:
            return Outcome(error="unsafe_destination")
        secret = sealing.open_sealed(self.keys, str(endpoint.webhook_endpoint_id), endpoint.sealed_secret)
        headers = signing.headers(secret, str(delivery.webhook_delivery_id), int(time.time()), delivery.body)
        assert self._client is not None, "start() the dispatcher first"
        try:
            response = await self._client.post(endpoint.url, content=delivery.body, headers=headers)
        except httpx.TimeoutException:
            return Outcome(error="timeout")
        except httpx.ConnectError as error:
            tls = isinstance(error.__context__, ssl.SSLError) or "SSL" in str(error) or "certificate" in str(error)
            return Outcome(error="tls_handshake_failed" if tls else "connection_failed")
        except httpx.HTTPError as error:
            return Outcome(error=type(error).__name__[:100])
        if 200 <= response.status_code < 300:
            return Outcome(response.status_code)
        return Outcome(response.status_code, f"http_{response.status_code}")

    async def _record(self, delivery: WebhookDeliveryRow, endpoint: WebhookEndpointRow, outcome: Outcome) -> None:
        now = datetime.now(UTC)
        attempts = delivery.attempt_count + 1
        first = delivery.first_attempt_time or now
        values = {
            "attempt_count": attempts,
            "first_attempt_time": first,
            "last_attempt_time": now,
            "last_http_status_code": outcome.status_code,
            "last_error": outcome.error,
        }
        if outcome.succeeded:
            values |= {"state": SUCCEEDED, "deliver_time": now, "next_attempt_time": None}
        else:
            retry = None if outcome.error == "endpoint_disabled" else self.policy.next_attempt(attempts, first, now)
            values |= {"state": PENDING, "next_attempt_time": retry} if retry else {"state": FAILED}
        async with self.database.transaction() as session:
            # A delivery of an endpoint deleted meanwhile is gone: nothing to record.
            await session.execute(
                update(WebhookDeliveryRow)
                .where(WebhookDeliveryRow.webhook_delivery_id == delivery.webhook_delivery_id)
                .values(**values)
            )
            if values["state"] == FAILED:
                await self._disable_if_dead(session, endpoint.webhook_endpoint_id, now)
        log.info(
            "webhook.attempt",
            webhook_delivery_id=str(delivery.webhook_delivery_id),
            attempt=attempts,
            status=outcome.status_code,
            error=outcome.error,
        )

    async def _disable_if_dead(self, session: AsyncSession, endpoint_id: uuid.UUID, now: datetime) -> None:
        """Disable an endpoint older than the retry period that had no success within it."""
        since = now - self.policy.give_up_after
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
