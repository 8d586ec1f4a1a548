"""The webhook signature scheme of `WebhookNotification` (proto/fintech/payments/v1/webhook.proto).

A request carries `Fintech-Webhook-Id`, `Fintech-Webhook-Timestamp` (Unix seconds) and
`Fintech-Webhook-Signature: v1=<hex>`: the lower-case hex HMAC-SHA256, keyed with the UTF-8 bytes of
the endpoint's signing secret, of `<timestamp>.<raw body>`. A receiver verifies like `verify()`:

    secret = b"whsec_..."                      # as returned once by RegisterWebhookEndpoint
    expected = hmac.new(secret, timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    ok = any(hmac.compare_digest(expected, v.removeprefix("v1=")) for v in header.split(","))
    ok = ok and abs(time.time() - int(timestamp)) <= 300     # replay protection

It must use the raw body bytes (before any JSON parsing) and deduplicate on the body's `eventId`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"
ID_HEADER = "Fintech-Webhook-Id"
TIMESTAMP_HEADER = "Fintech-Webhook-Timestamp"
SIGNATURE_HEADER = "Fintech-Webhook-Signature"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """`whsec_` and 32 random bytes in unpadded base64url, as the contract defines it."""
    return SECRET_PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def headers(secret: str, delivery_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one attempt; each attempt is signed afresh with its own timestamp."""
    return {
        "Content-Type": "application/json",
        ID_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"v1={signature(secret, timestamp, body)}",
    }


def verify(secret: str, request_headers: Mapping[str, str], body: bytes, now: float) -> bool:
    """The receiver's check: any `v1=` value matches (constant time) and the timestamp is fresh."""
    lowered = {name.lower(): value for name, value in request_headers.items()}
    try:
        timestamp = int(lowered[TIMESTAMP_HEADER.lower()])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, timestamp, body)
    offered = [part.strip() for part in lowered.get(SIGNATURE_HEADER.lower(), "").split(",")]
    return any(
        value.startswith("v1=") and hmac.compare_digest(expected, value.removeprefix("v1=")) for value in offered
    )
