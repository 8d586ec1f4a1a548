"""`python -m services.features`: run the features service (the feature store and its pipeline)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from fintech.features.v1.feature_store_service_pb2_grpc import add_FeatureStoreServiceServicer_to_server

from services.features.pipeline import FeaturePipeline
from services.features.service import FeatureStore
from services.runtime.app import domain_service
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.server import run

settings = get_settings()
database = Database.for_service("features", settings)
run(
    domain_service(
        "features",
        [(add_FeatureStoreServiceServicer_to_server, FeatureStore(database, settings))],
        settings,
        database=database,
        background=[FeaturePipeline(database, settings)],
    )
)
