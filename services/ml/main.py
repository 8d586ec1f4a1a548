"""The ml service assembled: model serving in front of Triton and the model registry, on one database."""

from __future__ import annotations

import asyncio

from fintech.ml.v1.model_registry_service_pb2_grpc import add_ModelRegistryServiceServicer_to_server
from fintech.ml.v1.model_serving_service_pb2_grpc import add_ModelServingServiceServicer_to_server

from services.ml import config
from services.ml.adapters.db.versions import ModelStore
from services.ml.adapters.drift_bins import DriftBins
from services.ml.adapters.model_repository import repository_versions
from services.ml.adapters.recording import Recorder
from services.ml.adapters.triton import Triton
from services.ml.api.registry import ModelRegistry
from services.ml.api.serving import ModelServing
from services.ml.app.bootstrap import register_repository
from services.ml.app.registry import Registry
from services.ml.app.serving import Serving
from services.runtime.app import domain_service
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.server import Service

TRITON_WAIT_SECONDS = 60


def build() -> Service:
    settings = get_settings()
    database = Database.for_service("ml", settings)
    source = settings.spiffe_id("ml")
    triton = Triton(settings)
    drift = DriftBins(database)
    store = ModelStore(database, source, config.page_token_key(settings))
    registry = Registry(store, triton.is_ready, flush_served=drift.flush)
    serving = Serving(registry, triton, Recorder(database, source, drift), config.monitoring_key())
    service = domain_service(
        "ml",
        [
            (add_ModelServingServiceServicer_to_server, ModelServing(serving, settings)),
            (add_ModelRegistryServiceServicer_to_server, ModelRegistry(registry, settings)),
        ],
        settings,
        database=database,
        background=[drift, triton],  # stopped in reverse: the drift bins' last flush after Triton's stop
    )

    async def bootstrap() -> None:
        """Register the repository's models (Triton must have them loaded to promote: wait for it a while)."""
        for _ in range(TRITON_WAIT_SECONDS):
            if await triton.server_ready():
                break
            await asyncio.sleep(1)
        await register_repository(registry, repository_versions())

    service.startup = [*service.startup, bootstrap]
    service.readiness["triton"] = triton.server_ready
    return service
