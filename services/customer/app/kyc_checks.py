"""KYC checks: starting one (automatic steps and screening), reading them, and the customer state they set."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.customer.v1 import customer_pb2 as c
from fintech.customer.v1 import events_pb2 as ev
from fintech.customer.v1 import kyc_check_pb2 as k
from sqlalchemy.ext.asyncio import AsyncSession

from services.customer.adapters.db import personal_data, queries
from services.customer.adapters.db.models import CustomerRow, KycCheckRow
from services.customer.app import idempotent
from services.customer.app.context import CustomerContext, authorise, kyc_view, log, now
from services.customer.app.idempotent import Retry
from services.customer.domain import kyc
from services.customer.domain.access import Action
from services.customer.domain.records import check_etag, etag
from services.runtime import paging
from services.runtime.access import Principal
from services.runtime.errors import FailedPrecondition, NotFound
from services.runtime.idempotency import Scope


def verification_changed(
    row: CustomerRow, previous: int, check_id: str, codes: Iterable[k.KycReasonCode]
) -> ev.CustomerVerificationChanged:
    return ev.CustomerVerificationChanged(
        customer_id=str(row.customer_id),
        previous_state=cast(c.CustomerState, previous),
        state=cast(c.CustomerState, row.state),
        payments_allowed=row.state == c.CUSTOMER_STATE_VERIFIED,
        kyc_check_id=check_id,
        reason_codes=list(codes),
    )


async def set_state(
    ctx: CustomerContext,
    session: AsyncSession,
    row: CustomerRow,
    state: int,
    check_id: uuid.UUID,
    codes: list[k.KycReasonCode],
) -> None:
    """The customer's state as the check decided it (an event when it changes)."""
    row.state_kyc_check_id = check_id
    if row.state == state:
        return
    previous = row.state
    row.state, row.state_change_time = state, now()
    if state == c.CUSTOMER_STATE_VERIFIED:
        row.verify_time = row.state_change_time
    await ctx.emit(session, row, verification_changed(row, previous, str(check_id), codes))


async def cancel_open_checks(
    ctx: CustomerContext, session: AsyncSession, row: CustomerRow, why: k.KycCheckCancelReason
) -> None:
    for check_row in await queries.open_checks(session, row.customer_id):
        check = k.KycCheck.FromString(check_row.body)
        previous = check.state
        check.state = k.KYC_CHECK_STATE_CANCELLED
        check.cancel_reason = why
        check.update_time.FromDatetime(now())
        check_row.state, check_row.body, check_row.version = (
            check.state,
            check.SerializeToString(),
            check_row.version + 1,
        )
        cancelled = ev.KycCheckCancelled(
            customer_id=str(row.customer_id),
            kyc_check_id=str(check_row.kyc_check_id),
            cancel_reason=why,
            previous_state=previous,
        )
        await ctx.emit(session, row, cancelled)


async def load_check(session: AsyncSession, row: CustomerRow, kyc_check_id: str, *, lock: bool = False) -> KycCheckRow:
    check_row = await queries.kyc_check(session, uuid.UUID(kyc_check_id), lock=lock)
    if check_row is None or check_row.customer_id != row.customer_id:
        raise NotFound(f"KYC check {kyc_check_id} not found", metadata={"kyc_check_id": kyc_check_id})
    return check_row


@dataclass(frozen=True)
class Started:
    """A check recorded pending, and what its automatic steps need."""

    check: k.KycCheck
    customer: c.Customer
    customer_version: int


async def initiate(
    ctx: CustomerContext,
    principal: Principal,
    customer_id: str,
    trigger: k.KycCheckTrigger,
    customer_etag: str,
    retry: Retry,
) -> k.KycCheck:
    """Record a pending check, run the automatic steps and the screening outside any transaction (the
    screening is a network call), then record the outcome unless the check was cancelled meanwhile."""

    async def replay(kyc_check_id: uuid.UUID) -> k.KycCheck | Started:
        async with ctx.database.session() as session:
            check_row = await queries.kyc_check(session, kyc_check_id)
            if check_row is None:
                raise NotFound(f"KYC check {kyc_check_id} not found")
            return kyc_view(principal, check_row)

    async def work(scope: Scope) -> k.KycCheck | Started:
        async with ctx.database.transaction() as session:
            row, ring = await ctx.open_record(session, principal, customer_id, Action.INITIATE_KYC, lock=True)
            check_etag(customer_etag, row.version, "customer")
            open_check = await queries.open_check_id(session, row.customer_id)
            if open_check is not None:
                raise FailedPrecondition(
                    "the customer has an open KYC check",
                    reason=ErrorReason.ERROR_REASON_INVALID_STATE_TRANSITION,
                    metadata={"kyc_check_id": str(open_check)},
                )
            check_id, at = uuid.uuid4(), now()
            check = k.KycCheck(
                kyc_check_id=str(check_id),
                customer_id=str(row.customer_id),
                state=k.KYC_CHECK_STATE_PENDING,
                trigger=trigger,
                customer_etag=etag(row.version),
            )
            check.create_time.FromDatetime(at)
            check.update_time.FromDatetime(at)
            session.add(KycCheckRow(kyc_check_id=check_id, customer_id=row.customer_id, state=check.state, version=1,
                                    body=check.SerializeToString(), create_time=at))  # fmt: skip
            row.latest_kyc_check_id = check_id
            await idempotent.record(session, scope, check_id)
            initiated = ev.KycCheckInitiated(
                customer_id=str(row.customer_id),
                kyc_check_id=str(check_id),
                trigger=trigger,
                customer_etag=check.customer_etag,
            )
            await ctx.emit(session, row, initiated)
            started = Started(check, personal_data.open_customer(row, ring), row.version)
        log.info("kyc.initiated", customer_id=customer_id, kyc_check_id=str(check_id))
        return started

    # A retry answers with the check as it is now; the first call goes on with the steps.
    started = await idempotent.once(ctx.database, principal, "InitiateKycCheck", retry, work, replay)
    if isinstance(started, k.KycCheck):
        return started
    return await _complete(ctx, principal, started, trigger)


