"""The feature store's answers, pure: which features a read selects, each value as a FeatureReading (present,
stale or missing), the definitions and their pages."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from fintech.common.v1 import pagination_pb2
from fintech.common.v1.error_reason_pb2 import ErrorReason
from fintech.features.v1 import entity_pb2, feature_definition_pb2, feature_value_pb2

from libs.featurespec.definitions import BY_NAME, DEFINED, FEATURES, Entity, Feature, ValueType, view
from services.features.domain.values import Value
from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.validation import Violation

FEATURE_NOT_FOUND = ErrorReason.ERROR_REASON_FEATURE_NOT_FOUND
DEFAULT_PAGE_SIZE = 100


def entity_type(entity: Entity) -> entity_pb2.EntityType:
    """The contract's entity type of a feature spec's entity (the spec's enums hold the contract's numbers)."""
    return cast(entity_pb2.EntityType, int(entity))


def value_type(value: ValueType) -> feature_value_pb2.FeatureValueType:
    return cast(feature_value_pb2.FeatureValueType, int(value))


def selection(feature_view: str | None, feature_names: Sequence[str]) -> list[Feature]:
    """The features of a view (when `feature_view` is not None) or those named; NOT_FOUND names the first unknown."""
    if feature_view is not None:
        features = view(feature_view)
        if not features:
            raise NotFound(
                f"no feature view {feature_view!r}",
                reason=FEATURE_NOT_FOUND,
                metadata={"feature_view": feature_view},
            )
        return features
    unknown = [name for name in feature_names if name not in BY_NAME]
    if unknown:
        raise NotFound(
            f"unknown feature {unknown[0]!r}", reason=FEATURE_NOT_FOUND, metadata={"feature_name": unknown[0]}
        )
    return [BY_NAME[name] for name in feature_names]


def of_entity(entity: int, features: Sequence[Feature]) -> list[Feature]:
    """The features among `features` of one entity type."""
    return [f for f in features if int(f.entity) == entity]


def to_value(feature: Feature, value: int | float | timedelta) -> feature_value_pb2.FeatureValue:
    result = feature_value_pb2.FeatureValue()
    if isinstance(value, timedelta):  # a DURATION (time since last)
        result.duration_value.FromTimedelta(value)
        return result
    match feature.value_type:
        case ValueType.INT64:
            result.int64_value = int(value)
        case ValueType.DOUBLE:
            result.double_value = float(value)
        case ValueType.MONEY:
            result.money_value.amount_minor = int(value)
            result.money_value.currency_code = feature.currency_code
    return result


def reading(
    computed: Value, read_time: datetime, watermark: datetime | None, max_staleness: timedelta | None
) -> feature_value_pb2.FeatureReading:
    """An online reading: STALE when the pipeline's watermark lags the read by more than the allowed staleness."""
    feature = computed.feature
    result = feature_value_pb2.FeatureReading(feature_name=feature.name, feature_version=feature.version)
    watermark = watermark or read_time
    result.watermark_time.FromDatetime(watermark)
    staleness = max(read_time - watermark, timedelta(0))
    result.staleness.FromTimedelta(staleness)
    if computed.value is None:
        result.status = feature_value_pb2.FEATURE_STATUS_MISSING
        return result
    result.value.CopyFrom(to_value(feature, computed.value))
    if computed.occur_time is not None:
        result.occur_time.FromDatetime(computed.occur_time)
    limit = max_staleness or feature.max_staleness
    result.status = (
        feature_value_pb2.FEATURE_STATUS_STALE if staleness > limit else feature_value_pb2.FEATURE_STATUS_PRESENT
    )
    return result


def historical_reading(computed: Value, as_of: datetime) -> feature_value_pb2.FeatureReading:
    """A point-in-time reading: the values are exactly as of `as_of`, so never stale."""
    result = reading(computed, as_of, as_of, None)
    result.status = (
        feature_value_pb2.FEATURE_STATUS_MISSING
        if not result.HasField("value")
        else feature_value_pb2.FEATURE_STATUS_PRESENT
    )
    return result


def definition(feature: Feature) -> feature_definition_pb2.FeatureDefinition:
    result = feature_definition_pb2.FeatureDefinition(
        feature_name=feature.name,
        entity_type=entity_type(feature.entity),
        value_type=value_type(feature.value_type),
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
    if feature.entity == Entity.MERCHANT and feature.source_field == "counterparty":
        result.source_field = "debtor_account_id"
    if feature.window:
        result.window.FromTimedelta(feature.window)
    result.max_staleness.FromTimedelta(feature.max_staleness)
    result.create_time.FromDatetime(DEFINED)
    result.update_time.FromDatetime(DEFINED)
    return result


def definitions_page(
    entity: int, feature_view: str, page_size: int, page_token: str
) -> tuple[list[feature_definition_pb2.FeatureDefinition], str]:
    """A page of the definitions (of `entity`'s type and in `feature_view`, when set), by name, and the token of
    the next page ("" after the last)."""
    after = _decode_token(page_token) if page_token else ""
    size = page_size or DEFAULT_PAGE_SIZE
    selected = sorted(
        (
            f
            for f in FEATURES
            if (not entity or int(f.entity) == entity)
            and (not feature_view or feature_view in f.views)
            and f.name > after
        ),
        key=lambda f: f.name,
    )
    page = selected[:size]
    return [definition(f) for f in page], _encode_token(page[-1].name) if len(selected) > size else ""


def _encode_token(after: str) -> str:
    return base64.urlsafe_b64encode(pagination_pb2.PageCursor(after_id=after).SerializeToString()).decode()


def _decode_token(token: str) -> str:
    try:
        return pagination_pb2.PageCursor.FromString(base64.urlsafe_b64decode(token.encode())).after_id
    except Exception:
        raise InvalidArgument(
            "invalid page token", violations=[Violation("page_token", "not a token this API returned")]
        ) from None
