"""When an accepted payment may be booked: at once, or from its requested execution date on.

The business date is the UTC date; a bank calendar (TARGET2 holidays) would shift it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from fintech.payments.v1 import payment_pb2 as p


def today() -> date:
    return datetime.now(UTC).date()


def due(payment: p.Payment, on: date | None = None) -> bool:
    """Whether an accepted payment may be executed on the date `on` (default today): no requested date, or
    the date has come."""
    if not payment.HasField("requested_execution_date"):
        return True
    wanted = payment.requested_execution_date
    return date(wanted.year, wanted.month, wanted.day) <= (on or today())
