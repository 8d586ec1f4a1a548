"""The dev token issuer of the REST edge (`python -m tools.edge.issuer`), ready when /healthz answers."""

from __future__ import annotations

import asyncio
import sys
import urllib.error
import urllib.request

from tools.mesh.component import Component, Program
from tools.mesh.settings_file import settings_file

PROBE_TIMEOUT = 2.0


class Issuer(Component):
    name = "issuer"
    start_timeout = 30.0

    def program(self) -> Program:
        return Program(
            command=[sys.executable, "-m", "tools.edge.issuer"],
            environment={"FINTECH_CONFIG": str(settings_file(self.settings)), "PYTHONUNBUFFERED": "1"},
            stopwaitsecs=5,
            priority=150,
            # A changed settings file (ports, hosts) makes the running process stale: up() reports it.
            inputs=(settings_file(self.settings),),
        )

    def prepare(self) -> None:
        from tools.edge.tokens import ensure_signing_key

        ensure_signing_key(self.settings)

    async def ready(self) -> bool:
        return await asyncio.to_thread(self._live)

    def _live(self) -> bool:
        url = f"http://{self.settings.mesh.host}:{self.settings.edge.issuer_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False
