"""Redis 7 (Debian's redis-server): the online feature store, caches and the edge's global rate limit.

TLS only, with the mesh CA: the server presents the `redis` workload certificate and asks every client
for its own (services use their SVIDs). A password on top (mesh.toml; a Secret in Kubernetes). Data
persists as an append-only file under var/redis, fsync'd every second: a crash loses at most a second,
and everything kept here can be rebuilt (online rows from the features pipeline, counters expire).
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from redis.exceptions import RedisError

from services.runtime.redis_client import connect
from tools.mesh.component import Component, MeshError, Program

PROBE_TIMEOUT = 2.0


def _binary() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise MeshError("redis-server is not installed: run `make setup` (Debian package redis-server)")
    return path


class Redis(Component):
    name = "redis"
    start_timeout = 20.0

    @property
    def config_path(self) -> Path:
        return self.state_dir / "redis.conf"

    def program(self) -> Program:
        return Program(command=[_binary(), str(self.config_path)], priority=10, inputs=(self.config_path,))

    def prepare(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "data").mkdir(exist_ok=True)
        certs = self.settings.state_dir / "certs"
        r = self.settings.redis
        # The password lives in this file (mode 0600), never on a command line that `ps` shows.
        lines = [
            "# Written by tools/mesh/redis.py from mesh.toml; changes here are overwritten.",
            f"bind {r.host}",
            "port 0",
            f"tls-port {r.port}",
            f"tls-cert-file {certs / 'redis.pem'}",
            f"tls-key-file {certs / 'redis-key.pem'}",
            f"tls-ca-cert-file {certs / 'ca.pem'}",
            "tls-auth-clients yes",
            "tls-protocols TLSv1.3",
            f'requirepass "{r.password}"',
            f"dir {self.state_dir / 'data'}",
            "appendonly yes",
            "appendfsync everysec",
            'save ""',
            f"maxmemory {r.max_memory_mb}mb",
            # Only keys with a time to live are evicted (counters, caches); online rows are never dropped
            # silently: a full Redis refuses writes, which the features pipeline retries.
            "maxmemory-policy volatile-lru",
            "daemonize no",
            "loglevel notice",
            'logfile ""',
        ]
        self.config_path.write_text("\n".join(lines) + "\n")
        self.config_path.chmod(0o600)

    async def ready(self) -> bool:
        """The operator's certificate and the password get a PONG over TLS."""
        client = connect(self.settings, "cli", timeout=PROBE_TIMEOUT)
        try:
            with contextlib.suppress(RedisError, OSError):
                return bool(await client.ping())  # type: ignore[misc]  # redis-py types sync and async alike
            return False
        finally:
            await client.aclose()
