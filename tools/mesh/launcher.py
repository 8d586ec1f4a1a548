"""Mesh: bring the local mesh up in dependency order, wait for real readiness, stop and report it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from services.runtime.config import SERVICES, Settings, get_settings
from tools.mesh.aio import run_sync
from tools.mesh.alertmanager import Alertmanager
from tools.mesh.component import Component, MeshError, Program
from tools.mesh.envoy import Envoy, envoy_configured
from tools.mesh.exporters import PostgresExporter, RedisExporter
from tools.mesh.issuer import Issuer
from tools.mesh.jaeger import Jaeger
from tools.mesh.kafka import Kafka
from tools.mesh.object_store import ObjectStore
from tools.mesh.postgres import Postgres
from tools.mesh.prometheus import Prometheus
from tools.mesh.ratelimit import RateLimit
from tools.mesh.redis_server import Redis
from tools.mesh.rsyslog import Rsyslog
from tools.mesh.services import Service, service_exists
from tools.mesh.settings_file import write_settings_file
from tools.mesh.supervisor import Supervisor
from tools.mesh.triton import MODELS, Triton
from tools.mesh.victorialogs import VictoriaLogs

INFRASTRUCTURE = ("postgres", "kafka", "redis", "triton")
# What collects the mesh's logs, metrics and traces: in `make up`'s default set ([mesh] collectors = false,
# FINTECH_MESH__COLLECTORS=false, leaves them out); a test starts them only by name.
METRICS = ("postgres_exporter", "redis_exporter", "alertmanager", "prometheus")
LOGS = ("victorialogs", "rsyslog")
TRACES = ("jaeger",)
COLLECTORS: tuple[str, ...] = (*METRICS, *LOGS, *TRACES)
# The data platform: in `make up`'s default set ([mesh] data_platform = false leaves it out); a test starts it
# only by name.
DATA_PLATFORM = ("object_store", "lake")
POLL_INTERVAL = 0.2
# supervisord calls a program RUNNING only after startsecs (1 s); a passing probe is enough before that.
LIVE = ("STARTING", "RUNNING")
MAX_RESTARTS = 3


class Mesh:
    def __init__(self, settings: Settings | None = None, *, model_repository: Path = MODELS) -> None:
        self.settings = settings or get_settings()
        self.supervisor = Supervisor(self.settings)
        self.components: dict[str, Component] = {
            "postgres": Postgres(self.settings),
            "kafka": Kafka(self.settings),
            "redis": Redis(self.settings),
            "triton": Triton(self.settings, model_repository),
            **{name: Service(self.settings, name) for name in self.settings.services},
            "issuer": Issuer(self.settings),
            "ratelimit": RateLimit(self.settings),
            "envoy": Envoy(self.settings),
            "postgres_exporter": PostgresExporter(self.settings),
            "redis_exporter": RedisExporter(self.settings),
            "alertmanager": Alertmanager(self.settings),
            "victorialogs": VictoriaLogs(self.settings),
            "rsyslog": Rsyslog(self.settings),
            "jaeger": Jaeger(self.settings),
            "object_store": ObjectStore(self.settings),
        }
        # Scrapes what every component declares (Component.metrics_targets), those registered later too.
        self.components["prometheus"] = Prometheus(self.settings, self.components)
        self.elapsed = 0.0  # seconds the last up() took
        self.stale: list[str] = []  # running with an older configuration after the last up()

    # -- what exists --------------------------------------------------------------------------------

    def available(self, *, collectors: bool = True) -> list[str]:
        """The default set: infrastructure, the services already written, Envoy once configured, and the
        collectors unless left out (`collectors=False`, or [mesh] collectors = false: FINTECH_MESH__COLLECTORS)."""
        names = [*INFRASTRUCTURE, *(name for name in self._services() if service_exists(name))]
        names = [name for name in names if name not in DATA_PLATFORM]
        if self.settings.mesh.data_platform:
            names += [name for name in DATA_PLATFORM if name in self.components and self._runnable(name)]
        names = [*names, "issuer", "ratelimit", "envoy"] if envoy_configured() else names
        return [*names, *self._collectors()] if collectors and self.settings.mesh.collectors else names

    def _runnable(self, name: str) -> bool:
        component = self.components[name]
        return not isinstance(component, Service) or service_exists(name)

    def _collectors(self) -> list[str]:
        """The collectors beside the mesh; no Jaeger when no span leaves the processes ([tracing] export = false)."""
        return [name for name in COLLECTORS if name not in TRACES or self.settings.tracing.export]

    def _services(self) -> list[str]:
        ordered = [name for name in SERVICES if name in self.settings.services]
        return ordered + [name for name in self.settings.services if name not in ordered]

    # -- lifecycle ----------------------------------------------------------------------------------

    def up(self, *components: str) -> None:
        """Start the components (default: all available) and their dependencies; wait until ready.

        Idempotent: running, ready components are left alone.
        """
        wanted = self._with_dependencies(components or self.available())
        started = time.monotonic()
        if any(isinstance(self.components[name], (Service, Redis, RateLimit)) for name in wanted):
            _ensure_certs(self.settings)
        run_sync(self._prepare(wanted))
        write_settings_file(self.settings)
        self.supervisor.write_config(self._programs(wanted))
        restart = [name for name in wanted if self.components[name].restart_when_stale]
        stale = self.supervisor.ensure_running(restart)
        for level in _levels(wanted, self.components):
            run_sync(self._bring_up(level))
        self.elapsed = time.monotonic() - started
        self.stale = [name for name in stale if name in wanted]

    def start(self, component: str) -> None:
        """Start one component (and what it depends on) and wait until it is ready again."""
        self.up(component)

    def stop(self, component: str) -> None:
        """Stop one component; its dependants keep running (fault tests: stop("kafka"))."""
        self._component(component)
        if self.supervisor.running():
            self.supervisor.stop(component)

    def restart(self, component: str) -> None:
        self.stop(component)
        self.up(component)

    def down(self) -> None:
        """Stop every program and supervisord itself; data stays in the state directory."""
        self.supervisor.shutdown()

    def status(self) -> dict[str, str]:
        """component -> "ready" | "starting" | "stopped" | "failed: ..." (process state + real probe)."""
        return {name: row[1] for name, row in self.report().items()}

    def report(self) -> dict[str, tuple[str, str]]:
        """component -> (supervisord's description of the process, readiness)."""
        processes = self.supervisor.processes()
        # Beyond the default set, what runs or ran: collectors a test mesh never started are not "stopped".
        started = [name for name, info in processes.items() if info["statename"] != "STOPPED"]
        names = [*self.available(), *(name for name in started if name not in self.available())]
        names = [name for name in names if name in self.components]
        live = [name for name in names if processes.get(name, {}).get("statename") in LIVE]
        probes = dict(zip(live, run_sync(self._probe_all(live)), strict=True))
        report = {}
        for name in names:
            info = processes.get(name)
            if info is None:
                report[name] = ("not started", "stopped")
                continue
            process = f"{info['statename']} {info['description']}".strip()
            report[name] = (process, self._readiness(name, info, probes.get(name, False)))
        return report

    def _readiness(self, name: str, info: dict[str, Any], probe_ok: bool) -> str:
        state = info["statename"]
        if state in LIVE:
            return "ready" if probe_ok else "starting"
        if state == "BACKOFF":
            return "starting"
        if state == "FATAL":
            reason = info.get("spawnerr") or "exited too quickly"
            return f"failed: {reason} (see {self.supervisor.log_file(name)})"
        return "stopped"

    # -- internals ----------------------------------------------------------------------------------

    def _component(self, name: str) -> Component:
        if name not in self.components:
            raise MeshError(f"unknown component {name!r}; known: {', '.join(self.components)}")
        return self.components[name]

    def _with_dependencies(self, names: Iterable[str]) -> list[str]:
        wanted: set[str] = set()

        def add(name: str) -> None:
            component = self._component(name)
            if isinstance(component, Service) and not service_exists(name):
                raise MeshError(f"service {name!r} has no package yet (services/{name}/__main__.py)")
            if name not in wanted:
                wanted.add(name)
                for dependency in component.depends:
                    add(dependency)

        for name in names:
            add(name)
        return [name for name in self.components if name in wanted]

    async def _prepare(self, names: list[str]) -> None:
        # initdb and the Kafka storage format take a second or two each: run them side by side.
        await asyncio.gather(*(asyncio.to_thread(self.components[name].prepare) for name in names))

    def _programs(self, wanted: list[str]) -> dict[str, Program]:
        """Every component that can run here gets a program, so the configuration stays stable."""
        programs = {}
        for name, component in self.components.items():
            if isinstance(component, Service) and not service_exists(name):
                continue
            if name in ("issuer", "ratelimit", "envoy") and not envoy_configured():
                continue
            try:
                programs[name] = component.program()
            except MeshError:
                if name in wanted:
                    raise
        return programs

    async def _bring_up(self, names: list[str]) -> None:
        await asyncio.gather(*(self._bring_up_one(self.components[name]) for name in names))

    async def _bring_up_one(self, component: Component) -> None:
        name = component.name
        info = self.supervisor.processes().get(name, {})
        if info.get("statename") in LIVE and await _probe(component.ready):
            return
        deadline = time.monotonic() + component.start_timeout
        launched = False
        last_error: Exception | None = None
        pids: set[int] = set()
        while True:
            info = self.supervisor.processes().get(name, {})
            state = info.get("statename")
            if info.get("pid"):
                pids.add(info["pid"])
            # A program that lives past startsecs and then dies is restarted forever: stop waiting early.
            if len(pids) > MAX_RESTARTS:
                raise MeshError(f"{name} keeps exiting; last log lines:\n{self.supervisor.tail(name, 30)}")
            if state == "STOPPING":
                pass  # a stop in flight: start once it has finished
            elif state == "FATAL" and launched:
                raise MeshError(f"{name} failed to start; last log lines:\n{self.supervisor.tail(name, 30)}")
            elif state in ("STOPPED", "EXITED", "FATAL", None):
                self.supervisor.start(name)
                launched = True
            elif state in LIVE:
                if await _probe(component.ready):
                    return
                if await _probe(component.reachable):
                    try:
                        await component.bootstrap()
                    except Exception as error:  # retried until the deadline: the broker may be settling
                        last_error = error
            if time.monotonic() > deadline:
                detail = f" (last bootstrap error: {last_error!r})" if last_error else ""
                raise MeshError(
                    f"{name} not ready after {component.start_timeout:.0f} s{detail}; "
                    f"last log lines:\n{self.supervisor.tail(name, 30)}"
                )
            await asyncio.sleep(POLL_INTERVAL)

    async def _probe_all(self, names: list[str]) -> list[bool]:
        return list(await asyncio.gather(*(_probe(self.components[name].ready) for name in names)))


async def _probe(check: Callable[[], Awaitable[bool]]) -> bool:
    try:
        return await check()
    except Exception:  # a probe that crashes is a component that is not ready
        return False


def _levels(names: list[str], components: dict[str, Component]) -> list[list[str]]:
    """Group components so that each starts after everything it depends on (same level: in parallel)."""
    level: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in level:
            dependencies = [dep for dep in components[name].depends if dep in names]
            level[name] = 1 + max((depth(dep) for dep in dependencies), default=-1)
        return level[name]

    for name in names:
        depth(name)
    if not level:
        return []
    return [[name for name in names if level[name] == index] for index in range(max(level.values()) + 1)]


def _ensure_certs(settings: Settings) -> None:
    try:
        from tools.certs import ensure_certs
    except ImportError as error:
        raise MeshError("tools/certs.py is missing: services need the dev CA's certificates") from error
    ensure_certs(settings)
