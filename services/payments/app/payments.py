"""The payments application: initiate, screen, execute, cancel, review and read payments.

The servicers (api/) translate gRPC to these methods; the property tests drive them directly. What the
use cases share is in core.py; initiation and review have modules of their own.
"""

from __future__ import annotations

import uuid

from fintech.payments.v1 import payment_pb2 as p
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.adapters.db import accounts, projection
from services.payments.adapters.db.projection import PaymentFilter, ReplayReport
from services.payments.app import initiation, review
from services.payments.app.core import Execution, PaymentsCore, check_range, reachable_account
from services.payments.app.initiation import PaymentOrder
from services.payments.domain.payment import Folded
from services.runtime import access
from services.runtime.access import Principal
from services.runtime.errors import NotFound

__all__ = ["Execution", "PaymentFilter", "PaymentOrder", "Payments"]
DEFAULT_PAGE_SIZE = 50


class Payments(PaymentsCore):
    async def initiate(self, who: Principal, order: PaymentOrder) -> p.Payment:
        return await initiation.initiate(self, who, order)

    async def cancel(self, who: Principal, payment_id: str, reason: str, expected_version: int = 0) -> p.Payment:
        return await review.cancel(self, who, payment_id, reason, expected_version)

    async def control(
        self, who: Principal, payment_id: str, decision: int, note: str, expected_version: int = 0
    ) -> p.Payment:
        return await review.control(self, who, payment_id, decision, note, expected_version)

    async def retrieve(self, payment_id: str) -> p.Payment:
        """RetrievePayment: its payer's and, when on us, its payee's too."""
        async with self.database.session() as session:
            try:
                folded = await self.read(session, payment_id)
            except NotFound as error:
                raise access.unknown(error) from None
            await self._may_read(session, folded)
            return await self.present(session, folded)

    async def _may_read(self, session: AsyncSession, folded: Folded) -> None:
        customers = [folded.payment.customer_id]
        if folded.payment.creditor_account_id and access.scoped_customer() not in (None, *customers):
            creditor = await accounts.get(session, folded.payment.creditor_account_id)
            customers.append(str(creditor.customer_id) if creditor else "")
        access.require_owner_of_any(customers)

    async def list_page(self, where: PaymentFilter, page: Message, fingerprint: str) -> tuple[list[p.Payment], str]:
        """ListPayments: by an account the caller may reach, or by the caller's own customer id."""
        check_range(where.start, where.end)
        async with self.database.session() as session:
            if where.account_id:
                await reachable_account(session, where.account_id)
            else:  # a customer lists by their own customer id (or account): never everyone's
                access.require_owner(where.customer_id)
            folds, token = await projection.page_of_payments(
                session, where, page, self.page_token_key, fingerprint, DEFAULT_PAGE_SIZE
            )
            return [await self.present(session, folded) for folded in folds], token

    async def replay_projections(self, payment_id: str, dry_run: bool) -> ReplayReport:
        """Rebuild the read model from the event store (one payment's, or every one); NotFound for an
        unknown payment."""
        target = uuid.UUID(payment_id) if payment_id else None
        async with self.database.transaction() as session:
            report = await projection.replay(session, payment_id=target, dry_run=dry_run)
        if target is not None and report.payments_rebuilt == 0:
            raise NotFound(f"payment {payment_id} not found", metadata={"payment_id": payment_id})
        return report
