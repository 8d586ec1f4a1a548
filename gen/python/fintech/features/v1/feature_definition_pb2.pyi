import datetime

from fintech.features.v1 import entity_pb2 as _entity_pb2
from fintech.features.v1 import feature_value_pb2 as _feature_value_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Aggregation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGGREGATION_UNSPECIFIED: _ClassVar[Aggregation]
    AGGREGATION_COUNT: _ClassVar[Aggregation]
    AGGREGATION_SUM: _ClassVar[Aggregation]
    AGGREGATION_MEAN: _ClassVar[Aggregation]
    AGGREGATION_MAX: _ClassVar[Aggregation]
    AGGREGATION_MIN: _ClassVar[Aggregation]
    AGGREGATION_DISTINCT_COUNT: _ClassVar[Aggregation]
    AGGREGATION_TIME_SINCE_LAST: _ClassVar[Aggregation]
    AGGREGATION_LAST: _ClassVar[Aggregation]
    AGGREGATION_STDDEV: _ClassVar[Aggregation]
AGGREGATION_UNSPECIFIED: Aggregation
AGGREGATION_COUNT: Aggregation
AGGREGATION_SUM: Aggregation
AGGREGATION_MEAN: Aggregation
AGGREGATION_MAX: Aggregation
AGGREGATION_MIN: Aggregation
AGGREGATION_DISTINCT_COUNT: Aggregation
AGGREGATION_TIME_SINCE_LAST: Aggregation
AGGREGATION_LAST: Aggregation
AGGREGATION_STDDEV: Aggregation

class FeatureDefinition(_message.Message):
    __slots__ = ("feature_name", "entity_type", "value_type", "description", "aggregation", "window", "source_event_type", "source_field", "source_filter", "currency_code", "owner", "version", "feature_views", "max_staleness", "create_time", "update_time")
    FEATURE_NAME_FIELD_NUMBER: _ClassVar[int]
    ENTITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AGGREGATION_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FILTER_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    MAX_STALENESS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    feature_name: str
    entity_type: _entity_pb2.EntityType
    value_type: _feature_value_pb2.FeatureValueType
    description: str
    aggregation: Aggregation
    window: _duration_pb2.Duration
    source_event_type: str
    source_field: str
    source_filter: str
    currency_code: str
    owner: str
    version: int
    feature_views: _containers.RepeatedScalarFieldContainer[str]
    max_staleness: _duration_pb2.Duration
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, feature_name: _Optional[str] = ..., entity_type: _Optional[_Union[_entity_pb2.EntityType, str]] = ..., value_type: _Optional[_Union[_feature_value_pb2.FeatureValueType, str]] = ..., description: _Optional[str] = ..., aggregation: _Optional[_Union[Aggregation, str]] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., source_event_type: _Optional[str] = ..., source_field: _Optional[str] = ..., source_filter: _Optional[str] = ..., currency_code: _Optional[str] = ..., owner: _Optional[str] = ..., version: _Optional[int] = ..., feature_views: _Optional[_Iterable[str]] = ..., max_staleness: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
