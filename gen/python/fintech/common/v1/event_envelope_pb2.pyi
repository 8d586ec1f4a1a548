import datetime

from google.protobuf import any_pb2 as _any_pb2
from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
EVENT_FIELD_NUMBER: _ClassVar[int]
event: _descriptor.FieldDescriptor

class EventSpec(_message.Message):
    __slots__ = ("aggregate_type", "carries_personal_data")
    AGGREGATE_TYPE_FIELD_NUMBER: _ClassVar[int]
    CARRIES_PERSONAL_DATA_FIELD_NUMBER: _ClassVar[int]
    aggregate_type: str
    carries_personal_data: bool
    def __init__(self, aggregate_type: _Optional[str] = ..., carries_personal_data: _Optional[bool] = ...) -> None: ...

class EventEnvelope(_message.Message):
    __slots__ = ("event_id", "event_type", "source", "subject", "aggregate_type", "sequence", "occur_time", "trace_context", "correlation_id", "causation_id", "payload")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    TRACE_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    CAUSATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    event_type: str
    source: str
    subject: str
    aggregate_type: str
    sequence: int
    occur_time: _timestamp_pb2.Timestamp
    trace_context: TraceContext
    correlation_id: str
    causation_id: str
    payload: _any_pb2.Any
    def __init__(self, event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., source: _Optional[str] = ..., subject: _Optional[str] = ..., aggregate_type: _Optional[str] = ..., sequence: _Optional[int] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., trace_context: _Optional[_Union[TraceContext, _Mapping]] = ..., correlation_id: _Optional[str] = ..., causation_id: _Optional[str] = ..., payload: _Optional[_Union[_any_pb2.Any, _Mapping]] = ...) -> None: ...

class TraceContext(_message.Message):
    __slots__ = ("traceparent", "tracestate")
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    TRACESTATE_FIELD_NUMBER: _ClassVar[int]
    traceparent: str
    tracestate: str
    def __init__(self, traceparent: _Optional[str] = ..., tracestate: _Optional[str] = ...) -> None: ...

class SealedValue(_message.Message):
    __slots__ = ("key_id", "nonce", "ciphertext")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    nonce: bytes
    ciphertext: bytes
    def __init__(self, key_id: _Optional[str] = ..., nonce: _Optional[bytes] = ..., ciphertext: _Optional[bytes] = ...) -> None: ...
