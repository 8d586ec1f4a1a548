"""What every component of the mesh tells the launcher: how to run it and how to know it is ready."""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from services.runtime.config import ROOT, Settings


class MeshError(RuntimeError):
    """A component cannot be prepared or did not become ready."""


def package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it (some are slow or noisy to import)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise MeshError(f"package {name} is not installed: run `make setup`")
    return Path(spec.origin).parent


@dataclass(frozen=True)
class Program:
    """One supervisord program."""

    command: list[str]
    environment: dict[str, str] = field(default_factory=dict)
    directory: Path = ROOT
    stopsignal: str = "TERM"
    stopwaitsecs: int = 20
    # supervisord stops programs in reverse priority order: the edge first, infrastructure last.
    priority: int = 100
    # Run as this system user (PostgreSQL refuses to run as root).
    user: str | None = None
    # Files the program reads only at start (generated configuration): a change to their content makes
    # the running program stale, as a changed command does.
    inputs: tuple[Path, ...] = ()

    def inputs_digest(self) -> str:
        """SHA-256 over the inputs' names and contents ("" without inputs; a missing file counts as empty)."""
        if not self.inputs:
            return ""
        digest = hashlib.sha256()
        for path in self.inputs:
            digest.update(str(path).encode() + b"\0")
            digest.update(path.read_bytes() if path.exists() else b"")
            digest.update(b"\0")
        return digest.hexdigest()


@dataclass(frozen=True)
class MetricsTarget:
    """One Prometheus endpoint a component serves: the local Prometheus scrapes it as job `job` (the name the
    Kubernetes ServiceMonitor gives, which the rules select on)."""

    job: str
    port: int
    path: str = "/metrics"
    host: str = "127.0.0.1"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class Component:
    """A named process plus its real readiness probe.

    up() runs prepare() (one-time files: data directories, configs), starts the program, waits for
    reachable(), runs bootstrap() (roles, databases, topics; idempotent) and waits for ready().
    """

    name: str
    depends: tuple[str, ...] = ()
    start_timeout: float = 60.0
    # Restart on up() when the running program is stale (its command or inputs changed); otherwise up()
    # only reports it. For programs that hold no state a restart could lose (the edge).
    restart_when_stale: bool = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def state_dir(self) -> Path:
        return self.settings.state_dir / self.name

    def program(self) -> Program:
        raise NotImplementedError

    def prepare(self) -> None:
        """Write what the program needs before it starts (idempotent)."""

    async def reachable(self) -> bool:
        """The process answers its protocol (before bootstrap)."""
        return await self.ready()

    async def bootstrap(self) -> None:
        """Create what clients expect to exist (idempotent)."""

    async def ready(self) -> bool:
        """The real readiness probe: what a client of this component needs works."""
        raise NotImplementedError

    def metrics_targets(self) -> list[MetricsTarget]:
        """What the local Prometheus scrapes of this component (tools/mesh/prometheus.py); none by default."""
        return []
