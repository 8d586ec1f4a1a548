"""envoyproxy/ratelimit: the edge's global rate limit, each client's requests counted in the mesh's Redis.

The binary is built from its Go module by `make setup` (cached by version outside the clone, linked as
.tools/bin/ratelimit). Its limits are generated from mesh.toml (tools/edge/rate_limits.py) into its runtime
directory. It serves gRPC over mTLS: its `ratelimit` certificate, and only clients with a mesh certificate
naming the edge gateway's host (Envoy's). It reaches Redis over TLS as `ratelimit`, with the password.
Its settings are environment variables (envoyproxy/ratelimit src/settings/settings.go); the same ones
configure it in Kubernetes.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from pathlib import Path

from services.runtime.config import ROOT, Settings
from tools.edge.rate_limits import write_service_config
from tools.mesh.component import Component, MeshError, MetricsTarget, Program

BINARY = ROOT / ".tools" / "bin" / "ratelimit"
PROBE_TIMEOUT = 2.0
# RUNTIME_ROOT/RUNTIME_SUBDIRECTORY/RUNTIME_APPDIRECTORY/*.yaml is where the service reads its limits.
SUBDIRECTORY = "ratelimit"
APP_DIRECTORY = "config"


def service_environment(settings: Settings, runtime_root: Path, certs: Path, roots: Path) -> dict[str, str]:
    """The service's settings: listeners, limits directory, Redis over TLS, gRPC server mTLS.

    `roots` is an empty directory: Go adds the system's CAs to every CA file it is given (client and
    Redis verification alike); SSL_CERT_FILE and SSL_CERT_DIR make the mesh CA the only "system" CA.
    """
    from tools.edge.config import EDGE_WORKLOAD  # the edge's configuration module imports grpc and the contracts

    r = settings.ratelimit
    redis = settings.redis
    return {
        "HOST": r.host,
        "PORT": str(r.http_port),
        "DEBUG_HOST": r.host,
        "DEBUG_PORT": str(r.debug_port),
        "GRPC_HOST": r.host,
        "GRPC_PORT": str(r.grpc_port),
        "LOG_LEVEL": "warn",
        "LOG_FORMAT": "json",
        "USE_STATSD": "false",
        "USE_PROMETHEUS": "true",
        "PROMETHEUS_ADDR": f"{r.host}:{r.metrics_port}",
        "RUNTIME_ROOT": str(runtime_root),
        "RUNTIME_SUBDIRECTORY": SUBDIRECTORY,
        "RUNTIME_APPDIRECTORY": APP_DIRECTORY,
        # The limits file is written under a dot name, then renamed (tools/edge/rate_limits.py).
        "RUNTIME_IGNOREDOTFILES": "true",
        "RUNTIME_WATCH_ROOT": "false",
        # Not ready (/healthcheck 500) before its limits are loaded, nor while Redis is unreachable.
        "HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED": "true",
        "REDIS_HEALTH_CHECK_ACTIVE_CONNECTION": "true",
        "BACKEND_TYPE": "redis",
        "REDIS_SOCKET_TYPE": "tcp",
        "REDIS_TYPE": "single",
        "REDIS_URL": f"{redis.host}:{redis.port}",
        "REDIS_TLS": "true",
        "REDIS_TLS_CACERT": str(certs / "ca.pem"),
        "REDIS_TLS_CLIENT_CERT": str(certs / "ratelimit.pem"),
        "REDIS_TLS_CLIENT_KEY": str(certs / "ratelimit-key.pem"),
        # user:password (AUTH default <password>): a password with a colon would otherwise split.
        "REDIS_AUTH": f"default:{redis.password}",
        "REDIS_TIMEOUT": f"{int(redis.timeout_seconds * 1000)}ms",
        "GRPC_SERVER_USE_TLS": "true",
        "GRPC_SERVER_TLS_CERT": str(certs / "ratelimit.pem"),
        "GRPC_SERVER_TLS_KEY": str(certs / "ratelimit-key.pem"),
        # A client certificate is required and must chain to the mesh CA and name the edge gateway's host.
        "GRPC_CLIENT_TLS_CACERT": str(certs / "ca.pem"),
        "GRPC_CLIENT_TLS_SAN": settings.workload_host(EDGE_WORKLOAD),
        "SSL_CERT_FILE": str(certs / "ca.pem"),
        "SSL_CERT_DIR": str(roots),
        # x-ratelimit-* headers come from Envoy (DRAFT_VERSION_03), not from the service.
        "LIMIT_RESPONSE_HEADERS_ENABLED": "false",
    }


class RateLimit(Component):
    name = "ratelimit"
    depends = ("redis",)
    start_timeout = 30.0
    # Counters live in Redis: a restart loses nothing, so a changed configuration restarts it.
    restart_when_stale = True

    def metrics_targets(self) -> list[MetricsTarget]:
        return [MetricsTarget(self.name, self.settings.ratelimit.metrics_port)]

    @property
    def runtime_root(self) -> Path:
        return self.state_dir / "runtime"

    @property
    def config_path(self) -> Path:
        return self.runtime_root / SUBDIRECTORY / APP_DIRECTORY / "limits.yaml"

    @property
    def roots_dir(self) -> Path:
        return self.state_dir / "roots"

    def program(self) -> Program:
        if not BINARY.exists():
            raise MeshError(f"{BINARY} is missing: run `make setup` (it builds envoyproxy/ratelimit)")
        certs = self.settings.state_dir / "certs"
        return Program(
            command=[str(BINARY)],
            environment=service_environment(self.settings, self.runtime_root, certs, self.roots_dir),
            stopwaitsecs=10,
            priority=150,
            inputs=(self.config_path,),
        )

    def prepare(self) -> None:
        self.roots_dir.mkdir(parents=True, exist_ok=True)
        write_service_config(self.config_path, self.settings)

    async def ready(self) -> bool:
        return await asyncio.to_thread(self._healthy)

    def _healthy(self) -> bool:
        """/healthcheck is 200 once the limits are loaded and while its Redis connection works."""
        url = f"http://{self.settings.ratelimit.host}:{self.settings.ratelimit.http_port}/healthcheck"
        try:
            with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False
