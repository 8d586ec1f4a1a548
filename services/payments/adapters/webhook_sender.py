"""The HTTP side of webhook deliveries: POSTs a signed body to a receiver and tells how the attempt ended.

Redirects are not followed (a redirect could lead into the bank's own network); TLS with the system CAs (plus
the dev mesh's CA in local mode). A 2xx within the timeout acknowledges.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping

import httpx

from services.payments.config import WebhookSettings
from services.payments.domain.webhook_schedule import Outcome
from services.runtime.config import Settings
from services.runtime.tls import certs_dir


def http_client(settings: Settings, webhook: WebhookSettings) -> httpx.AsyncClient:
    """The client of deliveries: system CAs (plus the dev mesh's CA in local mode), no redirects."""
    verify = ssl.create_default_context()
    if settings.mesh.mode == "local" and (certs_dir(settings) / "ca.pem").exists():
        verify.load_verify_locations(certs_dir(settings) / "ca.pem")
    return httpx.AsyncClient(
        verify=verify,
        timeout=webhook.request_timeout_seconds,
        follow_redirects=False,
        headers={"User-Agent": "fintech-webhooks/1"},
    )


class HttpSender:
    """Sends webhook requests with one client, opened by `start` and closed by `stop`."""

    def __init__(self, client_factory: Callable[[], httpx.AsyncClient]) -> None:
        self._client_factory = client_factory
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        if self._client is None:
            self._client = self._client_factory()

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        if self._client is None:
            raise RuntimeError("start() the sender first")
        try:
            response = await self._client.post(url, content=body, headers=dict(headers))
        except httpx.TimeoutException:
            return Outcome(error="timeout")
        except httpx.ConnectError as error:
            tls = isinstance(error.__context__, ssl.SSLError) or "SSL" in str(error) or "certificate" in str(error)
            return Outcome(error="tls_handshake_failed" if tls else "connection_failed")
        except httpx.HTTPError as error:
            return Outcome(error=type(error).__name__[:100])
        if 200 <= response.status_code < 300:
            return Outcome(response.status_code)
        return Outcome(response.status_code, f"http_{response.status_code}")
