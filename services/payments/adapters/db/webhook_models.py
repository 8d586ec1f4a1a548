"""The webhook tables, on the payments service's metadata (migration 0003).

- `webhook_endpoints`: a customer's endpoint, its subscribed event types and its signing secret,
  sealed (services.payments.adapters.webhook_secrets); only the last four characters are kept in clear.
- `webhook_deliveries`: one row per (endpoint, event), unique, so an event consumed twice is delivered
  once; the JSON body is fixed when the event is matched (the resource as it was right after the
  event) and signed afresh on every attempt. Deleting an endpoint drops its deliveries.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.adapters.db.models import Base


class WebhookEndpointRow(Base):
    __tablename__ = "webhook_endpoints"

    webhook_endpoint_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    url: Mapped[str] = mapped_column(Text)
    event_types: Mapped[list[str]] = mapped_column(ARRAY(Text))
    description: Mapped[str] = mapped_column(Text, server_default=text("''"))
    state: Mapped[int] = mapped_column(Integer)
    sealed_secret: Mapped[bytes] = mapped_column(LargeBinary)
    secret_hint: Mapped[str] = mapped_column(Text)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_webhook_endpoints_customer_id_create_time", "customer_id", "create_time", "webhook_endpoint_id"),
    )


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"

    webhook_delivery_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    webhook_endpoint_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("webhook_endpoints.webhook_endpoint_id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_type: Mapped[str] = mapped_column(Text)
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    sequence: Mapped[int] = mapped_column(BigInteger)  # the event's version: one subject's order
    body: Mapped[bytes] = mapped_column(LargeBinary)  # the WebhookNotification as proto3 JSON
    state: Mapped[int] = mapped_column(Integer)
    attempt_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_http_status_code: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str] = mapped_column(Text, server_default=text("''"))
    first_attempt_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Due time while PENDING; also the lease of an attempt in flight (LEASE in adapters/db/webhooks.py).
    next_attempt_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    deliver_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("webhook_endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_webhook_endpoint_id_create_time", "webhook_endpoint_id", "create_time"),
        Index("ix_webhook_deliveries_due", "next_attempt_time", postgresql_where=text("state = 1")),
        Index(
            "ix_webhook_deliveries_pending_subject",
            "webhook_endpoint_id",
            "subject_id",
            "sequence",
            postgresql_where=text("state = 1"),
        ),
    )
