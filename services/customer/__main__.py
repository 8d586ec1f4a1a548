"""`python -m services.customer`: run the customer service.

The standard domain service (database migrated at startup, outbox relay, readiness on both) with the
four customer servicers, the compliance-service client for KYC screening and the behaviour models'
consumer of payment events.
"""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from fintech.customer.v1 import customer_behavior_models_service_pb2_grpc as bsvc_grpc
from fintech.customer.v1 import customer_directory_service_pb2_grpc as dsvc_grpc
from fintech.customer.v1 import customer_onboarding_service_pb2_grpc as osvc_grpc
from fintech.customer.v1 import customer_profile_service_pb2_grpc as psvc_grpc

from services.customer.config import load_keys
from services.customer.consumers import PaymentEventsConsumer
from services.customer.servicers import (
    CustomerBehaviorModels,
    CustomerContext,
    CustomerDirectory,
    CustomerOnboarding,
    CustomerProfiles,
)
from services.runtime.app import contract_servicers
from services.runtime.clients import ServiceClient
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.migrations import upgrade_async
from services.runtime.relay import OutboxRelay
from services.runtime.server import Service, run


def build() -> Service:
    settings = get_settings()
    database = Database.for_service("customer", settings)
    relay = OutboxRelay(database, name="customer-outbox-relay", settings=settings)
    keys = load_keys(settings)
    ctx = CustomerContext(database=database, settings=settings, keys=keys)
    consumer = PaymentEventsConsumer(database, keys, settings=settings)

    async def migrate() -> None:
        await upgrade_async("customer", settings.postgres.url("customer"))

    async def connect_risk() -> None:  # a grpc.aio channel belongs to the running loop
        ctx.risk = ServiceClient("customer", "risk", settings=settings)

    async def close_risk() -> None:
        if ctx.risk is not None:
            await ctx.risk.close()

    async def kafka_ready() -> bool:
        return relay.healthy

    implemented = [
        (dsvc_grpc.add_CustomerDirectoryServiceServicer_to_server, CustomerDirectory(ctx)),
        (osvc_grpc.add_CustomerOnboardingServiceServicer_to_server, CustomerOnboarding(ctx)),
        (psvc_grpc.add_CustomerProfileServiceServicer_to_server, CustomerProfiles(ctx)),
        (bsvc_grpc.add_CustomerBehaviorModelsServiceServicer_to_server, CustomerBehaviorModels(ctx)),
    ]
    return Service(
        name="customer",
        servicers=contract_servicers("customer", implemented),
        readiness={"database": database.ready, "kafka": kafka_ready},
        startup=[migrate, connect_risk, relay.start, consumer.start],
        shutdown=[consumer.stop, relay.stop, close_risk, database.dispose],
    )


if __name__ == "__main__":
    run(build())
