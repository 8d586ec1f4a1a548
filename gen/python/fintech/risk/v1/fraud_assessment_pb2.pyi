import datetime

from fintech.risk.v1 import model_reference_pb2 as _model_reference_pb2
from fintech.risk.v1 import transaction_pb2 as _transaction_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FraudDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FRAUD_DECISION_UNSPECIFIED: _ClassVar[FraudDecision]
    FRAUD_DECISION_APPROVE: _ClassVar[FraudDecision]
    FRAUD_DECISION_REVIEW: _ClassVar[FraudDecision]
    FRAUD_DECISION_DECLINE: _ClassVar[FraudDecision]

class FraudReasonCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FRAUD_REASON_CODE_UNSPECIFIED: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_VELOCITY: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_AMOUNT_UNUSUAL: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_NEW_COUNTERPARTY: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_MODEL_SCORE_HIGH: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_NEW_DEVICE: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_UNUSUAL_LOCATION: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_UNUSUAL_TIME: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_HIGH_RISK_COUNTRY: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_HIGH_RISK_MERCHANT: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_DENY_LISTED_COUNTERPARTY: _ClassVar[FraudReasonCode]
    FRAUD_REASON_CODE_RECENT_ACCOUNT_CHANGE: _ClassVar[FraudReasonCode]
FRAUD_DECISION_UNSPECIFIED: FraudDecision
FRAUD_DECISION_APPROVE: FraudDecision
FRAUD_DECISION_REVIEW: FraudDecision
FRAUD_DECISION_DECLINE: FraudDecision
FRAUD_REASON_CODE_UNSPECIFIED: FraudReasonCode
FRAUD_REASON_CODE_VELOCITY: FraudReasonCode
FRAUD_REASON_CODE_AMOUNT_UNUSUAL: FraudReasonCode
FRAUD_REASON_CODE_NEW_COUNTERPARTY: FraudReasonCode
FRAUD_REASON_CODE_MODEL_SCORE_HIGH: FraudReasonCode
FRAUD_REASON_CODE_NEW_DEVICE: FraudReasonCode
FRAUD_REASON_CODE_UNUSUAL_LOCATION: FraudReasonCode
FRAUD_REASON_CODE_UNUSUAL_TIME: FraudReasonCode
FRAUD_REASON_CODE_HIGH_RISK_COUNTRY: FraudReasonCode
FRAUD_REASON_CODE_HIGH_RISK_MERCHANT: FraudReasonCode
FRAUD_REASON_CODE_DENY_LISTED_COUNTERPARTY: FraudReasonCode
FRAUD_REASON_CODE_RECENT_ACCOUNT_CHANGE: FraudReasonCode

class FraudAssessment(_message.Message):
    __slots__ = ("fraud_assessment_id", "transaction", "fraud_score", "decision", "reasons", "fired_rules", "features", "model", "model_unavailable", "rule_set_version", "review_threshold", "decline_threshold", "evaluate_time", "latency", "inference_latency")
    class FeaturesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    FRAUD_ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    FRAUD_SCORE_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    FIRED_RULES_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_UNAVAILABLE_FIELD_NUMBER: _ClassVar[int]
    RULE_SET_VERSION_FIELD_NUMBER: _ClassVar[int]
    REVIEW_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DECLINE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_LATENCY_FIELD_NUMBER: _ClassVar[int]
    fraud_assessment_id: str
    transaction: _transaction_pb2.Transaction
    fraud_score: float
    decision: FraudDecision
    reasons: _containers.RepeatedCompositeFieldContainer[FraudReason]
    fired_rules: _containers.RepeatedCompositeFieldContainer[FiredRule]
    features: _containers.ScalarMap[str, float]
    model: _model_reference_pb2.ModelReference
    model_unavailable: bool
    rule_set_version: str
    review_threshold: float
    decline_threshold: float
    evaluate_time: _timestamp_pb2.Timestamp
    latency: _duration_pb2.Duration
    inference_latency: _duration_pb2.Duration
    def __init__(self, fraud_assessment_id: _Optional[str] = ..., transaction: _Optional[_Union[_transaction_pb2.Transaction, _Mapping]] = ..., fraud_score: _Optional[float] = ..., decision: _Optional[_Union[FraudDecision, str]] = ..., reasons: _Optional[_Iterable[_Union[FraudReason, _Mapping]]] = ..., fired_rules: _Optional[_Iterable[_Union[FiredRule, _Mapping]]] = ..., features: _Optional[_Mapping[str, float]] = ..., model: _Optional[_Union[_model_reference_pb2.ModelReference, _Mapping]] = ..., model_unavailable: _Optional[bool] = ..., rule_set_version: _Optional[str] = ..., review_threshold: _Optional[float] = ..., decline_threshold: _Optional[float] = ..., evaluate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., inference_latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class FraudReason(_message.Message):
    __slots__ = ("code", "description", "contributing_values", "contribution")
    class ContributingValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTING_VALUES_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    code: FraudReasonCode
    description: str
    contributing_values: _containers.ScalarMap[str, str]
    contribution: float
    def __init__(self, code: _Optional[_Union[FraudReasonCode, str]] = ..., description: _Optional[str] = ..., contributing_values: _Optional[_Mapping[str, str]] = ..., contribution: _Optional[float] = ...) -> None: ...

class FiredRule(_message.Message):
    __slots__ = ("rule_id", "description", "decision")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    description: str
    decision: FraudDecision
    def __init__(self, rule_id: _Optional[str] = ..., description: _Optional[str] = ..., decision: _Optional[_Union[FraudDecision, str]] = ...) -> None: ...
