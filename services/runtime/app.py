"""The standard shape of a domain service: its database (migrated at startup), its outbox relay,
and readiness that needs both, around the servicers of its contracts.

    run(domain_service("payments", servicers=[(add_PaymentInitiationServiceServicer_to_server, impl)]))

A contract service without an implementation yet is served by its generated base servicer,
which answers UNIMPLEMENTED: the API surface (reflection, health, policy) is real from day one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from services.runtime.config import Settings, get_settings
from services.runtime.contracts import service_modules
from services.runtime.db import Database
from services.runtime.migrations import upgrade_async
from services.runtime.relay import OutboxRelay
from services.runtime.server import AddServicer, Service

Servicers = Sequence[tuple[AddServicer, object]]


class Background(Protocol):
    """What runs beside the servicers for the service's lifetime: an event consumer, a periodic task, a client
    whose channel belongs to the running loop."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def contract_servicers(domain: str, implemented: Servicers = ()) -> list[tuple[AddServicer, object]]:
    """Every gRPC service of `fintech.<domain>.v1`: the given implementations, base servicers for the rest."""
    done = {add.__name__ for add, _ in implemented}
    servicers = list(implemented)
    for module in service_modules(domain, "_service_pb2_grpc"):
        for name in dir(module):
            if name.startswith("add_") and name.endswith("Servicer_to_server") and name not in done:
                base = getattr(module, name.removeprefix("add_").removesuffix("_to_server"))
                servicers.append((getattr(module, name), base()))
    return servicers


def domain_service(
    name: str,
    implemented: Servicers = (),
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    background: Sequence[Background] = (),
) -> Service:
    """`database`: the one the implementations use (default: a new one for the service); `background`: the
    clients of other services, event consumers and periodic tasks (`Background`), started in order after the
    migrations and stopped in reverse order before the outbox relay and the database close."""
    settings = settings or get_settings()
    database = database or Database.for_service(name, settings)
    relay = OutboxRelay(database, name=f"{name}-outbox-relay", settings=settings)

    async def migrate() -> None:
        await upgrade_async(name, settings.postgres.url(name))

    async def kafka_ready() -> bool:
        return relay.healthy

    return Service(
        name=name,
        servicers=contract_servicers(name, implemented),
        readiness={"database": database.ready, "kafka": kafka_ready},
        startup=[migrate, relay.start, *(part.start for part in background)],
        shutdown=[*(part.stop for part in reversed(background)), relay.stop, database.dispose],
    )