async def _complete(
    ctx: CustomerContext, principal: Principal, started: Started, trigger: k.KycCheckTrigger
) -> k.KycCheck:
    check, customer = started.check, started.customer
    steps = kyc.evaluate(customer, date.today())
    screening, match_status = (None, None) if ctx.screening is None else await ctx.screening.screen(customer, trigger)
    screen_reasons, screen_outcome = kyc.screening_reasons(match_status)
    reasons = kyc.worst_first([*steps.reasons, *screen_reasons])
    state = kyc.check_state(reasons)
    done = now()
    check.state = state
    check.reasons.extend(reasons)
    for step, outcome in [*steps.outcomes, (k.KYC_STEP_SCREENING, screen_outcome)]:
        result = check.step_results.add(step=step, outcome=outcome)
        result.complete_time.FromDatetime(done)
    if screening is not None:
        check.sanctions_screening.CopyFrom(screening)
    check.complete_time.FromDatetime(done)
    check.update_time.FromDatetime(done)

    check_id = uuid.UUID(check.kyc_check_id)
    async with ctx.database.transaction() as session:
        row = await ctx.load(session, check.customer_id, lock=True)
        check_row = await queries.kyc_check(session, check_id, lock=True)
        if check_row is None:
            raise NotFound(f"KYC check {check_id} not found")
        if check_row.state != k.KYC_CHECK_STATE_PENDING or row.version != started.customer_version:
            return kyc_view(principal, check_row)  # cancelled meanwhile
        check_row.state, check_row.body, check_row.version = state, check.SerializeToString(), 2
        completed = ev.KycCheckCompleted(
            customer_id=str(row.customer_id),
            kyc_check_id=str(check_id),
            state=state,
            reasons=reasons,
            step_results=check.step_results,
            screening_id=screening.screening_id if screening else "",
            screening_outcome=screening.outcome if screening else k.SANCTIONS_SCREENING_OUTCOME_UNSPECIFIED,
        )
        await ctx.emit(session, row, completed)
        codes = [r.code for r in reasons]
        await set_state(ctx, session, row, kyc.CUSTOMER_STATE_OF_CHECK[state], check_id, codes)
    log.info("kyc.completed", customer_id=check.customer_id, kyc_check_id=str(check_id),
             state=k.KycCheckState.Name(state))  # fmt: skip
    return kyc_view(principal, check_row)


async def retrieve(ctx: CustomerContext, principal: Principal, customer_id: str, kyc_check_id: str) -> k.KycCheck:
    async with ctx.database.session() as session:
        row, ring = await ctx.open_record(session, principal, customer_id, Action.READ)
        return kyc_view(principal, await load_check(session, row, kyc_check_id), ring)


async def page(
    ctx: CustomerContext, principal: Principal, customer_id: str, states: Iterable[int], page_size: int, page_token: str
) -> tuple[Sequence[k.KycCheck], str]:
    """One page of a customer's checks (`-`: of every customer, for compliance) and the next page's token."""
    wanted = sorted(set(states))
    async with ctx.database.session() as session:
        owner: uuid.UUID | None = None
        if customer_id == "-":
            authorise(principal, Action.LIST_ALL_KYC)
        else:
            row = await ctx.load(session, customer_id)
            authorise(principal, Action.READ, row)
            owner = row.customer_id
        fingerprint = paging.fingerprint("kyc", customer_id, wanted, principal.subject)
        rows, next_page_token = await queries.kyc_checks_page(
            session, customer_id=owner, states=wanted, page_size=page_size, page_token=page_token,
            token_key=ctx.keys.page_token_key, fingerprint=fingerprint,
        )  # fmt: skip
    return [kyc_view(principal, r) for r in rows], next_page_token
