"""A minimal service schema for the runtime's tests: one table of applied effects."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from services.runtime.db import declarative_base

Base = declarative_base()


class Entry(Base):
    """One applied effect: a state change of the sample service (or of its consumer)."""

    __tablename__ = "sample_entries"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    event_id: Mapped[uuid.UUID | None]
    subject: Mapped[str] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
