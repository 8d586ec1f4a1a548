import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.features.v1 import entity_pb2 as _entity_pb2
from fintech.features.v1 import feature_definition_pb2 as _feature_definition_pb2
from fintech.features.v1 import feature_value_pb2 as _feature_value_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import visibility_pb2 as _visibility_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureNameList(_message.Message):
    __slots__ = ("feature_names",)
    FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    feature_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, feature_names: _Optional[_Iterable[str]] = ...) -> None: ...

class RetrieveOnlineFeaturesRequest(_message.Message):
    __slots__ = ("entities", "features", "feature_view", "max_staleness")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    MAX_STALENESS_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[_entity_pb2.EntityKey]
    features: FeatureNameList
    feature_view: str
    max_staleness: _duration_pb2.Duration
    def __init__(self, entities: _Optional[_Iterable[_Union[_entity_pb2.EntityKey, _Mapping]]] = ..., features: _Optional[_Union[FeatureNameList, _Mapping]] = ..., feature_view: _Optional[str] = ..., max_staleness: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RetrieveOnlineFeaturesResponse(_message.Message):
    __slots__ = ("entities", "read_time")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    READ_TIME_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[EntityFeatures]
    read_time: _timestamp_pb2.Timestamp
    def __init__(self, entities: _Optional[_Iterable[_Union[EntityFeatures, _Mapping]]] = ..., read_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EntityFeatures(_message.Message):
    __slots__ = ("entity", "readings")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    READINGS_FIELD_NUMBER: _ClassVar[int]
    entity: _entity_pb2.EntityKey
    readings: _containers.RepeatedCompositeFieldContainer[_feature_value_pb2.FeatureReading]
    def __init__(self, entity: _Optional[_Union[_entity_pb2.EntityKey, _Mapping]] = ..., readings: _Optional[_Iterable[_Union[_feature_value_pb2.FeatureReading, _Mapping]]] = ...) -> None: ...

class RetrieveHistoricalFeaturesRequest(_message.Message):
    __slots__ = ("entity_rows", "features", "feature_view")
    ENTITY_ROWS_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    entity_rows: _containers.RepeatedCompositeFieldContainer[EntityRow]
    features: FeatureNameList
    feature_view: str
    def __init__(self, entity_rows: _Optional[_Iterable[_Union[EntityRow, _Mapping]]] = ..., features: _Optional[_Union[FeatureNameList, _Mapping]] = ..., feature_view: _Optional[str] = ...) -> None: ...

class EntityRow(_message.Message):
    __slots__ = ("entity", "read_time", "row_key")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    READ_TIME_FIELD_NUMBER: _ClassVar[int]
    ROW_KEY_FIELD_NUMBER: _ClassVar[int]
    entity: _entity_pb2.EntityKey
    read_time: _timestamp_pb2.Timestamp
    row_key: str
    def __init__(self, entity: _Optional[_Union[_entity_pb2.EntityKey, _Mapping]] = ..., read_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., row_key: _Optional[str] = ...) -> None: ...

class RetrieveHistoricalFeaturesResponse(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[HistoricalFeatureRow]
    def __init__(self, rows: _Optional[_Iterable[_Union[HistoricalFeatureRow, _Mapping]]] = ...) -> None: ...

class HistoricalFeatureRow(_message.Message):
    __slots__ = ("row_key", "entity", "read_time", "readings")
    ROW_KEY_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    READ_TIME_FIELD_NUMBER: _ClassVar[int]
    READINGS_FIELD_NUMBER: _ClassVar[int]
    row_key: str
    entity: _entity_pb2.EntityKey
    read_time: _timestamp_pb2.Timestamp
    readings: _containers.RepeatedCompositeFieldContainer[_feature_value_pb2.FeatureReading]
    def __init__(self, row_key: _Optional[str] = ..., entity: _Optional[_Union[_entity_pb2.EntityKey, _Mapping]] = ..., read_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., readings: _Optional[_Iterable[_Union[_feature_value_pb2.FeatureReading, _Mapping]]] = ...) -> None: ...

class ListFeatureDefinitionsRequest(_message.Message):
    __slots__ = ("entity_type", "feature_view", "page_size", "page_token")
    ENTITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entity_type: _entity_pb2.EntityType
    feature_view: str
    page_size: int
    page_token: str
    def __init__(self, entity_type: _Optional[_Union[_entity_pb2.EntityType, str]] = ..., feature_view: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFeatureDefinitionsResponse(_message.Message):
    __slots__ = ("feature_definitions", "next_page_token")
    FEATURE_DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    feature_definitions: _containers.RepeatedCompositeFieldContainer[_feature_definition_pb2.FeatureDefinition]
    next_page_token: str
    def __init__(self, feature_definitions: _Optional[_Iterable[_Union[_feature_definition_pb2.FeatureDefinition, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class EraseEntityFeaturesRequest(_message.Message):
    __slots__ = ("entities", "erasure_request_id")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    ERASURE_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[_entity_pb2.EntityKey]
    erasure_request_id: str
    def __init__(self, entities: _Optional[_Iterable[_Union[_entity_pb2.EntityKey, _Mapping]]] = ..., erasure_request_id: _Optional[str] = ...) -> None: ...

class EraseEntityFeaturesResponse(_message.Message):
    __slots__ = ("erasures", "erase_time")
    ERASURES_FIELD_NUMBER: _ClassVar[int]
    ERASE_TIME_FIELD_NUMBER: _ClassVar[int]
    erasures: _containers.RepeatedCompositeFieldContainer[EntityErasure]
    erase_time: _timestamp_pb2.Timestamp
    def __init__(self, erasures: _Optional[_Iterable[_Union[EntityErasure, _Mapping]]] = ..., erase_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EntityErasure(_message.Message):
    __slots__ = ("entity", "online_value_count", "history_value_count")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    ONLINE_VALUE_COUNT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_VALUE_COUNT_FIELD_NUMBER: _ClassVar[int]
    entity: _entity_pb2.EntityKey
    online_value_count: int
    history_value_count: int
    def __init__(self, entity: _Optional[_Union[_entity_pb2.EntityKey, _Mapping]] = ..., online_value_count: _Optional[int] = ..., history_value_count: _Optional[int] = ...) -> None: ...
