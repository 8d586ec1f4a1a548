"""PostgreSQL 16 from pgserver's bundled binaries, run directly under supervisord.

pgserver's Python API would manage its own server process; the launcher only borrows its binaries.
The superuser `postgres` connects through the Unix socket (trust, socket dir private to the server's
user); everyone else over TCP with scram-sha-256. One database per service, owned by the mesh role.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

import asyncpg

from services.runtime.config import SERVICES
from tools.mesh.component import Component, MeshError, Program, package_dir

BIN = package_dir("pgserver") / "pginstall" / "bin"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; like pgserver itself, use an unprivileged system user then.
SYSTEM_USER = "pgserver"
CONNECT_TIMEOUT = 2.0


class Postgres(Component):
    name = "postgres"
    start_timeout = 30.0

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def system_user(self) -> str | None:
        return SYSTEM_USER if os.geteuid() == 0 else None

    def program(self) -> Program:
        pg = self.settings.postgres
        if self.system_user:
            # supervisord refuses its whole configuration when a program's user does not exist, even a program
            # it is not asked to start (a mesh of Triton alone on a new machine): create it before configuring.
            _create_system_user(self.system_user)
        return Program(
            command=[
                str(BIN / "postgres"),
                *("-D", str(self.data_dir), "-p", str(pg.port), "-k", str(self.socket_dir)),
                *("-c", f"listen_addresses={pg.host}", "-c", "unix_socket_permissions=0700"),
                # Each service keeps up to pool_size + max_overflow connections; tests and tools add theirs.
                *("-c", "max_connections=300"),
                # A refused row's values are personal data: the server log keeps no DETAIL ("Key (...)=(...)").
                *("-c", "log_error_verbosity=terse"),
            ],
            # SIGINT is PostgreSQL's fast shutdown: roll back open transactions, exit in milliseconds.
            stopsignal="INT",
            priority=10,
            user=self.system_user,
        )

    def prepare(self) -> None:
        user = self.system_user
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if user:
            _ensure_system_user(user, self.socket_dir)
            shutil.chown(self.state_dir, user, user)
            shutil.chown(self.socket_dir, user, user)
        if (self.data_dir / "PG_VERSION").exists():
            return
        command = [
            str(BIN / "initdb"),
            *("-D", str(self.data_dir), "-U", SUPERUSER, "--encoding=UTF8", "--locale=C"),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        ]
        result = subprocess.run(command, user=user, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise MeshError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")

    async def reachable(self) -> bool:
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            connection = await self._superuser()
            await connection.close()
            return True
        return False

    async def bootstrap(self) -> None:
        pg = self.settings.postgres
        connection = await self._superuser()
        try:
            exists = await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", pg.user)
            verb = "ALTER" if exists else "CREATE"
            # Always (re)set the password so that mesh.toml stays the single source of truth.
            statement = await connection.fetchval(
                f"SELECT format('{verb} ROLE %I WITH LOGIN PASSWORD %L', $1::text, $2::text)",
                pg.user,
                pg.password,
            )
            await connection.execute(statement)
            present = {row["datname"] for row in await connection.fetch("SELECT datname FROM pg_database")}
            for database in SERVICES:
                if database not in present:
                    # CREATE DATABASE cannot take parameters; quote through format() instead.
                    statement = await connection.fetchval(
                        "SELECT format('CREATE DATABASE %I OWNER %I', $1::text, $2::text)", database, pg.user
                    )
                    await connection.execute(statement)
        finally:
            await connection.close()

    async def ready(self) -> bool:
        """The service role logs in over TCP with its password and sees every service database."""
        pg = self.settings.postgres
        try:
            connection = await asyncpg.connect(
                host=pg.host,
                port=pg.port,
                user=pg.user,
                password=pg.password,
                database="postgres",
                timeout=CONNECT_TIMEOUT,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        try:
            found = await connection.fetchval(
                "SELECT count(*) FROM pg_database WHERE datname = ANY($1::text[])", list(SERVICES)
            )
            return bool(found == len(SERVICES))
        finally:
            await connection.close()

    async def _superuser(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            host=str(self.socket_dir),
            port=self.settings.postgres.port,
            user=SUPERUSER,
            database="postgres",
            timeout=CONNECT_TIMEOUT,
        )


def _create_system_user(user: str) -> None:
    try:
        pwd.getpwnam(user)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/bin/false", user], check=True)


def _ensure_system_user(user: str, state_dir: Path) -> None:
    """Create the server's user if needed and let it reach its state directory and the binaries."""
    _create_system_user(user)
    for path in (state_dir, BIN.parent / "lib", BIN):
        for directory in (path, *path.parents):
            mode = directory.stat().st_mode
            if not mode & stat.S_IXOTH:  # search permission only: nothing becomes listable or readable
                directory.chmod(mode | stat.S_IXOTH)
