"""Matches payment and account events to the webhook endpoints subscribed to them (consumer of
fintech.payments.events.v1).

For a payment event it folds the payment's events up to that event from the event store: the
resource as it was right after the event, without personal data (a receiver that needs the
remittance text asks RetrievePayment). For an account event it takes the account with the state and
version the event set (balances as they are when the event is matched). Then it finds the ACTIVE
endpoints of the resource's customer that subscribe to the event type, and records one PENDING
delivery per endpoint with its body. The deliveries are inserted in the transaction that records
the event as processed, and (endpoint, event) is unique: an event consumed twice is delivered once.
Sending is the dispatcher's job (app/webhook_delivery.py), so a slow receiver never holds up this consumer or
the payment flow.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from fintech.common.v1 import event_envelope_pb2
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import events_pb2 as ev
from fintech.payments.v1 import payment_pb2 as p
from fintech.payments.v1 import webhook_pb2 as w
from google.protobuf import json_format
from google.protobuf.message import Message
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters.db import accounts, event_store
from services.payments.adapters.db.models import AccountRow, PaymentHistoryRow
from services.payments.adapters.db.webhook_models import WebhookDeliveryRow, WebhookEndpointRow
from services.payments.adapters.events.outbox import subscribable_event_types
from services.payments.domain import payment as domain
from services.runtime.config import Settings
from services.runtime.consumer import EventConsumer
from services.runtime.db import Database
from services.runtime.event_registry import topic_for

log = structlog.get_logger("payments.webhooks")
GROUP_ID = "payments-webhooks"
TOPIC = topic_for("fintech.payments.v1")


class MissingEvents(RuntimeError):
    """The event store lacks events the consumed one follows (retried, then dead-lettered)."""


async def payment_after(session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope) -> p.Payment | None:
    """The payment as it was right after `envelope`: the fold of its events up to that one; None for a
    payment this service never stored (an event on the topic that did not come from its outbox)."""
    envelopes = (await event_store.load_events(session, envelope.subject))[: envelope.sequence]
    if not envelopes:
        return None
    if len(envelopes) != envelope.sequence:
        raise MissingEvents(f"payment {envelope.subject}: {len(envelopes)} events stored, {envelope.sequence} expected")
    return domain.fold(envelopes).payment


async def account_after(
    session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message
) -> a.Account | None:
    row = await session.get(AccountRow, uuid.UUID(envelope.subject))
    if row is None:
        return None  # not an account of this service
    account = accounts.account_message(row)
    account.version = envelope.sequence
    account.update_time.CopyFrom(envelope.occur_time)
    if isinstance(event, ev.AccountStatusChanged):
        account.state, account.state_reason = event.state, event.reason
    elif isinstance(event, ev.AccountOpened):
        account.state, account.state_reason = a.ACCOUNT_STATE_ACTIVE, a.ACCOUNT_STATUS_REASON_UNSPECIFIED
        account.ClearField("close_time")
    return account


def notification_body(
    delivery_id: str, envelope: event_envelope_pb2.EventEnvelope, resource: p.Payment | a.Account
) -> bytes:
    notification = w.WebhookNotification(
        webhook_delivery_id=delivery_id,
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        occur_time=envelope.occur_time,
    )
    if isinstance(resource, p.Payment):
        notification.payment.CopyFrom(resource)
    else:
        notification.account.CopyFrom(resource)
    return json_format.MessageToJson(notification, indent=None).encode()


_ENDPOINTS = WebhookEndpointRow.__table__
_HISTORY = PaymentHistoryRow.__table__
# The payment's customer's active endpoints for the event type; one row with no endpoint id when none,
# no row when the read model does not hold the payment (then the event store decides).
_SUBSCRIBERS = (
    select(_ENDPOINTS.c.webhook_endpoint_id)
    .select_from(
        _HISTORY.outerjoin(
            _ENDPOINTS,
            (_ENDPOINTS.c.customer_id == _HISTORY.c.customer_id)
            & (_ENDPOINTS.c.state == w.WEBHOOK_ENDPOINT_STATE_ACTIVE)
            & _ENDPOINTS.c.event_types.contains(bindparam("event_types")),
        )
    )
    .where(_HISTORY.c.payment_id == bindparam("payment_id"))
)


async def _payment_subscribers(
    session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope
) -> list[uuid.UUID] | None:
    """The active endpoints of the payment's customer for the event type, from the read model (a payment's
    customer never changes, and its row is written with its first event); None when the read model does
    not hold the payment."""
    params = {"payment_id": uuid.UUID(envelope.subject), "event_types": [envelope.event_type]}
    found = (await session.execute(_SUBSCRIBERS, params)).scalars().all()
    return [endpoint for endpoint in found if endpoint is not None] if found else None


class WebhookMatcher(EventConsumer):
    def __init__(self, database: Database, settings: Settings | None = None, **options: Any) -> None:
        options.setdefault("topics", [TOPIC])
        options.setdefault("group_id", GROUP_ID)
        options.setdefault("batch_wait_ms", 100)  # a notification may leave 0.1 s later; the payment never waits
        super().__init__(database, settings=settings, **options)
        self.handles = subscribable_event_types()  # not ledger postings or settlement batches

    async def handle(self, session: AsyncSession, envelope: event_envelope_pb2.EventEnvelope, event: Message) -> None:
        try:
            uuid.UUID(envelope.subject)
        except ValueError:
            return  # no payment or account of this service
        endpoint_ids: Sequence[uuid.UUID] | None = None  # not known yet: the resource's customer tells
        resource: p.Payment | a.Account | None
        if envelope.aggregate_type == "payment":
            endpoint_ids = await _payment_subscribers(session, envelope)
            if endpoint_ids == []:
                return  # most payments: nobody to notify, so no fold of their events
            resource = await payment_after(session, envelope)
        elif envelope.aggregate_type == "account":
            resource = await account_after(session, envelope, event)
        else:
            return  # ledger postings and settlement batches are not subscribable
        if resource is None:
            log.info("webhook.unknown_subject", event_id=envelope.event_id, subject=envelope.subject)
            return
        if endpoint_ids is None:
            subscribers = await session.scalars(
                select(WebhookEndpointRow.webhook_endpoint_id)
                .where(WebhookEndpointRow.customer_id == uuid.UUID(resource.customer_id))
                .where(WebhookEndpointRow.state == w.WEBHOOK_ENDPOINT_STATE_ACTIVE)
                .where(WebhookEndpointRow.event_types.contains([envelope.event_type]))
            )
            endpoint_ids = subscribers.all()
        now = datetime.now(UTC)
        for endpoint_id in endpoint_ids:
            delivery_id = str(uuid.uuid4())
            await session.execute(
                insert(WebhookDeliveryRow)
                .values(
                    webhook_delivery_id=uuid.UUID(delivery_id),
                    webhook_endpoint_id=endpoint_id,
                    event_id=uuid.UUID(envelope.event_id),
                    event_type=envelope.event_type,
                    subject_id=uuid.UUID(envelope.subject),
                    sequence=envelope.sequence,
                    body=notification_body(delivery_id, envelope, resource),
                    state=w.WEBHOOK_DELIVERY_STATE_PENDING,
                    next_attempt_time=now,
                    create_time=now,
                )
                .on_conflict_do_nothing(index_elements=["webhook_endpoint_id", "event_id"])
            )
