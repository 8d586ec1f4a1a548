"""A service's Redis connection: TLS with the workload's certificate in the local mesh, the password always.

In cluster mode the Istio sidecar carries the connection over mTLS and the client speaks plain Redis to it,
as the gRPC servers do. Commands time out after `redis.timeout_seconds`: a caller treats a slow Redis as
an absent one and takes its fallback, instead of holding a payment.
"""

from __future__ import annotations

import ssl

import redis.asyncio as aioredis

from services.runtime.config import Settings, get_settings
from services.runtime.tls import certs_dir


def connect(settings: Settings | None = None, workload: str = "cli", *, timeout: float | None = None) -> aioredis.Redis:
    """A pooled client (connections open on first use) for the workload."""
    settings = settings or get_settings()
    r = settings.redis
    timeout = timeout if timeout is not None else r.timeout_seconds
    tls: dict[str, object] = {}
    if settings.mesh.mode == "local":
        directory = certs_dir(settings)
        tls = {
            "ssl": True,
            "ssl_ca_certs": str(directory / "ca.pem"),
            "ssl_certfile": str(directory / f"{workload}.pem"),
            "ssl_keyfile": str(directory / f"{workload}-key.pem"),
            "ssl_min_version": ssl.TLSVersion.TLSv1_3,
        }
    return aioredis.Redis(
        host=r.host,
        port=r.port,
        password=r.password,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        **tls,  # type: ignore[arg-type]
    )
