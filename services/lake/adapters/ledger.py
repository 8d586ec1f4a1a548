"""The ledger's executed-payment totals, asked of payments' PositionKeepingService as the lake's identity (the mesh
policy lets the lake call RetrieveExecutedPaymentTotals alone; it reads no other service's database)."""

from __future__ import annotations

from datetime import date, datetime

from fintech.payments.v1 import position_keeping_service_pb2 as pk
from fintech.payments.v1 import position_keeping_service_pb2_grpc as pk_grpc

from services.lake.domain.reconciliation import DayCurrency, Totals
from services.runtime.clients import ServiceClient

TIMEOUT = 10.0  # a scan of the window's ledger entries, not a hot path


class LedgerTotals:
    def __init__(self, payments: ServiceClient, timeout: float = TIMEOUT) -> None:
        self._payments = payments
        self._stub = payments.stub(pk_grpc.PositionKeepingServiceStub)
        self._timeout = timeout

    async def executed(self, start: datetime, end: datetime) -> dict[DayCurrency, Totals]:
        """Executed payments booked in [start, end) per UTC day and currency."""
        request = pk.RetrieveExecutedPaymentTotalsRequest()
        request.start_time.FromDatetime(start)
        request.end_time.FromDatetime(end)
        response: pk.RetrieveExecutedPaymentTotalsResponse = await self._payments.call(
            self._stub.RetrieveExecutedPaymentTotals, request, timeout=self._timeout
        )
        return {
            DayCurrency(date(t.booking_date.year, t.booking_date.month, t.booking_date.day), t.amount.currency_code):
                Totals(t.payment_count, t.amount.amount_minor)
            for t in response.totals
        }  # fmt: skip
