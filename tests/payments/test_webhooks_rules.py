"""The webhooks' pure rules: signatures, destinations, the retry schedule, sealed secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidTag

from services.payments.adapters import webhook_destinations as destinations
from services.payments.adapters import webhook_secrets as sealing
from services.payments.config import PaymentsKeys
from services.payments.domain import webhook_signing as signing
from services.payments.domain.webhook_schedule import RetryPolicy


def test_a_secret_is_whsec_and_32_random_bytes_in_unpadded_base64url():
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and "=" not in secret
    encoded = secret.removeprefix("whsec_")
    assert len(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))) == 32
    assert signing.new_secret() != secret


def test_the_signature_is_the_contracts_hmac_and_a_receiver_verifies_it():
    secret, body, timestamp = "whsec_test", b'{"eventId":"e-1"}', 1_700_000_000
    headers = signing.headers(secret, "d-1", timestamp, body)
    expected = hmac.new(secret.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert headers["Fintech-Webhook-Signature"] == f"v1={expected}"
    assert headers["Fintech-Webhook-Id"] == "d-1" and headers["Fintech-Webhook-Timestamp"] == "1700000000"
    assert signing.verify(secret, headers, body, now=timestamp + 299)
    assert not signing.verify(secret, headers, body, now=timestamp + 301)  # too old: a replay
    assert not signing.verify(secret, headers, body + b" ", now=timestamp)  # body changed
    assert not signing.verify("whsec_other", headers, body, now=timestamp)
    rotated = dict(headers, **{"Fintech-Webhook-Signature": f"v1=00ff, {headers['Fintech-Webhook-Signature']}"})
    assert signing.verify(secret, rotated, body, now=timestamp)  # any one of several values
    assert not signing.verify(secret, {**headers, "Fintech-Webhook-Timestamp": "x"}, body, now=timestamp)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://example.com/hook", "https"),
        ("https://user:pw@example.com/hook", "user info"),
        ("https:///hook", "no host"),
        ("https://example.com:99999/", "not a valid URL"),
    ],
)
def test_urls_that_are_not_plain_https_are_refused(url, why):
    with pytest.raises(destinations.UnsafeDestination, match=why):
        destinations.parse(url)


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.1", "172.16.5.4", "169.254.169.254", "::1", "fd00::1",
                                     "0.0.0.0", "100.64.0.1", "224.0.0.1"])  # fmt: skip
def test_private_and_special_addresses_are_refused(address):
    with pytest.raises(destinations.UnsafeDestination, match="non-public"):
        destinations.check_address(address, allow_loopback=False)


def test_loopback_only_in_local_mode_and_public_addresses_always():
    destinations.check_address("127.0.0.1", allow_loopback=True)
    with pytest.raises(destinations.UnsafeDestination):
        destinations.check_address("127.0.0.1", allow_loopback=False)
    with pytest.raises(destinations.UnsafeDestination):
        destinations.check_address("10.0.0.1", allow_loopback=True)
    destinations.check_address("93.184.216.34", allow_loopback=False)
    destinations.check_address("2606:2800:220:1:248:1893:25c8:1946", allow_loopback=False)


async def test_a_host_that_resolves_to_loopback_is_refused_outside_local_mode():
    with pytest.raises(destinations.UnsafeDestination, match="non-public"):
        await destinations.check("https://localhost:8443/hook", allow_loopback=False)
    await destinations.check("https://localhost:8443/hook", allow_loopback=True)
    with pytest.raises(destinations.UnsafeDestination, match="does not resolve"):
        await destinations.check("https://no-such-host.invalid/hook", allow_loopback=False)


def test_retries_back_off_with_jitter_and_give_up_by_time_or_count():
    policy = RetryPolicy()
    first = datetime(2026, 1, 1, tzinfo=UTC)
    for attempts, nominal in [(1, 60), (2, 300), (3, 1800), (4, 7200), (5, 21600), (6, 43200), (9, 43200)]:
        delay = (policy.next_attempt(attempts, first, first) - first).total_seconds()
        assert nominal * 0.9 <= delay <= nominal * 1.1
    # 72 hours after the first attempt no further attempt is scheduled: the delivery FAILED.
    assert policy.next_attempt(8, first, first + timedelta(hours=70)) is None
    assert policy.next_attempt(policy.max_attempts, first, first) is None
    quick = RetryPolicy(delays=(0.1, 0.2), max_attempts=3)
    assert quick.next_attempt(2, first, first) is not None and quick.next_attempt(3, first, first) is None


def test_sealed_secrets_open_only_for_their_endpoint_and_after_kek_rotation():
    old = PaymentsKeys("kek-1", {"kek-1": b"\1" * 32}, b"\2" * 32)
    endpoint = str(uuid.uuid4())
    sealed = sealing.seal(old, endpoint, "whsec_abc")
    assert b"whsec_abc" not in sealed
    assert sealing.open_sealed(old, endpoint, sealed) == "whsec_abc"
    rotated = PaymentsKeys("kek-2", {"kek-2": b"\3" * 32, "kek-1": b"\1" * 32}, b"\2" * 32)
    assert sealing.open_sealed(rotated, endpoint, sealed) == "whsec_abc"
    with pytest.raises(InvalidTag):
        sealing.open_sealed(old, str(uuid.uuid4()), sealed)
