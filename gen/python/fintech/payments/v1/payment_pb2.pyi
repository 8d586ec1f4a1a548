import datetime

from fintech.common.v1 import money_pb2 as _money_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATE_UNSPECIFIED: _ClassVar[PaymentState]
    PAYMENT_STATE_INITIATED: _ClassVar[PaymentState]
    PAYMENT_STATE_SCREENING: _ClassVar[PaymentState]
    PAYMENT_STATE_HELD_FOR_REVIEW: _ClassVar[PaymentState]
    PAYMENT_STATE_ACCEPTED: _ClassVar[PaymentState]
    PAYMENT_STATE_EXECUTED: _ClassVar[PaymentState]
    PAYMENT_STATE_REJECTED: _ClassVar[PaymentState]
    PAYMENT_STATE_CANCELLED: _ClassVar[PaymentState]
    PAYMENT_STATE_SETTLED: _ClassVar[PaymentState]

class PaymentChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_CHANNEL_UNSPECIFIED: _ClassVar[PaymentChannel]
    PAYMENT_CHANNEL_MOBILE_APP: _ClassVar[PaymentChannel]
    PAYMENT_CHANNEL_WEB: _ClassVar[PaymentChannel]
    PAYMENT_CHANNEL_OPEN_BANKING_API: _ClassVar[PaymentChannel]
    PAYMENT_CHANNEL_BRANCH: _ClassVar[PaymentChannel]
    PAYMENT_CHANNEL_BACK_OFFICE: _ClassVar[PaymentChannel]
    PAYMENT_CHANNEL_FILE: _ClassVar[PaymentChannel]
    PAYMENT_CHANNEL_WEARABLE: _ClassVar[PaymentChannel]

class ScreeningDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCREENING_DECISION_UNSPECIFIED: _ClassVar[ScreeningDecision]
    SCREENING_DECISION_APPROVE: _ClassVar[ScreeningDecision]
    SCREENING_DECISION_REVIEW: _ClassVar[ScreeningDecision]
    SCREENING_DECISION_DECLINE: _ClassVar[ScreeningDecision]

class HoldReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOLD_REASON_UNSPECIFIED: _ClassVar[HoldReason]
    HOLD_REASON_FRAUD_REVIEW: _ClassVar[HoldReason]
    HOLD_REASON_COMPLIANCE_ALERT: _ClassVar[HoldReason]
    HOLD_REASON_SCREENING_UNAVAILABLE: _ClassVar[HoldReason]

class PaymentRejectionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_REJECTION_REASON_UNSPECIFIED: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_FRAUD_DECLINED: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_REVIEW_REJECTED: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_INSUFFICIENT_FUNDS: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_ACCOUNT_NOT_ACTIVE: _ClassVar[PaymentRejectionReason]

class ReviewDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVIEW_DECISION_UNSPECIFIED: _ClassVar[ReviewDecision]
    REVIEW_DECISION_RELEASE: _ClassVar[ReviewDecision]
    REVIEW_DECISION_REJECT: _ClassVar[ReviewDecision]
PAYMENT_STATE_UNSPECIFIED: PaymentState
PAYMENT_STATE_INITIATED: PaymentState
PAYMENT_STATE_SCREENING: PaymentState
PAYMENT_STATE_HELD_FOR_REVIEW: PaymentState
PAYMENT_STATE_ACCEPTED: PaymentState
PAYMENT_STATE_EXECUTED: PaymentState
PAYMENT_STATE_REJECTED: PaymentState
PAYMENT_STATE_CANCELLED: PaymentState
PAYMENT_STATE_SETTLED: PaymentState
PAYMENT_CHANNEL_UNSPECIFIED: PaymentChannel
PAYMENT_CHANNEL_MOBILE_APP: PaymentChannel
PAYMENT_CHANNEL_WEB: PaymentChannel
PAYMENT_CHANNEL_OPEN_BANKING_API: PaymentChannel
PAYMENT_CHANNEL_BRANCH: PaymentChannel
PAYMENT_CHANNEL_BACK_OFFICE: PaymentChannel
PAYMENT_CHANNEL_FILE: PaymentChannel
PAYMENT_CHANNEL_WEARABLE: PaymentChannel
SCREENING_DECISION_UNSPECIFIED: ScreeningDecision
SCREENING_DECISION_APPROVE: ScreeningDecision
SCREENING_DECISION_REVIEW: ScreeningDecision
SCREENING_DECISION_DECLINE: ScreeningDecision
HOLD_REASON_UNSPECIFIED: HoldReason
HOLD_REASON_FRAUD_REVIEW: HoldReason
HOLD_REASON_COMPLIANCE_ALERT: HoldReason
HOLD_REASON_SCREENING_UNAVAILABLE: HoldReason
PAYMENT_REJECTION_REASON_UNSPECIFIED: PaymentRejectionReason
PAYMENT_REJECTION_REASON_FRAUD_DECLINED: PaymentRejectionReason
PAYMENT_REJECTION_REASON_COMPLIANCE_DECLINED: PaymentRejectionReason
PAYMENT_REJECTION_REASON_REVIEW_REJECTED: PaymentRejectionReason
PAYMENT_REJECTION_REASON_INSUFFICIENT_FUNDS: PaymentRejectionReason
PAYMENT_REJECTION_REASON_ACCOUNT_NOT_ACTIVE: PaymentRejectionReason
REVIEW_DECISION_UNSPECIFIED: ReviewDecision
REVIEW_DECISION_RELEASE: ReviewDecision
REVIEW_DECISION_REJECT: ReviewDecision

