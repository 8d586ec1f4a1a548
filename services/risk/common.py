"""What the risk servicers share: the caller, trace ids, list pages, the audit hook, ml failures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import grpc
from google.protobuf.message import Message
from opentelemetry import trace
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk import audit
from services.runtime import access, paging
from services.runtime.call_pipeline import request_id
from services.runtime.config import Settings
from services.runtime.db import Database
from services.runtime.errors import DeadlineExceeded, InvalidArgument, Unavailable
from services.runtime.validation import Violation

# What a failed ml call may answer when the model cannot score now: the dependency is down, slow, or not
# deployed (an open circuit raises Unavailable). Any other status (INVALID_ARGUMENT, NOT_FOUND, ...) means
# the request or the deployment is wrong: a bug to surface, never a reason to decide without the model.
MODEL_DOWN_CODES = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNIMPLEMENTED}


def model_down(error: Exception) -> bool:
    """Whether a failed call to the ml service means the model is unavailable (rather than a bug)."""
    if isinstance(error, Unavailable | DeadlineExceeded):
        return True
    return isinstance(error, grpc.aio.AioRpcError) and error.code() in MODEL_DOWN_CODES


def caller(context: grpc.aio.ServicerContext, settings: Settings) -> str:
    return access.actor(context, settings)


def trace_id() -> str:
    span = trace.get_current_span().get_span_context()
    return f"{span.trace_id:032x}" if span.is_valid else ""


async def page(
    database: Database,
    query: Select,
    order: tuple,
    request: Message,
    context: grpc.aio.ServicerContext,
    settings: Settings,
    key: bytes,
    **options: Any,
) -> tuple[Sequence, str]:
    """One page of `query` (entities) in `order` (time, id) and the next page's signed token, bound to the request's
    filters and caller (services.runtime.paging). A token this list did not issue is INVALID_ARGUMENT naming the
    field, never a crash."""
    fingerprint = paging.request_fingerprint(request, caller(context, settings))
    try:
        async with database.session() as session:
            return await paging.keyset_page(session, query, order, request, key, fingerprint, **options)
    except InvalidArgument as error:
        error.violations.append(Violation("page_token", error.message))
        raise


async def record_audit(
    session: AsyncSession,
    context: grpc.aio.ServicerContext,
    settings: Settings,
    *,
    action: str,
    resource_type: str,
    subject: str,
    customer_id: str = "",
    details: Mapping[str, Any] | None = None,
) -> None:
    await audit.append(
        session,
        actor=caller(context, settings),
        action=action,
        resource_type=resource_type,
        subject=subject,
        customer_id=customer_id,
        recorder=settings.spiffe_id("risk"),
        request_id=request_id.get(),
        trace_id=trace_id(),
        details=details,
    )
