"""The mesh's Redis against the real server: TLS with a client certificate and the password, or nothing."""

from __future__ import annotations

import ssl
import uuid

import pytest
import redis.asyncio as aioredis
from redis.exceptions import AuthenticationError, ConnectionError, ResponseError

from services.runtime.config import Settings
from services.runtime.redis_client import connect
from services.runtime.tls import certs_dir
from tools.mesh import Mesh

pytestmark = pytest.mark.mesh("redis")
# Room for a TLS handshake on a loaded machine (the services' 250 ms is for a payment's path, not for a test).
TIMEOUT = 10.0


async def test_a_workload_with_its_certificate_and_the_password_is_served(settings: Settings) -> None:
    client = connect(settings, "features", timeout=TIMEOUT)
    key = f"test:{uuid.uuid4()}"
    try:
        await client.set(key, "1", ex=60)
        assert await client.get(key) == b"1"
    finally:
        await client.aclose()


async def test_plaintext_is_refused(settings: Settings) -> None:
    client = aioredis.Redis(
        host=settings.redis.host, port=settings.redis.port, password=settings.redis.password, socket_timeout=TIMEOUT
    )
    try:
        with pytest.raises(ConnectionError):
            await client.ping()
    finally:
        await client.aclose()


async def test_tls_without_a_client_certificate_is_refused(settings: Settings) -> None:
    client = aioredis.Redis(
        host=settings.redis.host,
        port=settings.redis.port,
        password=settings.redis.password,
        ssl=True,
        ssl_ca_certs=str(certs_dir(settings) / "ca.pem"),
        ssl_min_version=ssl.TLSVersion.TLSv1_3,
        socket_timeout=TIMEOUT,
        socket_connect_timeout=TIMEOUT,
    )
    try:
        with pytest.raises(ConnectionError):
            await client.ping()
    finally:
        await client.aclose()


async def test_a_wrong_password_is_refused(settings: Settings) -> None:
    wrong = settings.model_copy(update={"redis": settings.redis.model_copy(update={"password": "wrong"})})
    client = connect(wrong, "features", timeout=TIMEOUT)
    try:
        with pytest.raises((AuthenticationError, ResponseError)):
            await client.ping()
    finally:
        await client.aclose()


async def test_data_survives_a_restart(mesh: Mesh, settings: Settings) -> None:
    """The append-only file is replayed on start: what was written before a restart is read after it."""
    key = f"test:durable:{uuid.uuid4()}"
    client = connect(settings, "features", timeout=TIMEOUT)
    try:
        await client.set(key, "kept")
    finally:
        await client.aclose()
    mesh.restart("redis")
    client = connect(settings, "features", timeout=TIMEOUT)
    try:
        assert await client.get(key) == b"kept"
        await client.delete(key)
    finally:
        await client.aclose()
