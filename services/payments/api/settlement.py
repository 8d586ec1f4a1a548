"""SettlementService: batches of executed off-us payments, their netting reports and their settlement.

For operations staff: `admin` and the back office's operator tool (the cli workload, which the
payments service treats as admin) create, read and move batches; nobody else sees them (the contract's
access rule, checked before a call gets here).
"""

from __future__ import annotations

from datetime import UTC

from fintech.payments.v1 import settlement_service_pb2 as ssvc
from fintech.payments.v1 import settlement_service_pb2_grpc as ssvc_grpc

from services.payments.app.settlement import BatchOrder, SettlementBatches
from services.runtime import access, idempotency, paging
from services.runtime.grpc_types import Context


class Settlement(ssvc_grpc.SettlementServiceServicer):
    def __init__(self, batches: SettlementBatches) -> None:
        self.batches = batches

    async def InitiateSettlementBatch(  # noqa: N802
        self, request: ssvc.InitiateSettlementBatchRequest, context: Context
    ) -> ssvc.InitiateSettlementBatchResponse:
        order = BatchOrder(
            idempotency_key=request.idempotency_key,
            request_digest=idempotency.request_hash(request),
            currency_code=request.currency_code,
            participant_bic=request.participant_bic,
            window_start=request.window_start_time.ToDatetime(UTC),
            window_end=request.window_end_time.ToDatetime(UTC),
        )
        batch = await self.batches.initiate(access.caller(), order)
        return ssvc.InitiateSettlementBatchResponse(settlement_batch=batch)

    async def RetrieveSettlementBatch(  # noqa: N802
        self, request: ssvc.RetrieveSettlementBatchRequest, context: Context
    ) -> ssvc.RetrieveSettlementBatchResponse:
        access.caller()
        batch = await self.batches.retrieve(request.settlement_batch_id)
        return ssvc.RetrieveSettlementBatchResponse(settlement_batch=batch)

    async def ListSettlementBatches(  # noqa: N802
        self, request: ssvc.ListSettlementBatchesRequest, context: Context
    ) -> ssvc.ListSettlementBatchesResponse:
        who = access.caller()
        batches, token = await self.batches.list_page(
            request, paging.request_fingerprint(request, who.subject), states=list(request.states),
            currency_code=request.currency_code, participant_bic=request.participant_bic,
            start=request.start_time.ToDatetime(UTC) if request.HasField("start_time") else None,
            end=request.end_time.ToDatetime(UTC) if request.HasField("end_time") else None,
        )  # fmt: skip
        return ssvc.ListSettlementBatchesResponse(settlement_batches=batches, next_page_token=token)

    async def RetrieveSettlementReport(  # noqa: N802
        self, request: ssvc.RetrieveSettlementReportRequest, context: Context
    ) -> ssvc.RetrieveSettlementReportResponse:
        access.caller()
        report = await self.batches.report(request.settlement_batch_id)
        return ssvc.RetrieveSettlementReportResponse(settlement_report=report)

    async def ControlSettlementBatch(  # noqa: N802
        self, request: ssvc.ControlSettlementBatchRequest, context: Context
    ) -> ssvc.ControlSettlementBatchResponse:
        access.caller()
        batch = await self.batches.control(
            request.settlement_batch_id, request.action, settlement_reference=request.settlement_reference,
            failure_reason=request.failure_reason, expected_version=request.expected_version,
        )  # fmt: skip
        return ssvc.ControlSettlementBatchResponse(settlement_batch=batch)
