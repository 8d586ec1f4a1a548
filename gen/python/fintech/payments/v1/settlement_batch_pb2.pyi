import datetime

from fintech.common.v1 import money_pb2 as _money_pb2
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

class SettlementBatchState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SETTLEMENT_BATCH_STATE_UNSPECIFIED: _ClassVar[SettlementBatchState]
    SETTLEMENT_BATCH_STATE_OPEN: _ClassVar[SettlementBatchState]
    SETTLEMENT_BATCH_STATE_CLOSED: _ClassVar[SettlementBatchState]
    SETTLEMENT_BATCH_STATE_NETTED: _ClassVar[SettlementBatchState]
    SETTLEMENT_BATCH_STATE_SETTLED: _ClassVar[SettlementBatchState]
    SETTLEMENT_BATCH_STATE_FAILED: _ClassVar[SettlementBatchState]
SETTLEMENT_BATCH_STATE_UNSPECIFIED: SettlementBatchState
SETTLEMENT_BATCH_STATE_OPEN: SettlementBatchState
SETTLEMENT_BATCH_STATE_CLOSED: SettlementBatchState
SETTLEMENT_BATCH_STATE_NETTED: SettlementBatchState
SETTLEMENT_BATCH_STATE_SETTLED: SettlementBatchState
SETTLEMENT_BATCH_STATE_FAILED: SettlementBatchState

class SettlementBatch(_message.Message):
    __slots__ = ("settlement_batch_id", "participant_bic", "currency_code", "window_start_time", "window_end_time", "state", "payment_count", "gross_debit_amount", "gross_credit_amount", "net_amount", "ledger_posting_id", "settlement_reference", "failure_reason", "version", "create_time", "close_time", "net_time", "settle_time", "update_time")
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_BIC_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    GROSS_DEBIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    GROSS_CREDIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    LEDGER_POSTING_ID_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CLOSE_TIME_FIELD_NUMBER: _ClassVar[int]
    NET_TIME_FIELD_NUMBER: _ClassVar[int]
    SETTLE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    participant_bic: str
    currency_code: str
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    state: SettlementBatchState
    payment_count: int
    gross_debit_amount: _money_pb2.Money
    gross_credit_amount: _money_pb2.Money
    net_amount: _money_pb2.Money
    ledger_posting_id: str
    settlement_reference: str
    failure_reason: str
    version: int
    create_time: _timestamp_pb2.Timestamp
    close_time: _timestamp_pb2.Timestamp
    net_time: _timestamp_pb2.Timestamp
    settle_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, settlement_batch_id: _Optional[str] = ..., participant_bic: _Optional[str] = ..., currency_code: _Optional[str] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[SettlementBatchState, str]] = ..., payment_count: _Optional[int] = ..., gross_debit_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., gross_credit_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., net_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., ledger_posting_id: _Optional[str] = ..., settlement_reference: _Optional[str] = ..., failure_reason: _Optional[str] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., close_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., net_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., settle_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SettlementReport(_message.Message):
    __slots__ = ("settlement_batch_id", "state", "positions_final", "currency_code", "window_start_time", "window_end_time", "positions", "payment_count", "total_gross_debit_amount", "total_gross_credit_amount", "net_settlement_amount", "balanced", "generate_time")
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FINAL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_GROSS_DEBIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_GROSS_CREDIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_SETTLEMENT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    BALANCED_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    state: SettlementBatchState
    positions_final: bool
    currency_code: str
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    positions: _containers.RepeatedCompositeFieldContainer[ParticipantPosition]
    payment_count: int
    total_gross_debit_amount: _money_pb2.Money
    total_gross_credit_amount: _money_pb2.Money
    net_settlement_amount: _money_pb2.Money
    balanced: bool
    generate_time: _timestamp_pb2.Timestamp
    def __init__(self, settlement_batch_id: _Optional[str] = ..., state: _Optional[_Union[SettlementBatchState, str]] = ..., positions_final: _Optional[bool] = ..., currency_code: _Optional[str] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., positions: _Optional[_Iterable[_Union[ParticipantPosition, _Mapping]]] = ..., payment_count: _Optional[int] = ..., total_gross_debit_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., total_gross_credit_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., net_settlement_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., balanced: _Optional[bool] = ..., generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ParticipantPosition(_message.Message):
    __slots__ = ("participant_bic", "payment_count", "gross_debit_amount", "gross_credit_amount", "net_amount")
    PARTICIPANT_BIC_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    GROSS_DEBIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    GROSS_CREDIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    participant_bic: str
    payment_count: int
    gross_debit_amount: _money_pb2.Money
    gross_credit_amount: _money_pb2.Money
    net_amount: _money_pb2.Money
    def __init__(self, participant_bic: _Optional[str] = ..., payment_count: _Optional[int] = ..., gross_debit_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., gross_credit_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., net_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...