class Payment(_message.Message):
    __slots__ = ("payment_id", "idempotency_key", "customer_id", "initiated_by", "debtor_account_id", "creditor_account_id", "creditor_external_account", "amount", "remittance_information", "end_to_end_id", "requested_execution_date", "channel", "state", "screening_outcome", "hold_reason", "review", "rejection_reason", "cancel_reason", "cancelled_by", "ledger_posting_id", "settlement_batch_id", "version", "create_time", "update_time", "execute_time", "settle_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    INITIATED_BY_FIELD_NUMBER: _ClassVar[int]
    DEBTOR_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITOR_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITOR_EXTERNAL_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REMITTANCE_INFORMATION_FIELD_NUMBER: _ClassVar[int]
    END_TO_END_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_EXECUTION_DATE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SCREENING_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    HOLD_REASON_FIELD_NUMBER: _ClassVar[int]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_BY_FIELD_NUMBER: _ClassVar[int]
    LEDGER_POSTING_ID_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXECUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    SETTLE_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    idempotency_key: str
    customer_id: str
    initiated_by: str
    debtor_account_id: str
    creditor_account_id: str
    creditor_external_account: ExternalAccount
    amount: _money_pb2.Money
    remittance_information: str
    end_to_end_id: str
    requested_execution_date: _date_pb2.Date
    channel: PaymentChannel
    state: PaymentState
    screening_outcome: ScreeningOutcome
    hold_reason: HoldReason
    review: PaymentReview
    rejection_reason: PaymentRejectionReason
    cancel_reason: str
    cancelled_by: str
    ledger_posting_id: str
    settlement_batch_id: str
    version: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    execute_time: _timestamp_pb2.Timestamp
    settle_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., customer_id: _Optional[str] = ..., initiated_by: _Optional[str] = ..., debtor_account_id: _Optional[str] = ..., creditor_account_id: _Optional[str] = ..., creditor_external_account: _Optional[_Union[ExternalAccount, _Mapping]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., remittance_information: _Optional[str] = ..., end_to_end_id: _Optional[str] = ..., requested_execution_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., channel: _Optional[_Union[PaymentChannel, str]] = ..., state: _Optional[_Union[PaymentState, str]] = ..., screening_outcome: _Optional[_Union[ScreeningOutcome, _Mapping]] = ..., hold_reason: _Optional[_Union[HoldReason, str]] = ..., review: _Optional[_Union[PaymentReview, _Mapping]] = ..., rejection_reason: _Optional[_Union[PaymentRejectionReason, str]] = ..., cancel_reason: _Optional[str] = ..., cancelled_by: _Optional[str] = ..., ledger_posting_id: _Optional[str] = ..., settlement_batch_id: _Optional[str] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., execute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., settle_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ExternalAccount(_message.Message):
    __slots__ = ("iban", "bic", "holder_name")
    IBAN_FIELD_NUMBER: _ClassVar[int]
    BIC_FIELD_NUMBER: _ClassVar[int]
    HOLDER_NAME_FIELD_NUMBER: _ClassVar[int]
    iban: str
    bic: str
    holder_name: str
    def __init__(self, iban: _Optional[str] = ..., bic: _Optional[str] = ..., holder_name: _Optional[str] = ...) -> None: ...

class ClientFingerprint(_message.Message):
    __slots__ = ("device_id", "ip_address", "user_agent")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    ip_address: str
    user_agent: str
    def __init__(self, device_id: _Optional[str] = ..., ip_address: _Optional[str] = ..., user_agent: _Optional[str] = ...) -> None: ...

class ScreeningOutcome(_message.Message):
    __slots__ = ("fraud_decision", "fraud_score", "fraud_reason_codes", "fraud_model_version", "compliance_decision", "compliance_alert_codes", "screening_skipped", "screen_time")
    FRAUD_DECISION_FIELD_NUMBER: _ClassVar[int]
    FRAUD_SCORE_FIELD_NUMBER: _ClassVar[int]
    FRAUD_REASON_CODES_FIELD_NUMBER: _ClassVar[int]
    FRAUD_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_DECISION_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_ALERT_CODES_FIELD_NUMBER: _ClassVar[int]
    SCREENING_SKIPPED_FIELD_NUMBER: _ClassVar[int]
    SCREEN_TIME_FIELD_NUMBER: _ClassVar[int]
    fraud_decision: ScreeningDecision
    fraud_score: float
    fraud_reason_codes: _containers.RepeatedScalarFieldContainer[str]
    fraud_model_version: str
    compliance_decision: ScreeningDecision
    compliance_alert_codes: _containers.RepeatedScalarFieldContainer[str]
    screening_skipped: bool
    screen_time: _timestamp_pb2.Timestamp
    def __init__(self, fraud_decision: _Optional[_Union[ScreeningDecision, str]] = ..., fraud_score: _Optional[float] = ..., fraud_reason_codes: _Optional[_Iterable[str]] = ..., fraud_model_version: _Optional[str] = ..., compliance_decision: _Optional[_Union[ScreeningDecision, str]] = ..., compliance_alert_codes: _Optional[_Iterable[str]] = ..., screening_skipped: _Optional[bool] = ..., screen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentReview(_message.Message):
    __slots__ = ("decision", "reviewed_by", "note", "review_time")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REVIEW_TIME_FIELD_NUMBER: _ClassVar[int]
    decision: ReviewDecision
    reviewed_by: str
    note: str
    review_time: _timestamp_pb2.Timestamp
    def __init__(self, decision: _Optional[_Union[ReviewDecision, str]] = ..., reviewed_by: _Optional[str] = ..., note: _Optional[str] = ..., review_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
