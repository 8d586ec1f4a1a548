"""Signed page tokens (AIP-158): a `fintech.common.v1.PageCursor` with an HMAC-SHA256 signature, base64url."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from fintech.common.v1.pagination_pb2 import PageCursor
from google.protobuf.message import DecodeError

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
