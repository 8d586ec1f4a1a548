"""FeatureStoreService: protobuf <-> the feature store's use cases (services.features.app.feature_store)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import grpc
from fintech.features.v1 import feature_store_service_pb2 as pb
from fintech.features.v1 import feature_store_service_pb2_grpc

from libs.featurespec.definitions import Feature
from services.features.app.feature_store import FeatureStore
from services.features.domain.readings import definitions_page, selection


def _selection(request: pb.RetrieveOnlineFeaturesRequest | pb.RetrieveHistoricalFeaturesRequest) -> list[Feature]:
    by_view = request.WhichOneof("selection") == "feature_view"
    return selection(request.feature_view if by_view else None, request.features.feature_names)


class FeatureStoreServicer(feature_store_service_pb2_grpc.FeatureStoreServiceServicer):
    def __init__(self, store: FeatureStore) -> None:
        self.store = store

    async def RetrieveOnlineFeatures(
        self, request: pb.RetrieveOnlineFeaturesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.RetrieveOnlineFeaturesResponse:
        features = _selection(request)
        max_staleness = request.max_staleness.ToTimedelta() if request.HasField("max_staleness") else None
        read_time, readings = await self.store.online(request.entities, features, max_staleness)
        response = pb.RetrieveOnlineFeaturesResponse()
        for key, entity_readings in zip(request.entities, readings, strict=True):
            response.entities.add(entity=key, readings=entity_readings)
        response.read_time.FromDatetime(read_time)
        return response

    async def RetrieveHistoricalFeatures(
        self, request: pb.RetrieveHistoricalFeaturesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.RetrieveHistoricalFeaturesResponse:
        features = _selection(request)
        rows = [(row.entity, row.read_time.ToDatetime(tzinfo=UTC)) for row in request.entity_rows]
        readings = await self.store.historical(rows, features)
        response = pb.RetrieveHistoricalFeaturesResponse()
        for row, row_readings in zip(request.entity_rows, readings, strict=True):
            response.rows.add(row_key=row.row_key, entity=row.entity, read_time=row.read_time, readings=row_readings)
        return response

    async def ListFeatureDefinitions(
        self, request: pb.ListFeatureDefinitionsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListFeatureDefinitionsResponse:
        definitions, token = definitions_page(
            request.entity_type, request.feature_view, request.page_size, request.page_token
        )
        return pb.ListFeatureDefinitionsResponse(feature_definitions=definitions, next_page_token=token)

    async def EraseEntityFeatures(
        self, request: pb.EraseEntityFeaturesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.EraseEntityFeaturesResponse:
        erased = await self.store.erase(request.entities, request.erasure_request_id)
        response = pb.EraseEntityFeaturesResponse(
            erasures=[
                pb.EntityErasure(
                    entity=e.entity, online_value_count=e.online_value_count, history_value_count=e.history_value_count
                )
                for e in erased
            ]
        )
        response.erase_time.FromDatetime(datetime.now(UTC))
        return response
