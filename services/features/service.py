"""FeatureStoreService: online and point-in-time reads, the definitions, erasure."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import grpc
from fintech.common.v1 import pagination_pb2
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.features.v1 import (
    entity_pb2,
    feature_definition_pb2,
    feature_store_service_pb2,
    feature_store_service_pb2_grpc,
    feature_value_pb2,
)

from libs.featurespec.definitions import BY_NAME, DEFINED, FEATURES, Feature, ValueType, view
from services.features import store
from services.features.erasure import erase_entities
from services.runtime.config import Settings, get_settings
from services.runtime.db import Database
from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.validation import Violation

pb = feature_store_service_pb2
FEATURE_NOT_FOUND = ErrorReason.ERROR_REASON_FEATURE_NOT_FOUND


def _selection(request) -> list[Feature]:
    if request.WhichOneof("selection") == "feature_view":
        features = view(request.feature_view)
        if not features:
            raise NotFound(
                f"no feature view {request.feature_view!r}",
                reason=FEATURE_NOT_FOUND,
                metadata={"feature_view": request.feature_view},
            )
        return features
    unknown = [name for name in request.features.feature_names if name not in BY_NAME]
    if unknown:
        raise NotFound(
            f"unknown feature {unknown[0]!r}", reason=FEATURE_NOT_FOUND, metadata={"feature_name": unknown[0]}
        )
    return [BY_NAME[name] for name in request.features.feature_names]


def _read(key: entity_pb2.EntityKey, features: list[Feature], as_of: datetime | None = None) -> store.Read:
    """The features of `key`'s entity type among `features`, for one entity."""
    own = [f for f in features if f.entity == key.entity_type]
    return store.Read(key.entity_type, uuid.UUID(key.entity_id), own, as_of)


def to_value(feature: Feature, value) -> feature_value_pb2.FeatureValue:
    result = feature_value_pb2.FeatureValue()
    match feature.value_type:
        case ValueType.INT64:
            result.int64_value = int(value)
        case ValueType.DOUBLE:
            result.double_value = float(value)
        case ValueType.MONEY:
            result.money_value.amount_minor = int(value)
            result.money_value.currency_code = feature.currency_code
        case ValueType.DURATION:
            result.duration_value.FromTimedelta(value)
    return result


def _reading(
    computed: store.Value, read_time: datetime, watermark: datetime | None, max_staleness: timedelta | None
) -> feature_value_pb2.FeatureReading:
    feature = computed.feature
    reading = feature_value_pb2.FeatureReading(feature_name=feature.name, feature_version=feature.version)
    watermark = watermark or read_time
    reading.watermark_time.FromDatetime(watermark)
    staleness = max(read_time - watermark, timedelta(0))
    reading.staleness.FromTimedelta(staleness)
    if computed.value is None:
        reading.status = feature_value_pb2.FEATURE_STATUS_MISSING
        return reading
    reading.value.CopyFrom(to_value(feature, computed.value))
    reading.occur_time.FromDatetime(computed.occur_time)
    limit = max_staleness or feature.max_staleness
    reading.status = (
        feature_value_pb2.FEATURE_STATUS_STALE if staleness > limit else feature_value_pb2.FEATURE_STATUS_PRESENT
    )
    return reading


def definition(feature: Feature) -> feature_definition_pb2.FeatureDefinition:
    result = feature_definition_pb2.FeatureDefinition(
        feature_name=feature.name,
        entity_type=feature.entity,
        value_type=feature.value_type,
        description=feature.description,
        aggregation=feature.aggregation.value,
        source_event_type="fintech.payments.v1.PaymentInitiated",
        source_field={"amount": "amount", "counterparty": "creditor_account_id"}.get(feature.source_field, ""),
        source_filter=feature.source_filter,
        currency_code=feature.currency_code,
        owner="fraud-analytics",
        version=feature.version,
        feature_views=list(feature.views),
    )
    if feature.entity == entity_pb2.ENTITY_TYPE_MERCHANT and feature.source_field == "counterparty":
        result.source_field = "debtor_account_id"
    if feature.window:
        result.window.FromTimedelta(feature.window)
    result.max_staleness.FromTimedelta(feature.max_staleness)
    result.create_time.FromDatetime(DEFINED)
    result.update_time.FromDatetime(DEFINED)
    return result


def _encode_token(after: str) -> str:
    return base64.urlsafe_b64encode(pagination_pb2.PageCursor(after_id=after).SerializeToString()).decode()


def _decode_token(token: str) -> str:
    try:
        return pagination_pb2.PageCursor.FromString(base64.urlsafe_b64decode(token.encode())).after_id
    except Exception:
        raise InvalidArgument(
            "invalid page token", violations=[Violation("page_token", "not a token this API returned")]
        ) from None


class FeatureStore(feature_store_service_pb2_grpc.FeatureStoreServiceServicer):
    def __init__(self, database: Database, settings: Settings | None = None) -> None:
        self.database = database
        self.source = (settings or get_settings()).spiffe_id("features")

    async def RetrieveOnlineFeatures(self, request, context: grpc.aio.ServicerContext):
        features = _selection(request)
        max_staleness = request.max_staleness.ToTimedelta() if request.HasField("max_staleness") else None
        reads = [_read(key, features) for key in request.entities]
        async with self.database.session() as session:
            results, watermark = await store.compute(session, reads)
        read_time = results[0].as_of if results else datetime.now(UTC)  # as of the database's now
        response = pb.RetrieveOnlineFeaturesResponse()
        for key, result in zip(request.entities, results, strict=True):
            response.entities.add(
                entity=key, readings=[_reading(v, read_time, watermark, max_staleness) for v in result.values]
            )
        response.read_time.FromDatetime(read_time)
        return response

    async def RetrieveHistoricalFeatures(self, request, context: grpc.aio.ServicerContext):
        features = _selection(request)
        reads = [_read(row.entity, features, row.read_time.ToDatetime(tzinfo=UTC)) for row in request.entity_rows]
        async with self.database.session() as session:
            results, _ = await store.compute(session, reads)
        response = pb.RetrieveHistoricalFeaturesResponse()
        for row, result in zip(request.entity_rows, results, strict=True):
            readings = [_reading(v, result.as_of, result.as_of, None) for v in result.values]
            for reading in readings:  # point in time: the values are exactly as of read_time
                reading.status = (
                    feature_value_pb2.FEATURE_STATUS_MISSING
                    if not reading.HasField("value")
                    else feature_value_pb2.FEATURE_STATUS_PRESENT
                )
            response.rows.add(row_key=row.row_key, entity=row.entity, read_time=row.read_time, readings=readings)
        return response

    async def ListFeatureDefinitions(self, request, context: grpc.aio.ServicerContext):
        after = _decode_token(request.page_token) if request.page_token else ""
        size = request.page_size or 100
        selected = sorted(
            (
                f
                for f in FEATURES
                if (not request.entity_type or f.entity == request.entity_type)
                and (not request.feature_view or request.feature_view in f.views)
                and f.name > after
            ),
            key=lambda f: f.name,
        )
        page = selected[:size]
        response = pb.ListFeatureDefinitionsResponse(feature_definitions=[definition(f) for f in page])
        if len(selected) > size:
            response.next_page_token = _encode_token(page[-1].name)
        return response

    async def EraseEntityFeatures(self, request, context: grpc.aio.ServicerContext):
        async with self.database.transaction() as session:
            erasures = await erase_entities(session, request.entities, request.erasure_request_id, self.source)
        response = pb.EraseEntityFeaturesResponse(erasures=erasures)
        response.erase_time.FromDatetime(datetime.now(UTC))
        return response
