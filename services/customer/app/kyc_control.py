"""A compliance officer's decision on a KYC check in manual review (four eyes)."""

from __future__ import annotations

import uuid

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.customer.v1 import events_pb2 as ev
from fintech.customer.v1 import kyc_check_pb2 as k

from services.customer.adapters.db import personal_data, queries
from services.customer.app import idempotent
from services.customer.app.context import CustomerContext, authorise, kyc_view, now
from services.customer.app.idempotent import Retry
from services.customer.app.kyc_checks import load_check, set_state
from services.customer.domain import kyc
from services.customer.domain.access import Action
from services.customer.domain.records import check_etag
from services.runtime.access import Principal
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.runtime.idempotency import Scope
from services.runtime.validation import Violation


def _require_reasons_fit(approve: bool, reason_codes: list[k.KycReasonCode]) -> None:
    if approve and reason_codes:
        raise InvalidArgument(
            "an approval takes no reason codes", violations=[Violation("reason_codes", "must be empty for an approval")]
        )
    if not approve and not reason_codes:
        raise InvalidArgument(
            "a rejection needs reason codes", violations=[Violation("reason_codes", "must name at least one reason")]
        )


async def control(
    ctx: CustomerContext,
    principal: Principal,
    customer_id: str,
    kyc_check_id: str,
    check_etag_given: str,
    decision: k.ManualReviewDecision,
    reason_codes: list[k.KycReasonCode],
    note: str,
    retry: Retry,
) -> k.KycCheck:
    """Approve or reject a check in manual review; the reviewer's note is sealed with the customer's key."""
    approve = decision == k.MANUAL_REVIEW_DECISION_APPROVE
    _require_reasons_fit(approve, reason_codes)

    async def replay(resolved_check_id: uuid.UUID) -> k.KycCheck:
        async with ctx.database.session() as session:
            check_row = await queries.kyc_check(session, resolved_check_id)
            if check_row is None:
                raise NotFound(f"KYC check {resolved_check_id} not found")
            return kyc_view(principal, check_row, await ctx.key_ring(session, check_row.customer_id))

    async def work(scope: Scope) -> k.KycCheck:
        async with ctx.database.transaction() as session:
            row = await ctx.load(session, customer_id, lock=True)
            authorise(principal, Action.RESOLVE_KYC, row)
            if principal.subject in (row.registered_by, row.identity_changed_by):
                raise PermissionDenied(
                    "four eyes: the reviewer registered or last changed this customer's identity data"
                )
            check_row = await load_check(session, row, kyc_check_id, lock=True)
            check_etag(check_etag_given, check_row.version, "check")
            if check_row.state != k.KYC_CHECK_STATE_MANUAL_REVIEW:
                raise FailedPrecondition(
                    "the check is not in manual review", reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION
                )
            ring = await ctx.key_ring(session, row.customer_id)
            sealed_note = ring.seal(personal_data.NOTE_FIELD, note.encode())
            state = k.KYC_CHECK_STATE_VERIFIED if approve else k.KYC_CHECK_STATE_REJECTED
            codes: list[k.KycReasonCode] = (
                [k.KYC_REASON_CODE_APPROVED_BY_REVIEWER]
                if approve
                else [k.KYC_REASON_CODE_REJECTED_BY_REVIEWER, *reason_codes]
            )
            check = k.KycCheck.FromString(check_row.body)
            at = now()
            check.state = state
            check.reasons.insert(
                0, kyc.reason(codes[0], k.KYC_STEP_MANUAL_REVIEW, "", "Decided by a compliance officer.")
            )
            step = check.step_results.add(
                step=k.KYC_STEP_MANUAL_REVIEW,
                outcome=k.KYC_STEP_OUTCOME_PASSED if approve else k.KYC_STEP_OUTCOME_FAILED,
            )
            step.complete_time.FromDatetime(at)
            resolution = check.manual_review_resolution
            resolution.decision, resolution.reviewer_id = decision, principal.subject
            resolution.reason_codes.extend(reason_codes)
            resolution.resolve_time.FromDatetime(at)
            check.update_time.FromDatetime(at)
            check_row.state, check_row.body, check_row.version = state, check.SerializeToString(), check_row.version + 1
            check_row.note = sealed_note.SerializeToString()
            await idempotent.record(session, scope, check_row.kyc_check_id)
            resolved = ev.KycCheckManuallyResolved(
                customer_id=str(row.customer_id),
                kyc_check_id=str(check_row.kyc_check_id),
                decision=decision,
                state=state,
                reason_codes=codes,
                reviewer_id=principal.subject,
                note=sealed_note,
            )
            await ctx.emit(session, row, resolved)
            await set_state(ctx, session, row, kyc.CUSTOMER_STATE_OF_CHECK[state], check_row.kyc_check_id, list(codes))
            return kyc_view(principal, check_row, ring)

    return await idempotent.once(ctx.database, principal, "ControlKycCheck", retry, work, replay)
