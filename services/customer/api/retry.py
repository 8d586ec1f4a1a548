"""The idempotency key of a customer write request: its `request_id`, with the hash of the whole request."""

from __future__ import annotations

from google.protobuf.message import Message

from services.customer.app.idempotent import Retry
from services.runtime import idempotency


def retry_of(request: Message, request_id: str) -> Retry:
    return Retry(request_id, idempotency.request_hash(request))
