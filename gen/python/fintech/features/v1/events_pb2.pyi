import datetime

from fintech.common.v1 import event_envelope_pb2 as _event_envelope_pb2
from fintech.features.v1 import entity_pb2 as _entity_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EntityFeaturesUpdated(_message.Message):
    __slots__ = ("entity", "feature_names", "source_event_id", "source_event_type", "source_occur_time")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    entity: _entity_pb2.EntityKey
    feature_names: _containers.RepeatedScalarFieldContainer[str]
    source_event_id: str
    source_event_type: str
    source_occur_time: _timestamp_pb2.Timestamp
    def __init__(self, entity: _Optional[_Union[_entity_pb2.EntityKey, _Mapping]] = ..., feature_names: _Optional[_Iterable[str]] = ..., source_event_id: _Optional[str] = ..., source_event_type: _Optional[str] = ..., source_occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EntityFeaturesErased(_message.Message):
    __slots__ = ("entity", "erasure_request_id", "online_value_count", "history_value_count")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    ERASURE_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ONLINE_VALUE_COUNT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_VALUE_COUNT_FIELD_NUMBER: _ClassVar[int]
    entity: _entity_pb2.EntityKey
    erasure_request_id: str
    online_value_count: int
    history_value_count: int
    def __init__(self, entity: _Optional[_Union[_entity_pb2.EntityKey, _Mapping]] = ..., erasure_request_id: _Optional[str] = ..., online_value_count: _Optional[int] = ..., history_value_count: _Optional[int] = ...) -> None: ...
