"""The features service assembled: the feature store's API and the pipeline that feeds it, on one database, with
the online rows in Redis."""

from __future__ import annotations

from fintech.features.v1.feature_store_service_pb2_grpc import add_FeatureStoreServiceServicer_to_server

from libs.featurespec.online import OnlineReader
from services.features.adapters.db.erasure import Erasure
from services.features.adapters.db.reads import FeatureReads
from services.features.adapters.online import OnlineWriter
from services.features.adapters.pipeline import FeaturePipeline
from services.features.api.feature_store import FeatureStoreServicer
from services.features.app.feature_store import FeatureStore
from services.runtime import redis_client
from services.runtime.app import domain_service
from services.runtime.config import Settings, get_settings
from services.runtime.db import Database
from services.runtime.server import Service

WRITE_TIMEOUT = 2.0


def feature_store(database: Database, settings: Settings, online: OnlineWriter | None = None) -> FeatureStoreServicer:
    """The FeatureStoreService servicer over `database`, reading and erasing the online store too with `online`."""
    erasure = Erasure(database, settings.spiffe_id("features"), online)
    reader = OnlineReader(online.redis, settings.redis.timeout_seconds) if online is not None else None
    return FeatureStoreServicer(FeatureStore(FeatureReads(database), erasure, reader))


def build() -> Service:
    settings = get_settings()
    database = Database.for_service("features", settings)
    # The writer waits longer than a reader may (a TLS handshake under load): a slow write costs no payment.
    online = OnlineWriter(database, redis_client.connect(settings, "features", timeout=WRITE_TIMEOUT))
    return domain_service(
        "features",
        [(add_FeatureStoreServiceServicer_to_server, feature_store(database, settings, online))],
        settings,
        database=database,
        background=[online, FeaturePipeline(database, settings, online)],
    )
