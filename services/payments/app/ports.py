"""What the payment use cases need from other services (the adapters in adapters/clients.py provide them)."""

from __future__ import annotations

from typing import Protocol

from fintech.payments.v1 import payment_pb2 as p
from fintech.risk.v1 import transaction_pb2 as t


class Screening(Protocol):
    """Fraud and compliance screening; an outcome with `screening_skipped` when it could not be done."""

    async def screen(self, tx: t.Transaction) -> p.ScreeningOutcome: ...


class Verification(Protocol):
    """FAILED_PRECONDITION unless the customer may pay (KYC passed, not erased)."""

    async def require_verified(self, customer_id: str) -> None: ...


class ChannelRollout(Protocol):
    def admits(self, channel: p.PaymentChannel, customer_id: str, segment: str) -> bool:
        """Whether the channel takes the customer's payments (a new channel opens to a growing share of them)."""
        ...
