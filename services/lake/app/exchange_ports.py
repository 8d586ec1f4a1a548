"""What the file exchange needs from outside: the object store's folders, payments, the lake's ledger history."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from libs.iso20022.camt053 import Statement
from libs.iso20022.pain001 import CreditTransfer
from services.lake.domain.file_outcomes import Outcome


class FileStore(Protocol):
    async def keys(self, prefix: str) -> list[str]:
        """Every object key under `prefix`, in key order."""

    async def read(self, key: str) -> bytes: ...

    async def size(self, key: str) -> int: ...

    async def write(self, key: str, data: bytes) -> None: ...

    async def exists(self, key: str) -> bool: ...

    async def move(self, key: str, to: str) -> None:
        """Copy then delete: a crash in between leaves the original, so the file is processed again."""


class PaymentOrders(Protocol):
    async def account_owner(self, account_id: str) -> str | None:
        """The customer who holds the account, None when there is no such account."""

    async def initiate(self, transfer: CreditTransfer, idempotency_key: str) -> Outcome:
        """InitiatePayment for one transfer; NoOutcomeYet when the call must be repeated."""


class LedgerHistory(Protocol):
    async def statements(self, day: date, account_id: str | None = None) -> list[Statement]:
        """The day's statement of every account with entries that day (or of `account_id` alone)."""
