"""The features service assembled: the feature store's API and the pipeline that feeds it, on one database."""

from __future__ import annotations

from fintech.features.v1.feature_store_service_pb2_grpc import add_FeatureStoreServiceServicer_to_server

from services.features.adapters.db.erasure import Erasure
from services.features.adapters.db.reads import FeatureReads
from services.features.adapters.pipeline import FeaturePipeline
from services.features.api.feature_store import FeatureStoreServicer
from services.features.app.feature_store import FeatureStore
from services.runtime.app import domain_service
from services.runtime.config import Settings, get_settings
from services.runtime.db import Database
from services.runtime.server import Service


def feature_store(database: Database, settings: Settings) -> FeatureStoreServicer:
    """The FeatureStoreService servicer over `database`."""
    erasure = Erasure(database, settings.spiffe_id("features"))
    return FeatureStoreServicer(FeatureStore(FeatureReads(database), erasure))


def build() -> Service:
    settings = get_settings()
    database = Database.for_service("features", settings)
    return domain_service(
        "features",
        [(add_FeatureStoreServiceServicer_to_server, feature_store(database, settings))],
        settings,
        database=database,
        background=[FeaturePipeline(database, settings)],
    )
