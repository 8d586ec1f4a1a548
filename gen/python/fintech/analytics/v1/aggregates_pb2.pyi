import datetime

from fintech.common.v1 import money_pb2 as _money_pb2
from fintech.customer.v1 import kyc_check_pb2 as _kyc_check_pb2
from fintech.payments.v1 import payment_pb2 as _payment_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentFlowWindow(_message.Message):
    __slots__ = ("window_start", "window_end", "state", "channel", "payment_count", "total_amount", "update_time")
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    state: _payment_pb2.PaymentState
    channel: _payment_pb2.PaymentChannel
    payment_count: int
    total_amount: _money_pb2.Money
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[_payment_pb2.PaymentState, str]] = ..., channel: _Optional[_Union[_payment_pb2.PaymentChannel, str]] = ..., payment_count: _Optional[int] = ..., total_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FraudDecisionWindow(_message.Message):
    __slots__ = ("window_start", "window_end", "model_name", "model_version", "approve_count", "review_count", "decline_count", "model_unavailable_count", "fraud_score_sum", "update_time")
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    APPROVE_COUNT_FIELD_NUMBER: _ClassVar[int]
    REVIEW_COUNT_FIELD_NUMBER: _ClassVar[int]
    DECLINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    MODEL_UNAVAILABLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    FRAUD_SCORE_SUM_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    model_name: str
    model_version: str
    approve_count: int
    review_count: int
    decline_count: int
    model_unavailable_count: int
    fraud_score_sum: float
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., approve_count: _Optional[int] = ..., review_count: _Optional[int] = ..., decline_count: _Optional[int] = ..., model_unavailable_count: _Optional[int] = ..., fraud_score_sum: _Optional[float] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReviewQueueEntry(_message.Message):
    __slots__ = ("payment_id", "hold_reason", "hold_time", "amount", "channel")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_REASON_FIELD_NUMBER: _ClassVar[int]
    HOLD_TIME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    hold_reason: _payment_pb2.HoldReason
    hold_time: _timestamp_pb2.Timestamp
    amount: _money_pb2.Money
    channel: _payment_pb2.PaymentChannel
    def __init__(self, payment_id: _Optional[str] = ..., hold_reason: _Optional[_Union[_payment_pb2.HoldReason, str]] = ..., hold_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., channel: _Optional[_Union[_payment_pb2.PaymentChannel, str]] = ...) -> None: ...

class SettlementPosition(_message.Message):
    __slots__ = ("participant_bic", "unsettled_amount", "payment_count", "update_time")
    PARTICIPANT_BIC_FIELD_NUMBER: _ClassVar[int]
    UNSETTLED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    participant_bic: str
    unsettled_amount: _money_pb2.Money
    payment_count: int
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, participant_bic: _Optional[str] = ..., unsettled_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., payment_count: _Optional[int] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class KycOutcomeWindow(_message.Message):
    __slots__ = ("window_start", "window_end", "state", "check_count", "update_time")
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CHECK_COUNT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    state: _kyc_check_pb2.KycCheckState
    check_count: int
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[_kyc_check_pb2.KycCheckState, str]] = ..., check_count: _Optional[int] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
