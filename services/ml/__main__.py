"""`python -m services.ml`: run the ml service (model serving in front of Triton, the model registry)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

import asyncio

from fintech.ml.v1.model_registry_service_pb2_grpc import add_ModelRegistryServiceServicer_to_server
from fintech.ml.v1.model_serving_service_pb2_grpc import add_ModelServingServiceServicer_to_server

from services.ml.registry import ModelRegistry, Registry, register_repository
from services.ml.serving import ModelServing, Triton
from services.runtime.app import domain_service
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.server import run

settings = get_settings()
database = Database.for_service("ml", settings)
triton = Triton(settings)
registry = Registry(database, settings, triton.is_ready)
service = domain_service(
    "ml",
    [
        (add_ModelServingServiceServicer_to_server, ModelServing(registry, triton)),
        (add_ModelRegistryServiceServicer_to_server, ModelRegistry(registry)),
    ],
    settings,
    database=database,
)


async def bootstrap() -> None:
    """Register the repository's models (Triton must have them loaded to promote: wait for it a while)."""
    for _ in range(60):
        if await triton_ready():
            break
        await asyncio.sleep(1)
    await register_repository(registry)


async def triton_ready() -> bool:
    try:
        return await triton.client.is_server_ready(client_timeout=1.0)
    except Exception:
        return False


service.startup = [*service.startup, bootstrap]
service.shutdown = [triton.close, *service.shutdown]
service.readiness["triton"] = triton_ready
run(service)
