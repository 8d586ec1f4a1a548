"""Position keeping's use cases: open, read, list and control accounts, and list an account's ledger entries.

Callers reach only their own accounts (services.runtime.access); unknown and another's are refused alike
(AIP-211). Opening is idempotent per caller and key.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.money_pb2 import Money
from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import ledger_entry_pb2 as le
from google.protobuf.message import Message

from services.payments.adapters import keyed_responses
from services.payments.adapters.db import accounts, ledger
from services.payments.adapters.sealing import Sealer
from services.payments.app.core import check_range, reachable_account
from services.payments.app.initiation import DOMAIN, TRANSIENT
from services.payments.app.ports import Verification
from services.runtime import access, idempotency
from services.runtime.access import Principal
from services.runtime.db import Database
from services.runtime.errors import DomainError, InvalidArgument, PermissionDenied
from services.runtime.idempotency import Scope
from services.runtime.validation import Violation

DEFAULT_PAGE_SIZE = 50
DEFAULT_ENTRY_PAGE_SIZE = 100
NOTE_FIELD = "fintech.payments.v1.AccountStatusChanged.note"  # the sealed note's associated data


@dataclass(frozen=True)
class AccountOrder:
    """What OpenAccount asks for (api/position_keeping.py reads it from the request). `request_digest`: the
    request's idempotency hash, which a retry with the same key must match."""

    idempotency_key: str
    request_digest: str
    customer_id: str
    currency_code: str
    account_type: int
    overdraft_limit: Money | None = None


class Accounts:
    def __init__(
        self, database: Database, sealer: Sealer, verification: Verification | None, page_token_key: bytes
    ) -> None:
        self.database = database
        self.sealer = sealer
        self.verification = verification
        self.page_token_key = page_token_key

    async def open(self, who: Principal, request: AccountOrder) -> a.Account:
        """OpenAccount: a customer's account (KYC passed), or an internal one by the back office."""
        overdraft = request.overdraft_limit or Money()
        if request.overdraft_limit is not None and overdraft.currency_code != request.currency_code:
            raise InvalidArgument("the overdraft limit must be in the account's currency",
                                  reason=ErrorReason.ERROR_REASON_CURRENCY_MISMATCH)  # fmt: skip
        if overdraft.amount_minor < 0:
            raise InvalidArgument("invalid request: overdraft_limit.amount_minor", violations=[
                Violation("overdraft_limit.amount_minor", "must not be negative")])  # fmt: skip
        internal = request.account_type == a.ACCOUNT_TYPE_INTERNAL
        if internal and not who.has(access.ADMIN):
            raise PermissionDenied("internal accounts are opened only by the back office",
                                   reason=ErrorReason.ERROR_REASON_CALLER_NOT_ALLOWED)  # fmt: skip
        if not internal:
            access.require_owner(request.customer_id)
        scope = Scope(who.subject, "OpenAccount", request.idempotency_key)
        stored = await idempotency.claim(self.database, scope, request.request_digest)
        if stored is not None:
            stored.raise_error()
            return keyed_responses.stored_account(stored.response or b"")
        try:
            if not internal and self.verification is not None:
                await self.verification.require_verified(request.customer_id)
            async with self.database.transaction() as session:
                row = await accounts.open_account(
                    session, customer_id=request.customer_id, currency_code=request.currency_code,
                    account_type=request.account_type, overdraft_limit_minor=overdraft.amount_minor,
                )  # fmt: skip
                account = accounts.account_message(row)
                await idempotency.complete(session, scope, response=keyed_responses.opened_account(account))
            return account
        except DomainError as error:
            await self._settle_key(scope, error)
            raise

    async def _settle_key(self, scope: Scope, error: DomainError) -> None:
        """After a failed keyed call: a transient failure or an access refusal frees the key (a refused call
        leaves nothing behind), any other is its stored outcome."""
        if isinstance(error, (*TRANSIENT, PermissionDenied)):
            await idempotency.release(self.database, scope)
        else:
            async with self.database.transaction() as session:
                await idempotency.complete(session, scope, error=error, domain=DOMAIN)

    async def retrieve(self, account_id: str) -> a.Account:
        async with self.database.session() as session:
            return accounts.account_message(await reachable_account(session, account_id))

    async def list_page(
        self, customer_id: str, states: Sequence[int], page: Message, fingerprint: str
    ) -> tuple[list[a.Account], str]:
        access.require_owner(customer_id)
        async with self.database.session() as session:
            rows, token = await accounts.page_of_accounts(
                session, customer_id, states, page, self.page_token_key, fingerprint, DEFAULT_PAGE_SIZE
            )
        return [accounts.account_message(row) for row in rows], token

    async def control(
        self, who: Principal, account_id: str, *, action: int, reason: int, note: str, expected_version: int
    ) -> a.Account:
        """Freeze, unfreeze or close (a zero balance and no pending payment); the note is sealed."""
        if reason == a.ACCOUNT_STATUS_REASON_OTHER and not note:
            raise InvalidArgument("invalid request: note", violations=[
                Violation("note", "is required when the reason is OTHER")])  # fmt: skip
        async with self.database.transaction() as session:
            holder = await reachable_account(session, account_id)
            sealed = None
            if note:
                data_key = await self.sealer.key(session, str(holder.customer_id), create=True)
                sealed = self.sealer.seal(data_key, NOTE_FIELD, note.encode())
            pending = await accounts.pending_payments(session, uuid.UUID(account_id))
            row = await accounts.control_account(
                session, account_id, action=action, reason=reason, changed_by=who.subject, note=sealed,
                expected_version=expected_version, pending_payments=pending,
            )  # fmt: skip
            return accounts.account_message(row)

    async def entries(
        self, account_id: str, start: datetime | None, end: datetime | None, page: Message, fingerprint: str
    ) -> tuple[list[le.LedgerEntry], str]:
        """The account's ledger entries booked in [start, end)."""
        check_range(start, end)
        async with self.database.session() as session:
            await reachable_account(session, account_id)
            return await ledger.page_of_entries(
                session, account_id, start, end, page, self.page_token_key, fingerprint, DEFAULT_ENTRY_PAGE_SIZE
            )

    async def executed_totals(self, start: datetime | None, end: datetime) -> list[ledger.ExecutedTotal]:
        """Executed payments booked in [start, end) per UTC day and currency (for the lake's reconciliation)."""
        check_range(start, end)
        async with self.database.session() as session:
            return await ledger.executed_totals(session, start, end)
