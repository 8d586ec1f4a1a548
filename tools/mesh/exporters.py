"""The stores' Prometheus exporters (Debian's prometheus-postgres-exporter and prometheus-redis-exporter).

Each connects as itself, with the least it needs: PostgreSQL's exporter as a login role that is only a member
of pg_monitor (reads statistics, no table data); Redis's exporter over TLS with its own workload certificate
(tools/certs.py) and the password, as every Redis client does.
"""

from __future__ import annotations

import asyncpg

from tools.mesh.component import Component, MetricsTarget, Program
from tools.mesh.http_probe import answers
from tools.mesh.postgres import CONNECT_TIMEOUT, SUPERUSER
from tools.mesh.prometheus import binary

# The Redis exporter's workload certificate (tools/certs.py INFRASTRUCTURE).
REDIS_EXPORTER_WORKLOAD = "redis-exporter"


class PostgresExporter(Component):
    name = "postgres_exporter"
    depends = ("postgres",)
    start_timeout = 30.0
    restart_when_stale = True

    def program(self) -> Program:
        pg, exporter = self.settings.postgres, self.settings.postgres_exporter
        dsn = f"postgresql://{exporter.user}:{exporter.password}@{pg.host}:{pg.port}/postgres?sslmode=disable"
        return Program(
            command=[binary("prometheus-postgres-exporter"), f"--web.listen-address={pg.host}:{exporter.port}"],
            # The password in the environment, never on a command line that `ps` shows.
            environment={"DATA_SOURCE_NAME": dsn},
            priority=280,
        )

    async def reachable(self) -> bool:
        return await answers(self._url)

    async def bootstrap(self) -> None:
        """The monitoring role: login, member of pg_monitor only; its password always reset from mesh.toml."""
        exporter = self.settings.postgres_exporter
        connection = await asyncpg.connect(
            host=str(self.settings.state_dir / "postgres" / "run"),
            port=self.settings.postgres.port,
            user=SUPERUSER,
            database="postgres",
            timeout=CONNECT_TIMEOUT,
        )
        try:
            exists = await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", exporter.user)
            verb = "ALTER" if exists else "CREATE"
            statement = await connection.fetchval(
                f"SELECT format('{verb} ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', "
                "$1::text, $2::text)",
                exporter.user,
                exporter.password,
            )
            await connection.execute(statement)
            await connection.execute(
                await connection.fetchval("SELECT format('GRANT pg_monitor TO %I', $1::text)", exporter.user)
            )
        finally:
            await connection.close()

    @property
    def _url(self) -> str:
        return f"http://{self.settings.postgres.host}:{self.settings.postgres_exporter.port}/metrics"

    def metrics_targets(self) -> list[MetricsTarget]:
        return [MetricsTarget("postgres", self.settings.postgres_exporter.port)]

    async def ready(self) -> bool:
        """The exporter reaches PostgreSQL as its role (pg_up 1)."""
        return await answers(self._url, "\npg_up 1")


class RedisExporter(Component):
    name = "redis_exporter"
    depends = ("redis",)
    start_timeout = 30.0
    restart_when_stale = True

    def program(self) -> Program:
        r, exporter = self.settings.redis, self.settings.redis_exporter
        certs = self.settings.state_dir / "certs"
        return Program(
            command=[
                binary("prometheus-redis-exporter"),
                f"-redis.addr=rediss://{r.host}:{r.port}",
                f"-tls-client-cert-file={certs / f'{REDIS_EXPORTER_WORKLOAD}.pem'}",
                f"-tls-client-key-file={certs / f'{REDIS_EXPORTER_WORKLOAD}-key.pem'}",
                f"-tls-ca-cert-file={certs / 'ca.pem'}",
                f"-web.listen-address={r.host}:{exporter.port}",
            ],
            environment={"REDIS_PASSWORD": r.password},
            priority=280,
        )

    @property
    def _url(self) -> str:
        return f"http://{self.settings.redis.host}:{self.settings.redis_exporter.port}/metrics"

    def metrics_targets(self) -> list[MetricsTarget]:
        return [MetricsTarget("redis", self.settings.redis_exporter.port)]

    async def reachable(self) -> bool:
        return await answers(self._url)

    async def ready(self) -> bool:
        """The exporter reaches Redis over TLS with its certificate and the password (redis_up 1)."""
        return await answers(self._url, "\nredis_up 1")
