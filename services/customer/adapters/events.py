"""The customer's events into the transactional outbox (the runtime's relay publishes them)."""

from __future__ import annotations

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from services.customer.adapters.db.models import CustomerRow
from services.runtime import outbox


async def emit(session: AsyncSession, row: CustomerRow, event: Message, source: str) -> None:
    """Record a customer event in the outbox, in the caller's transaction, as the aggregate's next version."""
    row.event_sequence = (row.event_sequence or 0) + 1
    await outbox.record(session, event, subject=str(row.customer_id), sequence=row.event_sequence, source=source)
