import datetime

from fintech.common.v1 import event_envelope_pb2 as _event_envelope_pb2
from fintech.risk.v1 import aml_assessment_pb2 as _aml_assessment_pb2
from fintech.risk.v1 import credit_assessment_pb2 as _credit_assessment_pb2
from fintech.risk.v1 import fraud_assessment_pb2 as _fraud_assessment_pb2
from fintech.risk.v1 import model_reference_pb2 as _model_reference_pb2
from fintech.risk.v1 import regulatory_report_pb2 as _regulatory_report_pb2
from fintech.risk.v1 import sanctions_screening_pb2 as _sanctions_screening_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreditRiskEvaluated(_message.Message):
    __slots__ = ("credit_assessment_id", "application_id", "customer_id", "probability_of_default", "score", "grade", "decision", "adverse_action_reason_codes", "model", "policy_version", "evaluate_time")
    CREDIT_ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_OF_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    ADVERSE_ACTION_REASON_CODES_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_TIME_FIELD_NUMBER: _ClassVar[int]
    credit_assessment_id: str
    application_id: str
    customer_id: str
    probability_of_default: float
    score: int
    grade: _credit_assessment_pb2.CreditGrade
    decision: _credit_assessment_pb2.CreditDecision
    adverse_action_reason_codes: _containers.RepeatedScalarFieldContainer[_credit_assessment_pb2.AdverseActionReasonCode]
    model: _model_reference_pb2.ModelReference
    policy_version: str
    evaluate_time: _timestamp_pb2.Timestamp
    def __init__(self, credit_assessment_id: _Optional[str] = ..., application_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., probability_of_default: _Optional[float] = ..., score: _Optional[int] = ..., grade: _Optional[_Union[_credit_assessment_pb2.CreditGrade, str]] = ..., decision: _Optional[_Union[_credit_assessment_pb2.CreditDecision, str]] = ..., adverse_action_reason_codes: _Optional[_Iterable[_Union[_credit_assessment_pb2.AdverseActionReasonCode, str]]] = ..., model: _Optional[_Union[_model_reference_pb2.ModelReference, _Mapping]] = ..., policy_version: _Optional[str] = ..., evaluate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FraudEvaluated(_message.Message):
    __slots__ = ("fraud_assessment_id", "payment_id", "customer_id", "fraud_score", "decision", "reason_codes", "fired_rule_ids", "model", "model_unavailable", "rule_set_version", "evaluate_time")
    FRAUD_ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    FRAUD_SCORE_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REASON_CODES_FIELD_NUMBER: _ClassVar[int]
    FIRED_RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_UNAVAILABLE_FIELD_NUMBER: _ClassVar[int]
    RULE_SET_VERSION_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_TIME_FIELD_NUMBER: _ClassVar[int]
    fraud_assessment_id: str
    payment_id: str
    customer_id: str
    fraud_score: float
    decision: _fraud_assessment_pb2.FraudDecision
    reason_codes: _containers.RepeatedScalarFieldContainer[_fraud_assessment_pb2.FraudReasonCode]
    fired_rule_ids: _containers.RepeatedScalarFieldContainer[str]
    model: _model_reference_pb2.ModelReference
    model_unavailable: bool
    rule_set_version: str
    evaluate_time: _timestamp_pb2.Timestamp
    def __init__(self, fraud_assessment_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., fraud_score: _Optional[float] = ..., decision: _Optional[_Union[_fraud_assessment_pb2.FraudDecision, str]] = ..., reason_codes: _Optional[_Iterable[_Union[_fraud_assessment_pb2.FraudReasonCode, str]]] = ..., fired_rule_ids: _Optional[_Iterable[str]] = ..., model: _Optional[_Union[_model_reference_pb2.ModelReference, _Mapping]] = ..., model_unavailable: _Optional[bool] = ..., rule_set_version: _Optional[str] = ..., evaluate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SanctionsScreeningCompleted(_message.Message):
    __slots__ = ("screening_id", "party_id", "party_type", "trigger", "match_status", "match_count", "top_similarity_score", "screen_time")
    SCREENING_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_TYPE_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    MATCH_STATUS_FIELD_NUMBER: _ClassVar[int]
    MATCH_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOP_SIMILARITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    SCREEN_TIME_FIELD_NUMBER: _ClassVar[int]
    screening_id: str
    party_id: str
    party_type: _sanctions_screening_pb2.PartyType
    trigger: _sanctions_screening_pb2.ScreeningTrigger
    match_status: _sanctions_screening_pb2.SanctionsMatchStatus
    match_count: int
    top_similarity_score: float
    screen_time: _timestamp_pb2.Timestamp
    def __init__(self, screening_id: _Optional[str] = ..., party_id: _Optional[str] = ..., party_type: _Optional[_Union[_sanctions_screening_pb2.PartyType, str]] = ..., trigger: _Optional[_Union[_sanctions_screening_pb2.ScreeningTrigger, str]] = ..., match_status: _Optional[_Union[_sanctions_screening_pb2.SanctionsMatchStatus, str]] = ..., match_count: _Optional[int] = ..., top_similarity_score: _Optional[float] = ..., screen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AmlTransactionEvaluated(_message.Message):
    __slots__ = ("aml_assessment_id", "payment_id", "customer_id", "decision", "aml_alert_ids", "rule_set_version", "evaluate_time")
    AML_ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    AML_ALERT_IDS_FIELD_NUMBER: _ClassVar[int]
    RULE_SET_VERSION_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_TIME_FIELD_NUMBER: _ClassVar[int]
    aml_assessment_id: str
    payment_id: str
    customer_id: str
    decision: _aml_assessment_pb2.AmlDecision
    aml_alert_ids: _containers.RepeatedScalarFieldContainer[str]
    rule_set_version: str
    evaluate_time: _timestamp_pb2.Timestamp
    def __init__(self, aml_assessment_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., decision: _Optional[_Union[_aml_assessment_pb2.AmlDecision, str]] = ..., aml_alert_ids: _Optional[_Iterable[str]] = ..., rule_set_version: _Optional[str] = ..., evaluate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AmlAlertRaised(_message.Message):
    __slots__ = ("aml_alert_id", "aml_assessment_id", "payment_id", "customer_id", "rule_code", "rule_id", "severity", "decision", "related_payment_ids", "raise_time")
    AML_ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    AML_ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_CODE_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    RELATED_PAYMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    RAISE_TIME_FIELD_NUMBER: _ClassVar[int]
    aml_alert_id: str
    aml_assessment_id: str
    payment_id: str
    customer_id: str
    rule_code: _aml_assessment_pb2.AmlRuleCode
    rule_id: str
    severity: _aml_assessment_pb2.AmlAlertSeverity
    decision: _aml_assessment_pb2.AmlDecision
    related_payment_ids: _containers.RepeatedScalarFieldContainer[str]
    raise_time: _timestamp_pb2.Timestamp
    def __init__(self, aml_alert_id: _Optional[str] = ..., aml_assessment_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., rule_code: _Optional[_Union[_aml_assessment_pb2.AmlRuleCode, str]] = ..., rule_id: _Optional[str] = ..., severity: _Optional[_Union[_aml_assessment_pb2.AmlAlertSeverity, str]] = ..., decision: _Optional[_Union[_aml_assessment_pb2.AmlDecision, str]] = ..., related_payment_ids: _Optional[_Iterable[str]] = ..., raise_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegulatoryReportRequested(_message.Message):
    __slots__ = ("regulatory_report_id", "report_type", "period", "jurisdiction_code", "customer_id", "requester", "create_time")
    REGULATORY_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_CODE_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    regulatory_report_id: str
    report_type: _regulatory_report_pb2.RegulatoryReportType
    period: _regulatory_report_pb2.ReportingPeriod
    jurisdiction_code: str
    customer_id: str
    requester: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, regulatory_report_id: _Optional[str] = ..., report_type: _Optional[_Union[_regulatory_report_pb2.RegulatoryReportType, str]] = ..., period: _Optional[_Union[_regulatory_report_pb2.ReportingPeriod, _Mapping]] = ..., jurisdiction_code: _Optional[str] = ..., customer_id: _Optional[str] = ..., requester: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegulatoryReportGenerated(_message.Message):
    __slots__ = ("regulatory_report_id", "report_type", "period", "jurisdiction_code", "format", "record_count", "document_uri", "document_sha256", "complete_time")
    REGULATORY_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_CODE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    RECORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_URI_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    regulatory_report_id: str
    report_type: _regulatory_report_pb2.RegulatoryReportType
    period: _regulatory_report_pb2.ReportingPeriod
    jurisdiction_code: str
    format: _regulatory_report_pb2.RegulatoryReportFormat
    record_count: int
    document_uri: str
    document_sha256: bytes
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, regulatory_report_id: _Optional[str] = ..., report_type: _Optional[_Union[_regulatory_report_pb2.RegulatoryReportType, str]] = ..., period: _Optional[_Union[_regulatory_report_pb2.ReportingPeriod, _Mapping]] = ..., jurisdiction_code: _Optional[str] = ..., format: _Optional[_Union[_regulatory_report_pb2.RegulatoryReportFormat, str]] = ..., record_count: _Optional[int] = ..., document_uri: _Optional[str] = ..., document_sha256: _Optional[bytes] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegulatoryReportGenerationFailed(_message.Message):
    __slots__ = ("regulatory_report_id", "report_type", "failure_message", "complete_time")
    REGULATORY_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    regulatory_report_id: str
    report_type: _regulatory_report_pb2.RegulatoryReportType
    failure_message: str
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, regulatory_report_id: _Optional[str] = ..., report_type: _Optional[_Union[_regulatory_report_pb2.RegulatoryReportType, str]] = ..., failure_message: _Optional[str] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
