"""Health that tells the truth: SERVING only while every readiness check passes.

The standard gRPC health service answers for the whole server ("") and for each gRPC service
name. A loop re-evaluates the checks (database reachable, Kafka producer connected, required
dependencies up) and flips every name to NOT_SERVING as soon as one fails, back when all pass.

Liveness is apart, under the name "liveness": SERVING whenever the process answers at all, draining
included. A database outage makes every pod unready (no traffic) but must not make Kubernetes restart
them all; a wedged event loop does not answer the probe, and that restart is wanted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping

import structlog
from grpc_health.v1 import health, health_pb2

log = structlog.get_logger("health")

ReadinessCheck = Callable[[], Awaitable[bool]]
LIVENESS = "liveness"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class HealthReporter:
    """Owns the health servicer's statuses, driven by named readiness checks."""

    def __init__(
        self, service_names: Iterable[str], checks: Mapping[str, ReadinessCheck], interval: float = 1.0
    ) -> None:
        self.servicer = health.aio.HealthServicer()
        self._names = ["", *service_names]
        self._checks = dict(checks)
        self._interval = interval
        self._serving: bool | None = None
        self._draining = False

    async def evaluate(self) -> dict[str, bool]:
        """Run every check once (each bounded in time) and publish the result."""
        if self._serving is None:  # the first evaluation, before the port opens
            await self.servicer.set(LIVENESS, SERVING)
        results = await asyncio.gather(*(self._run(name, check) for name, check in self._checks.items()))
        outcome = dict(zip(self._checks, results, strict=True))
        await self._publish(all(outcome.values()) and not self._draining, outcome)
        return outcome

    async def _run(self, name: str, check: ReadinessCheck) -> bool:
        try:
            return bool(await asyncio.wait_for(check(), timeout=max(self._interval, 0.5)))
        except Exception as error:  # a check that fails to answer is a failing check
            log.warning("health.check_failed", check=name, error=type(error).__name__)
            return False

    async def _publish(self, serving: bool, outcome: Mapping[str, bool]) -> None:
        if serving == self._serving:
            return
        self._serving = serving
        for name in self._names:
            await self.servicer.set(name, SERVING if serving else NOT_SERVING)
        log.info("health.changed", serving=serving, checks=dict(outcome))

    async def run(self) -> None:
        while True:
            await self.evaluate()
            await asyncio.sleep(self._interval)

    async def drain(self) -> None:
        """Shutting down: report NOT_SERVING so load balancers stop sending new calls."""
        self._draining = True
        await self._publish(False, {"draining": True})
