import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.payments.v1 import settlement_batch_pb2 as _settlement_batch_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SettlementBatchAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SETTLEMENT_BATCH_ACTION_UNSPECIFIED: _ClassVar[SettlementBatchAction]
    SETTLEMENT_BATCH_ACTION_CLOSE: _ClassVar[SettlementBatchAction]
    SETTLEMENT_BATCH_ACTION_MARK_SETTLED: _ClassVar[SettlementBatchAction]
    SETTLEMENT_BATCH_ACTION_MARK_FAILED: _ClassVar[SettlementBatchAction]
SETTLEMENT_BATCH_ACTION_UNSPECIFIED: SettlementBatchAction
SETTLEMENT_BATCH_ACTION_CLOSE: SettlementBatchAction
SETTLEMENT_BATCH_ACTION_MARK_SETTLED: SettlementBatchAction
SETTLEMENT_BATCH_ACTION_MARK_FAILED: SettlementBatchAction

class InitiateSettlementBatchRequest(_message.Message):
    __slots__ = ("idempotency_key", "currency_code", "window_start_time", "window_end_time", "participant_bic")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_BIC_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    currency_code: str
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    participant_bic: str
    def __init__(self, idempotency_key: _Optional[str] = ..., currency_code: _Optional[str] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., participant_bic: _Optional[str] = ...) -> None: ...

class InitiateSettlementBatchResponse(_message.Message):
    __slots__ = ("settlement_batch",)
    SETTLEMENT_BATCH_FIELD_NUMBER: _ClassVar[int]
    settlement_batch: _settlement_batch_pb2.SettlementBatch
    def __init__(self, settlement_batch: _Optional[_Union[_settlement_batch_pb2.SettlementBatch, _Mapping]] = ...) -> None: ...

class RetrieveSettlementBatchRequest(_message.Message):
    __slots__ = ("settlement_batch_id",)
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    def __init__(self, settlement_batch_id: _Optional[str] = ...) -> None: ...

class RetrieveSettlementBatchResponse(_message.Message):
    __slots__ = ("settlement_batch",)
    SETTLEMENT_BATCH_FIELD_NUMBER: _ClassVar[int]
    settlement_batch: _settlement_batch_pb2.SettlementBatch
    def __init__(self, settlement_batch: _Optional[_Union[_settlement_batch_pb2.SettlementBatch, _Mapping]] = ...) -> None: ...

class ListSettlementBatchesRequest(_message.Message):
    __slots__ = ("states", "currency_code", "participant_bic", "start_time", "end_time", "page_size", "page_token")
    STATES_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_BIC_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[_settlement_batch_pb2.SettlementBatchState]
    currency_code: str
    participant_bic: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, states: _Optional[_Iterable[_Union[_settlement_batch_pb2.SettlementBatchState, str]]] = ..., currency_code: _Optional[str] = ..., participant_bic: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSettlementBatchesResponse(_message.Message):
    __slots__ = ("settlement_batches", "next_page_token")
    SETTLEMENT_BATCHES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    settlement_batches: _containers.RepeatedCompositeFieldContainer[_settlement_batch_pb2.SettlementBatch]
    next_page_token: str
    def __init__(self, settlement_batches: _Optional[_Iterable[_Union[_settlement_batch_pb2.SettlementBatch, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RetrieveSettlementReportRequest(_message.Message):
    __slots__ = ("settlement_batch_id",)
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    def __init__(self, settlement_batch_id: _Optional[str] = ...) -> None: ...

class RetrieveSettlementReportResponse(_message.Message):
    __slots__ = ("settlement_report",)
    SETTLEMENT_REPORT_FIELD_NUMBER: _ClassVar[int]
    settlement_report: _settlement_batch_pb2.SettlementReport
    def __init__(self, settlement_report: _Optional[_Union[_settlement_batch_pb2.SettlementReport, _Mapping]] = ...) -> None: ...

class ControlSettlementBatchRequest(_message.Message):
    __slots__ = ("settlement_batch_id", "action", "settlement_reference", "failure_reason", "expected_version")
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    action: SettlementBatchAction
    settlement_reference: str
    failure_reason: str
    expected_version: int
    def __init__(self, settlement_batch_id: _Optional[str] = ..., action: _Optional[_Union[SettlementBatchAction, str]] = ..., settlement_reference: _Optional[str] = ..., failure_reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ControlSettlementBatchResponse(_message.Message):
    __slots__ = ("settlement_batch",)
    SETTLEMENT_BATCH_FIELD_NUMBER: _ClassVar[int]
    settlement_batch: _settlement_batch_pb2.SettlementBatch
    def __init__(self, settlement_batch: _Optional[_Union[_settlement_batch_pb2.SettlementBatch, _Mapping]] = ...) -> None: ...
