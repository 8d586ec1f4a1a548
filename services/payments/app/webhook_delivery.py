"""The dispatcher: sends due webhook deliveries, signed, and schedules retries of failed ones.

Each round claims due PENDING deliveries (adapters/db/webhooks.py: several service instances share the
work, each claimed delivery leased for a while), then sends them with no transaction open; an instance that
dies mid-attempt leaves the lease to expire, and the delivery is tried again (delivery is at least once;
receivers deduplicate on the event id). A delivery waits while an earlier event of the same subject is still
pending for its endpoint, so one subject's events arrive in order. A 2xx within the timeout acknowledges;
anything else is retried on the RetryPolicy until it gives up and the delivery is FAILED. The destination is
checked again before each attempt (a name can be re-pointed after registration).

A kill switch, the `webhook-delivery` flag (flags/flags.flagd.json), is read every round: while it is off no
delivery is claimed, so every delivery stays PENDING (held, never dropped, and not counted against its retry period,
which starts at the first attempt) and goes out in order once it is on again. Its safe default is on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from fintech.payments.v1 import webhook_pb2 as w
from prometheus_client import Counter, Gauge

from services.payments.adapters import webhook_destinations as destinations
from services.payments.adapters import webhook_secrets
from services.payments.adapters.db import webhooks
from services.payments.adapters.db.webhook_models import WebhookDeliveryRow, WebhookEndpointRow
from services.payments.config import PaymentsKeys, WebhookSettings
from services.payments.domain import webhook_signing as signing
from services.payments.domain.webhook_schedule import Outcome
from services.runtime.db import Database
from services.runtime.flags import Flags
from services.runtime.periodic import PeriodicTask

log = structlog.get_logger("payments.webhooks")
ATTEMPTS = Counter("webhook_attempts_total", "Webhook delivery attempts, by outcome.", ["outcome"])
HELD = Gauge("webhook_delivery_held", "1 while the webhook-delivery kill switch holds every delivery (kept pending).")
KILL_SWITCH = "webhook-delivery"


class Sender(Protocol):
    """Sends one webhook request (adapters/webhook_sender.py: HTTP); opened and closed with the dispatcher."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome: ...


class WebhookDispatcher(PeriodicTask):
    def __init__(
        self,
        database: Database,
        keys: PaymentsKeys,
        sender: Sender,
        webhook: WebhookSettings | None = None,
        *,
        allow_loopback: bool = False,
        flags: Flags | None = None,
    ) -> None:
        self.webhook = webhook or WebhookSettings()
        super().__init__("webhook-dispatcher", self.webhook.poll_interval_seconds)
        self.database = database
        self.keys = keys
        self.sender = sender
        self.policy = self.webhook.retry_policy()
        self.allow_loopback = allow_loopback  # the dev mesh's receivers listen on 127.0.0.1
        self.flags = flags
        self.held = False

    async def start(self) -> None:
        await self.sender.start()
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        await self.sender.stop()

    async def tick(self) -> bool:
        return await self.dispatch_due() > 0

    async def dispatch_due(self) -> int:
        """Send every claimed due delivery once; returns how many were attempted (none while held)."""
        if not self.delivering():
            return 0
        claimed = await webhooks.claim_due(self.database, self.webhook.batch_size)
        await asyncio.gather(*(self._attempt(delivery, endpoint) for delivery, endpoint in claimed))
        return len(claimed)

    def delivering(self) -> bool:
        """The kill switch, read every round (no restart): False holds every delivery."""
        on = self.flags is None or self.flags.boolean(KILL_SWITCH, True).value
        if on == self.held:  # a change: say so once
            if on:
                log.info("webhook.resumed", flag=KILL_SWITCH)
            else:
                log.warning("webhook.held", flag=KILL_SWITCH)
            self.held = not on
            HELD.set(1 if self.held else 0)
        return on

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
        secret = webhook_secrets.open_sealed(self.keys, str(endpoint.webhook_endpoint_id), endpoint.sealed_secret)
        headers = signing.headers(secret, str(delivery.webhook_delivery_id), int(time.time()), delivery.body)
        return await self.sender.post(endpoint.url, delivery.body, headers)

    async def _record(self, delivery: WebhookDeliveryRow, endpoint: WebhookEndpointRow, outcome: Outcome) -> None:
        now = datetime.now(UTC)
        attempts = delivery.attempt_count + 1
        first = delivery.first_attempt_time or now
        values: dict[str, Any] = {
            "attempt_count": attempts,
            "first_attempt_time": first,
            "last_attempt_time": now,
            "last_http_status_code": outcome.status_code,
            "last_error": outcome.error,
        }
        if outcome.succeeded:
            values |= {"state": webhooks.SUCCEEDED, "deliver_time": now, "next_attempt_time": None}
        else:
            retry = None if outcome.error == "endpoint_disabled" else self.policy.next_attempt(attempts, first, now)
            values |= {"state": webhooks.PENDING, "next_attempt_time": retry} if retry else {"state": webhooks.FAILED}
        # A delivery that failed for good disables an endpoint older than the retry period with no success in it.
        dead_since = now - self.policy.give_up_after if values["state"] == webhooks.FAILED else None
        await webhooks.record_attempt(
            self.database, delivery.webhook_delivery_id, values, endpoint_id=endpoint.webhook_endpoint_id,
            disable_unless_success_since=dead_since, now=now,
        )  # fmt: skip
        log.info(
            "webhook.attempt",
            webhook_delivery_id=str(delivery.webhook_delivery_id),
            attempt=attempts,
            status=outcome.status_code,
            error=outcome.error,
        )
