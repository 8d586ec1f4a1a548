import datetime

from fintech.common.v1 import money_pb2 as _money_pb2
from fintech.risk.v1 import transaction_pb2 as _transaction_pb2
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

class AmlDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AML_DECISION_UNSPECIFIED: _ClassVar[AmlDecision]
    AML_DECISION_CLEAR: _ClassVar[AmlDecision]
    AML_DECISION_REVIEW: _ClassVar[AmlDecision]
    AML_DECISION_BLOCK: _ClassVar[AmlDecision]

class AmlRuleCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AML_RULE_CODE_UNSPECIFIED: _ClassVar[AmlRuleCode]
    AML_RULE_CODE_LARGE_CASH: _ClassVar[AmlRuleCode]
    AML_RULE_CODE_STRUCTURING: _ClassVar[AmlRuleCode]
    AML_RULE_CODE_HIGH_RISK_COUNTRY: _ClassVar[AmlRuleCode]
    AML_RULE_CODE_RAPID_MOVEMENT: _ClassVar[AmlRuleCode]
    AML_RULE_CODE_UNUSUAL_VOLUME: _ClassVar[AmlRuleCode]
    AML_RULE_CODE_SANCTIONED_COUNTERPARTY: _ClassVar[AmlRuleCode]

class AmlAlertSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AML_ALERT_SEVERITY_UNSPECIFIED: _ClassVar[AmlAlertSeverity]
    AML_ALERT_SEVERITY_LOW: _ClassVar[AmlAlertSeverity]
    AML_ALERT_SEVERITY_MEDIUM: _ClassVar[AmlAlertSeverity]
    AML_ALERT_SEVERITY_HIGH: _ClassVar[AmlAlertSeverity]
AML_DECISION_UNSPECIFIED: AmlDecision
AML_DECISION_CLEAR: AmlDecision
AML_DECISION_REVIEW: AmlDecision
AML_DECISION_BLOCK: AmlDecision
AML_RULE_CODE_UNSPECIFIED: AmlRuleCode
AML_RULE_CODE_LARGE_CASH: AmlRuleCode
AML_RULE_CODE_STRUCTURING: AmlRuleCode
AML_RULE_CODE_HIGH_RISK_COUNTRY: AmlRuleCode
AML_RULE_CODE_RAPID_MOVEMENT: AmlRuleCode
AML_RULE_CODE_UNUSUAL_VOLUME: AmlRuleCode
AML_RULE_CODE_SANCTIONED_COUNTERPARTY: AmlRuleCode
AML_ALERT_SEVERITY_UNSPECIFIED: AmlAlertSeverity
AML_ALERT_SEVERITY_LOW: AmlAlertSeverity
AML_ALERT_SEVERITY_MEDIUM: AmlAlertSeverity
AML_ALERT_SEVERITY_HIGH: AmlAlertSeverity

class AmlAssessment(_message.Message):
    __slots__ = ("aml_assessment_id", "transaction", "decision", "alerts", "rule_set_version", "evaluate_time")
    AML_ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    RULE_SET_VERSION_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_TIME_FIELD_NUMBER: _ClassVar[int]
    aml_assessment_id: str
    transaction: _transaction_pb2.Transaction
    decision: AmlDecision
    alerts: _containers.RepeatedCompositeFieldContainer[AmlAlert]
    rule_set_version: str
    evaluate_time: _timestamp_pb2.Timestamp
    def __init__(self, aml_assessment_id: _Optional[str] = ..., transaction: _Optional[_Union[_transaction_pb2.Transaction, _Mapping]] = ..., decision: _Optional[_Union[AmlDecision, str]] = ..., alerts: _Optional[_Iterable[_Union[AmlAlert, _Mapping]]] = ..., rule_set_version: _Optional[str] = ..., evaluate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AmlAlert(_message.Message):
    __slots__ = ("aml_alert_id", "rule_code", "rule_id", "description", "severity", "decision", "threshold_amount", "aggregate_amount", "window", "related_payment_ids", "country_code", "raise_time")
    AML_ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_CODE_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    RELATED_PAYMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    RAISE_TIME_FIELD_NUMBER: _ClassVar[int]
    aml_alert_id: str
    rule_code: AmlRuleCode
    rule_id: str
    description: str
    severity: AmlAlertSeverity
    decision: AmlDecision
    threshold_amount: _money_pb2.Money
    aggregate_amount: _money_pb2.Money
    window: _duration_pb2.Duration
    related_payment_ids: _containers.RepeatedScalarFieldContainer[str]
    country_code: str
    raise_time: _timestamp_pb2.Timestamp
    def __init__(self, aml_alert_id: _Optional[str] = ..., rule_code: _Optional[_Union[AmlRuleCode, str]] = ..., rule_id: _Optional[str] = ..., description: _Optional[str] = ..., severity: _Optional[_Union[AmlAlertSeverity, str]] = ..., decision: _Optional[_Union[AmlDecision, str]] = ..., threshold_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., aggregate_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., window: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., related_payment_ids: _Optional[_Iterable[str]] = ..., country_code: _Optional[str] = ..., raise_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
