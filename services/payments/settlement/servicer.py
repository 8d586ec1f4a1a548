"""SettlementService: batches of executed off-us payments, their netting reports and their settlement.

For operations staff: `admin` and the back office's operator tool (the cli workload, which the
payments service treats as admin) create, read and move batches; nobody else sees them.
InitiateSettlementBatch is idempotent per (caller, key) through the payments service's idempotency
keys: a retry gets the first call's response.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.payments.v1 import settlement_service_pb2 as ssvc
from fintech.payments.v1 import settlement_service_pb2_grpc as ssvc_grpc
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.config import PaymentsKeys
from services.payments.settlement import batches, lifecycle
from services.payments.settlement.models import SettlementBatchRow
from services.runtime import access, idempotency, paging
from services.runtime.access import Principal
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.errors import (
    Aborted,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from services.runtime.periodic import PeriodicTask
from services.runtime.validation import Violation

log = structlog.get_logger("payments.settlement")
MAX_WINDOW = timedelta(hours=24)
DEFAULT_PAGE_SIZE = 50


class Settlement(ssvc_grpc.SettlementServiceServicer):
    def __init__(self, database: Database, settings: Settings, keys: PaymentsKeys) -> None:
        self.database, self.settings, self.keys = database, settings, keys

    def _caller(self, context) -> Principal:
        # Settlement is for operations staff: the contract's access rule, checked before the call got here.
        return access.caller()

    async def InitiateSettlementBatch(self, request: ssvc.InitiateSettlementBatchRequest, context):  # noqa: N802
        who = self._caller(context)
        start, end = request.window_start_time.ToDatetime(UTC), request.window_end_time.ToDatetime(UTC)
        if not start < end <= start + MAX_WINDOW:
            raise InvalidArgument(
                "the window must end after it starts, at most 24 hours later",
                violations=[Violation("window_end_time", "must be after window_start_time and within 24 hours")],
            )
        scope = idempotency.Scope(who.subject, "InitiateSettlementBatch", request.idempotency_key)
        stored = await idempotency.claim(self.database, scope, idempotency.request_hash(request))
        if stored is not None:
            stored.raise_error()
            return ssvc.InitiateSettlementBatchResponse.FromString(stored.response)
        try:
            now = datetime.now(UTC)
            async with self.database.transaction() as session:
                batch = await batches.create(
                    session, currency_code=request.currency_code, participant_bic=request.participant_bic,
                    start=start, end=end, now=now,
                )  # fmt: skip
                await batches.gather(session, batch)
                if end <= now:
                    await batches.close_and_net(session, batch, now)
                response = ssvc.InitiateSettlementBatchResponse(settlement_batch=batches.batch_message(batch))
                await idempotency.complete(session, scope, response=response)
        except BaseException:
            await idempotency.release(self.database, scope)
            raise
        log.info("settlement.batch_created", settlement_batch_id=str(batch.settlement_batch_id),
                 payment_count=batch.payment_count)  # fmt: skip
        return response

    async def RetrieveSettlementBatch(self, request: ssvc.RetrieveSettlementBatchRequest, context):  # noqa: N802
        self._caller(context)
        async with self.database.session() as session:
            batch = await _load(session, request.settlement_batch_id)
        return ssvc.RetrieveSettlementBatchResponse(settlement_batch=batches.batch_message(batch))

    async def ListSettlementBatches(self, request: ssvc.ListSettlementBatchesRequest, context):  # noqa: N802
        who = self._caller(context)
        query = select(SettlementBatchRow)
        if request.states:
            query = query.where(SettlementBatchRow.state.in_(list(request.states)))
        if request.currency_code:
            query = query.where(SettlementBatchRow.currency_code == request.currency_code)
        if request.participant_bic:
            query = query.where(SettlementBatchRow.participant_bic == batches.participant(request.participant_bic))
        if request.HasField("start_time"):
            query = query.where(SettlementBatchRow.window_start_time >= request.start_time.ToDatetime(UTC))
        if request.HasField("end_time"):
            query = query.where(SettlementBatchRow.window_start_time < request.end_time.ToDatetime(UTC))
        order = (SettlementBatchRow.window_start_time, SettlementBatchRow.settlement_batch_id)
        async with self.database.session() as session:
            rows, token = await paging.keyset_page(
                session, query, order, request, self.keys.page_token_key,
                paging.request_fingerprint(request, who.subject), descending=True, default_size=DEFAULT_PAGE_SIZE,
            )  # fmt: skip
        return ssvc.ListSettlementBatchesResponse(
            settlement_batches=[batches.batch_message(r) for r in rows], next_page_token=token
        )

    async def RetrieveSettlementReport(self, request: ssvc.RetrieveSettlementReportRequest, context):  # noqa: N802
        self._caller(context)
        async with self.database.session() as session:
            batch = await _load(session, request.settlement_batch_id)
            report = await batches.report(session, batch, datetime.now(UTC))
        return ssvc.RetrieveSettlementReportResponse(settlement_report=report)

    async def ControlSettlementBatch(self, request: ssvc.ControlSettlementBatchRequest, context):  # noqa: N802
        self._caller(context)
        action = request.action
        required = {lifecycle.MARK_SETTLED: "settlement_reference", lifecycle.MARK_FAILED: "failure_reason"}
        if action in required and not getattr(request, required[action]):
            name = required[action]
            raise InvalidArgument(f"{name} is required", violations=[Violation(name, "required for this action")])
        now = datetime.now(UTC)
        async with self.database.transaction() as session:
            batch = await _load(session, request.settlement_batch_id, lock=True)
            try:
                needed = lifecycle.plan(batch.state, action, reference=request.settlement_reference,
                                        settled_reference=batch.settlement_reference)  # fmt: skip
            except lifecycle.InvalidStateTransition as error:
                raise FailedPrecondition(
                    str(error), reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
                    metadata={"settlement_batch_id": request.settlement_batch_id},
                ) from None  # fmt: skip
            if needed and request.expected_version and request.expected_version != batch.version:
                raise Aborted(
                    f"settlement batch {request.settlement_batch_id} is at version {batch.version}",
                    metadata={"settlement_batch_id": request.settlement_batch_id, "version": str(batch.version)},
                )
            if needed and action == lifecycle.CLOSE:
                await batches.close_and_net(session, batch, now)
            elif needed and action == lifecycle.MARK_SETTLED:
                await batches.settle(session, batch, request.settlement_reference, now)
            elif needed:
                await batches.fail(session, batch, request.failure_reason, now)
            response = ssvc.ControlSettlementBatchResponse(settlement_batch=batches.batch_message(batch))
        log.info("settlement.batch_controlled", settlement_batch_id=request.settlement_batch_id,
                 action=ssvc.SettlementBatchAction.Name(action), changed=needed)  # fmt: skip
        return response


async def _load(session: AsyncSession, batch_id: str, *, lock: bool = False) -> SettlementBatchRow:
    row = await session.get(SettlementBatchRow, uuid.UUID(batch_id), with_for_update=lock)
    if row is None:
        raise NotFound(f"settlement batch {batch_id} not found", metadata={"settlement_batch_id": batch_id})
    return row


class WindowCloser(PeriodicTask):
    """Runs beside the service: gathers payments into OPEN batches, and closes and nets those whose
    window has ended (a batch closes on its own, settlement_batch.proto)."""

    def __init__(self, database: Database, interval: float = 5.0) -> None:
        super().__init__("settlement-window-closer", interval)
        self.database = database

    async def tick(self) -> bool:
        now = datetime.now(UTC)
        async with self.database.transaction() as session:
            open_batches = await session.scalars(
                select(SettlementBatchRow)
                .where(SettlementBatchRow.state == lifecycle.OPEN)
                .with_for_update(skip_locked=True)
            )
            for batch in open_batches:
                if batch.window_end_time <= now:
                    await batches.close_and_net(session, batch, now)
                else:
                    await batches.gather(session, batch)
        return False
