"""Readiness follows the checks; liveness stays SERVING through a dependency outage and the drain."""

from __future__ import annotations

from grpc_health.v1 import health_pb2

from services.runtime.health import LIVENESS, NOT_SERVING, SERVING, HealthReporter

SERVICE = "fintech.payments.v1.PaymentInitiationService"


async def _status(reporter: HealthReporter, name: str) -> int:
    response = await reporter.servicer.Check(health_pb2.HealthCheckRequest(service=name), None)
    return response.status


async def test_a_failing_dependency_makes_the_service_unready_but_never_dead():
    database_up = True

    async def database() -> bool:
        return database_up

    reporter = HealthReporter([SERVICE], {"database": database})
    await reporter.evaluate()
    assert [await _status(reporter, name) for name in ("", SERVICE, LIVENESS)] == [SERVING] * 3

    database_up = False
    await reporter.evaluate()
    assert await _status(reporter, "") == NOT_SERVING
    assert await _status(reporter, SERVICE) == NOT_SERVING
    assert await _status(reporter, LIVENESS) == SERVING  # Kubernetes must not restart it for the outage

    database_up = True
    await reporter.evaluate()
    assert await _status(reporter, SERVICE) == SERVING
    await reporter.drain()
    assert await _status(reporter, SERVICE) == NOT_SERVING
    assert await _status(reporter, LIVENESS) == SERVING  # draining is alive: let the calls in flight finish
