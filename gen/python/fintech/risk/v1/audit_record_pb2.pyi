import datetime

from fintech.common.v1 import error_reason_pb2 as _error_reason_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ActorType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTOR_TYPE_UNSPECIFIED: _ClassVar[ActorType]
    ACTOR_TYPE_USER: _ClassVar[ActorType]
    ACTOR_TYPE_WORKLOAD: _ClassVar[ActorType]

class AuditOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_OUTCOME_UNSPECIFIED: _ClassVar[AuditOutcome]
    AUDIT_OUTCOME_SUCCEEDED: _ClassVar[AuditOutcome]
    AUDIT_OUTCOME_DENIED: _ClassVar[AuditOutcome]
    AUDIT_OUTCOME_FAILED: _ClassVar[AuditOutcome]
ACTOR_TYPE_UNSPECIFIED: ActorType
ACTOR_TYPE_USER: ActorType
ACTOR_TYPE_WORKLOAD: ActorType
AUDIT_OUTCOME_UNSPECIFIED: AuditOutcome
AUDIT_OUTCOME_SUCCEEDED: AuditOutcome
AUDIT_OUTCOME_DENIED: AuditOutcome
AUDIT_OUTCOME_FAILED: AuditOutcome

class AuditRecord(_message.Message):
    __slots__ = ("audit_record_id", "actor", "actor_type", "on_behalf_of", "action", "resource_type", "subject", "customer_id", "outcome", "status_code", "error_reason", "request_id", "trace_id", "source_address", "recorder", "occur_time", "record_hash", "previous_record_hash")
    AUDIT_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    ON_BEHALF_OF_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    RECORDER_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    RECORD_HASH_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_RECORD_HASH_FIELD_NUMBER: _ClassVar[int]
    audit_record_id: str
    actor: str
    actor_type: ActorType
    on_behalf_of: str
    action: str
    resource_type: str
    subject: str
    customer_id: str
    outcome: AuditOutcome
    status_code: int
    error_reason: _error_reason_pb2.ErrorReason
    request_id: str
    trace_id: str
    source_address: str
    recorder: str
    occur_time: _timestamp_pb2.Timestamp
    record_hash: bytes
    previous_record_hash: bytes
    def __init__(self, audit_record_id: _Optional[str] = ..., actor: _Optional[str] = ..., actor_type: _Optional[_Union[ActorType, str]] = ..., on_behalf_of: _Optional[str] = ..., action: _Optional[str] = ..., resource_type: _Optional[str] = ..., subject: _Optional[str] = ..., customer_id: _Optional[str] = ..., outcome: _Optional[_Union[AuditOutcome, str]] = ..., status_code: _Optional[int] = ..., error_reason: _Optional[_Union[_error_reason_pb2.ErrorReason, str]] = ..., request_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., source_address: _Optional[str] = ..., recorder: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., record_hash: _Optional[bytes] = ..., previous_record_hash: _Optional[bytes] = ...) -> None: ...
