"""What the risk servicers share: the caller, trace ids, page tokens, the audit hook, ml failures."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import grpc
from fintech.common.v1 import pagination_pb2
from opentelemetry import trace
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk import audit
from services.runtime.call_pipeline import request_id
from services.runtime.config import Settings
from services.runtime.errors import DeadlineExceeded, InvalidArgument, Unavailable
from services.runtime.identity import peer_identity
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
    return peer_identity(context, settings.mesh.mode) or "unknown"


def trace_id() -> str:
    span = trace.get_current_span().get_span_context()
    return f"{span.trace_id:032x}" if span.is_valid else ""


def encode_token(after_time: datetime | None, after_id: str) -> str:
    cursor = pagination_pb2.PageCursor(after_id=after_id)
    if after_time is not None:
        cursor.after_time.FromDatetime(after_time)
    return base64.urlsafe_b64encode(cursor.SerializeToString()).decode()


def decode_token(
    token: str, parse_id: Callable[[str], Any] = str, *, timed: bool = False
) -> tuple[datetime | None, Any]:
    """(after time, after id) of a token this API returned; anything else is INVALID_ARGUMENT, never a crash.

    `parse_id` turns the id into what the query compares (uuid.UUID, int); `timed` requires a time.
    """
    try:
        cursor = pagination_pb2.PageCursor.FromString(base64.urlsafe_b64decode(token.encode()))
        after_id = parse_id(cursor.after_id)
        if not cursor.after_id or (timed and not cursor.HasField("after_time")):
            raise ValueError("incomplete cursor")
        after_time = cursor.after_time.ToDatetime(tzinfo=UTC) if cursor.HasField("after_time") else None
    except Exception:
        raise InvalidArgument(
            "invalid page token", violations=[Violation("page_token", "not a token this API returned")]
        ) from None
    return after_time, after_id


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


class LazyClient:
    """A ServiceClient made on first use, inside the server's event loop (a grpc.aio channel belongs to
    the loop it was created in, and the service objects are built before `run` starts the loop)."""

    def __init__(self, caller: str, target: str, settings: Settings) -> None:
        self._args = (caller, target)
        self._settings = settings
        self._client = None

    def __getattr__(self, name: str):
        if self._client is None:
            from services.runtime.clients import ServiceClient

            self._client = ServiceClient(*self._args, settings=self._settings)
        return getattr(self._client, name)
