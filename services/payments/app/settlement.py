"""Settlement batches' use cases: create (idempotent per caller and key), read, report, and move a batch
through its lifecycle (close and net, settle through the ledger, fail).

For operations staff: the contract's access rule admits only them, before a call gets here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.payments.v1 import settlement_batch_pb2 as sb
from google.protobuf.message import Message

from services.payments.adapters import keyed_responses
from services.payments.adapters.db import settlement
from services.payments.domain import settlement_lifecycle as lifecycle
from services.runtime import idempotency
from services.runtime.access import Principal
from services.runtime.db import Database
from services.runtime.errors import Aborted, FailedPrecondition, InvalidArgument
from services.runtime.validation import Violation

log = structlog.get_logger("payments.settlement")
MAX_WINDOW = timedelta(hours=24)
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class BatchOrder:
    """What InitiateSettlementBatch asks for (api/settlement.py reads it from the request). `request_digest`:
    the request's idempotency hash, which a retry with the same key must match."""

    idempotency_key: str
    request_digest: str
    currency_code: str
    participant_bic: str
    window_start: datetime
    window_end: datetime


class SettlementBatches:
    def __init__(self, database: Database, page_token_key: bytes) -> None:
        self.database = database
        self.page_token_key = page_token_key

    async def initiate(self, who: Principal, request: BatchOrder) -> sb.SettlementBatch:
        """A new batch for the window, with the payments executed in it so far; closed and netted at once
        when the window has ended. A retry with the same key gets the first call's response."""
        start, end = request.window_start, request.window_end
        if not start < end <= start + MAX_WINDOW:
            raise InvalidArgument(
                "the window must end after it starts, at most 24 hours later",
                violations=[Violation("window_end_time", "must be after window_start_time and within 24 hours")],
            )
        scope = idempotency.Scope(who.subject, "InitiateSettlementBatch", request.idempotency_key)
        stored = await idempotency.claim(self.database, scope, request.request_digest)
        if stored is not None:
            stored.raise_error()
            return keyed_responses.stored_batch(stored.response or b"")
        try:
            now = datetime.now(UTC)
            async with self.database.transaction() as session:
                batch = await settlement.create(
                    session, currency_code=request.currency_code, participant_bic=request.participant_bic,
                    start=start, end=end, now=now,
                )  # fmt: skip
                await settlement.gather(session, batch)
                if end <= now:
                    await settlement.close_and_net(session, batch, now)
                message = settlement.batch_message(batch)
                await idempotency.complete(session, scope, response=keyed_responses.initiated_batch(message))
        except BaseException:
            await idempotency.release(self.database, scope)
            raise
        log.info("settlement.batch_created", settlement_batch_id=str(batch.settlement_batch_id),
                 payment_count=batch.payment_count)  # fmt: skip
        return message

    async def retrieve(self, batch_id: str) -> sb.SettlementBatch:
        async with self.database.session() as session:
            return settlement.batch_message(await settlement.load(session, batch_id))

    async def list_page(
        self, page: Message, fingerprint: str, *, states: Sequence[int], currency_code: str, participant_bic: str,
        start: datetime | None, end: datetime | None,
    ) -> tuple[list[sb.SettlementBatch], str]:  # fmt: skip
        async with self.database.session() as session:
            rows, token = await settlement.page_of_batches(
                session, page, self.page_token_key, fingerprint, states=states, currency_code=currency_code,
                participant_bic=participant_bic, start=start, end=end, default_size=DEFAULT_PAGE_SIZE,
            )  # fmt: skip
        return [settlement.batch_message(row) for row in rows], token

    async def report(self, batch_id: str) -> sb.SettlementReport:
        async with self.database.session() as session:
            batch = await settlement.load(session, batch_id)
            return await settlement.report(session, batch, datetime.now(UTC))

    async def control(
        self, batch_id: str, action: int, *, settlement_reference: str, failure_reason: str, expected_version: int
    ) -> sb.SettlementBatch:
        """Close (and net), mark settled (book the nets, settle the payments) or mark failed; a repeat of a
        change that took effect returns the batch unchanged."""
        required = {lifecycle.MARK_SETTLED: ("settlement_reference", settlement_reference),
                    lifecycle.MARK_FAILED: ("failure_reason", failure_reason)}  # fmt: skip
        if action in required and not required[action][1]:
            name = required[action][0]
            raise InvalidArgument(f"{name} is required", violations=[Violation(name, "required for this action")])
        now = datetime.now(UTC)
        async with self.database.transaction() as session:
            batch = await settlement.load(session, batch_id, lock=True)
            try:
                needed = lifecycle.plan(batch.state, action, reference=settlement_reference,
                                        settled_reference=batch.settlement_reference)  # fmt: skip
            except lifecycle.InvalidStateTransition as error:
                raise FailedPrecondition(
                    str(error), reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
                    metadata={"settlement_batch_id": batch_id},
                ) from None  # fmt: skip
            if needed and expected_version and expected_version != batch.version:
                raise Aborted(
                    f"settlement batch {batch_id} is at version {batch.version}",
                    metadata={"settlement_batch_id": batch_id, "version": str(batch.version)},
                )
            if needed and action == lifecycle.CLOSE:
                await settlement.close_and_net(session, batch, now)
            elif needed and action == lifecycle.MARK_SETTLED:
                await settlement.settle(session, batch, settlement_reference, now)
            elif needed:
                await settlement.fail(session, batch, failure_reason, now)
            message = settlement.batch_message(batch)
        log.info("settlement.batch_controlled", settlement_batch_id=batch_id,
                 action=lifecycle.ACTION_NAMES.get(action, str(action)), changed=needed)  # fmt: skip
        return message
