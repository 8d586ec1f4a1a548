"""Signed page tokens (AIP-158): a `fintech.common.v1.PageCursor` with an HMAC-SHA256 signature, base64url,
and keyset pages over them (`keyset_page`): every list RPC of the services pages the same way."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.common.v1.pagination_pb2 import PageCursor
from google.protobuf.message import DecodeError, Message
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.runtime.errors import InvalidArgument

TOKEN_LIFETIME = timedelta(hours=24)


class InvalidPageToken(ValueError):
    pass


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _signature(key: bytes, cursor: PageCursor) -> bytes:
    unsigned = PageCursor()
    unsigned.CopyFrom(cursor)
    unsigned.ClearField("signature")
    return hmac.new(key, unsigned.SerializeToString(deterministic=True), hashlib.sha256).digest()


def issue(
    key: bytes, after_time: datetime, after_id: str, request_fingerprint: str, now: datetime | None = None
) -> str:
    cursor = PageCursor(after_id=after_id, request_fingerprint=request_fingerprint)
    cursor.after_time.FromDatetime(after_time)
    cursor.expire_time.FromDatetime((now or datetime.now(UTC)) + TOKEN_LIFETIME)
    cursor.signature = _signature(key, cursor)
    return base64.urlsafe_b64encode(cursor.SerializeToString(deterministic=True)).decode().rstrip("=")


def read(key: bytes, token: str, request_fingerprint: str, now: datetime | None = None) -> PageCursor:
    try:
        cursor = PageCursor.FromString(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, DecodeError, ValueError):
        raise InvalidPageToken("the page token is malformed") from None
    if not hmac.compare_digest(cursor.signature, _signature(key, cursor)):
        raise InvalidPageToken("the page token is not one this service issued")
    if cursor.request_fingerprint != request_fingerprint:
        raise InvalidPageToken("the page token belongs to a request with other filters")
    if cursor.expire_time.ToDatetime(UTC) < (now or datetime.now(UTC)):
        raise InvalidPageToken("the page token has expired")
    return cursor


def request_fingerprint(request: Message, caller: str) -> str:
    """Binds a token to the request's filters (every field but page_token and page_size) and to its caller."""
    filters = type(request)()
    filters.CopyFrom(request)
    filters.ClearField("page_token")
    filters.ClearField("page_size")
    return fingerprint(type(request).__name__, filters.SerializeToString(deterministic=True), caller)


class PageRequest(Protocol):
    """A list request of a contract: the paging fields every one has."""

    @property
    def page_token(self) -> str: ...

    @property
    def page_size(self) -> int: ...


async def keyset_page(
    session: AsyncSession,
    query: Select[*tuple[Any, ...]],
    order: tuple[Any, Any],
    request: Message,
    key: bytes,
    request_fingerprint: str,
    *,
    descending: bool = False,
    default_size: int = 50,
    parse_id: Callable[[str], Any] = uuid.UUID,
) -> tuple[Sequence[Any], str]:
    """One page of `query` in `order` (a time column, then an id column) and the signed token of the next
    page ("" after the last). A token that is not this service's, or is another request's, is INVALID_ARGUMENT."""
    time_column, id_column = order
    paged = cast(PageRequest, request)  # a contract's list request: every one has page_token and page_size
    if paged.page_token:
        try:
            cursor = read(key, paged.page_token, request_fingerprint)
        except InvalidPageToken as error:
            raise InvalidArgument(str(error), reason=ErrorReason.ERROR_REASON_INVALID_PAGE_TOKEN) from None
        after = (cursor.after_time.ToDatetime(UTC), parse_id(cursor.after_id))
        query = query.where(tuple_(*order) < after if descending else tuple_(*order) > after)
    size = paged.page_size or default_size
    ordering = [column.desc() for column in order] if descending else list(order)
    rows = (await session.scalars(query.order_by(*ordering).limit(size + 1))).all()
    if len(rows) <= size:
        return rows, ""
    last = rows[size - 1]
    token = issue(key, getattr(last, time_column.key), str(getattr(last, id_column.key)), request_fingerprint)
    return rows[:size], token
