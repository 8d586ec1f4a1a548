"""What the use cases need from outside the service."""

from __future__ import annotations

from typing import Protocol

from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import kyc_check_pb2 as k

# The screening result and the compliance service's match status (None, None: it could not answer).
Screened = tuple[k.SanctionsScreeningResult | None, int | None]


class Screening(Protocol):
    """Sanctions and PEP screening of a customer by the compliance service."""

    async def screen(self, customer: c.Customer, trigger: k.KycCheckTrigger) -> Screened: ...
