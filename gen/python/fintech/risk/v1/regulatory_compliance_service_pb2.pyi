import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.risk.v1 import aml_assessment_pb2 as _aml_assessment_pb2
from fintech.risk.v1 import audit_record_pb2 as _audit_record_pb2
from fintech.risk.v1 import regulatory_report_pb2 as _regulatory_report_pb2
from fintech.risk.v1 import sanctions_screening_pb2 as _sanctions_screening_pb2
from fintech.risk.v1 import transaction_pb2 as _transaction_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import visibility_pb2 as _visibility_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScreenPartyRequest(_message.Message):
    __slots__ = ("party", "trigger", "request_id")
    PARTY_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    party: _sanctions_screening_pb2.ScreenedParty
    trigger: _sanctions_screening_pb2.ScreeningTrigger
    request_id: str
    def __init__(self, party: _Optional[_Union[_sanctions_screening_pb2.ScreenedParty, _Mapping]] = ..., trigger: _Optional[_Union[_sanctions_screening_pb2.ScreeningTrigger, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ScreenPartyResponse(_message.Message):
    __slots__ = ("screening",)
    SCREENING_FIELD_NUMBER: _ClassVar[int]
    screening: _sanctions_screening_pb2.SanctionsScreening
    def __init__(self, screening: _Optional[_Union[_sanctions_screening_pb2.SanctionsScreening, _Mapping]] = ...) -> None: ...

class EvaluateTransactionAmlRequest(_message.Message):
    __slots__ = ("transaction",)
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    transaction: _transaction_pb2.Transaction
    def __init__(self, transaction: _Optional[_Union[_transaction_pb2.Transaction, _Mapping]] = ...) -> None: ...

class EvaluateTransactionAmlResponse(_message.Message):
    __slots__ = ("aml_assessment",)
    AML_ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    aml_assessment: _aml_assessment_pb2.AmlAssessment
    def __init__(self, aml_assessment: _Optional[_Union[_aml_assessment_pb2.AmlAssessment, _Mapping]] = ...) -> None: ...

class RetrieveAuditRecordRequest(_message.Message):
    __slots__ = ("audit_record_id",)
    AUDIT_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    audit_record_id: str
    def __init__(self, audit_record_id: _Optional[str] = ...) -> None: ...

class RetrieveAuditRecordResponse(_message.Message):
    __slots__ = ("audit_record",)
    AUDIT_RECORD_FIELD_NUMBER: _ClassVar[int]
    audit_record: _audit_record_pb2.AuditRecord
    def __init__(self, audit_record: _Optional[_Union[_audit_record_pb2.AuditRecord, _Mapping]] = ...) -> None: ...

class ListAuditRecordsRequest(_message.Message):
    __slots__ = ("start_time", "end_time", "subject", "actor", "customer_id", "outcome", "page_size", "page_token")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    subject: str
    actor: str
    customer_id: str
    outcome: _audit_record_pb2.AuditOutcome
    page_size: int
    page_token: str
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subject: _Optional[str] = ..., actor: _Optional[str] = ..., customer_id: _Optional[str] = ..., outcome: _Optional[_Union[_audit_record_pb2.AuditOutcome, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAuditRecordsResponse(_message.Message):
    __slots__ = ("audit_records", "next_page_token")
    AUDIT_RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    audit_records: _containers.RepeatedCompositeFieldContainer[_audit_record_pb2.AuditRecord]
    next_page_token: str
    def __init__(self, audit_records: _Optional[_Iterable[_Union[_audit_record_pb2.AuditRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GenerateRegulatoryReportRequest(_message.Message):
    __slots__ = ("report_type", "period", "jurisdiction_code", "format", "customer_id", "aml_alert_ids", "narrative", "request_id")
    REPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_CODE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    AML_ALERT_IDS_FIELD_NUMBER: _ClassVar[int]
    NARRATIVE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    report_type: _regulatory_report_pb2.RegulatoryReportType
    period: _regulatory_report_pb2.ReportingPeriod
    jurisdiction_code: str
    format: _regulatory_report_pb2.RegulatoryReportFormat
    customer_id: str
    aml_alert_ids: _containers.RepeatedScalarFieldContainer[str]
    narrative: str
    request_id: str
    def __init__(self, report_type: _Optional[_Union[_regulatory_report_pb2.RegulatoryReportType, str]] = ..., period: _Optional[_Union[_regulatory_report_pb2.ReportingPeriod, _Mapping]] = ..., jurisdiction_code: _Optional[str] = ..., format: _Optional[_Union[_regulatory_report_pb2.RegulatoryReportFormat, str]] = ..., customer_id: _Optional[str] = ..., aml_alert_ids: _Optional[_Iterable[str]] = ..., narrative: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GenerateRegulatoryReportResponse(_message.Message):
    __slots__ = ("regulatory_report",)
    REGULATORY_REPORT_FIELD_NUMBER: _ClassVar[int]
    regulatory_report: _regulatory_report_pb2.RegulatoryReport
    def __init__(self, regulatory_report: _Optional[_Union[_regulatory_report_pb2.RegulatoryReport, _Mapping]] = ...) -> None: ...

class RetrieveRegulatoryReportRequest(_message.Message):
    __slots__ = ("regulatory_report_id",)
    REGULATORY_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    regulatory_report_id: str
    def __init__(self, regulatory_report_id: _Optional[str] = ...) -> None: ...

class RetrieveRegulatoryReportResponse(_message.Message):
    __slots__ = ("regulatory_report",)
    REGULATORY_REPORT_FIELD_NUMBER: _ClassVar[int]
    regulatory_report: _regulatory_report_pb2.RegulatoryReport
    def __init__(self, regulatory_report: _Optional[_Union[_regulatory_report_pb2.RegulatoryReport, _Mapping]] = ...) -> None: ...

class ListRegulatoryReportsRequest(_message.Message):
    __slots__ = ("report_type", "state", "jurisdiction_code", "page_size", "page_token")
    REPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_CODE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    report_type: _regulatory_report_pb2.RegulatoryReportType
    state: _regulatory_report_pb2.RegulatoryReportState
    jurisdiction_code: str
    page_size: int
    page_token: str
    def __init__(self, report_type: _Optional[_Union[_regulatory_report_pb2.RegulatoryReportType, str]] = ..., state: _Optional[_Union[_regulatory_report_pb2.RegulatoryReportState, str]] = ..., jurisdiction_code: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRegulatoryReportsResponse(_message.Message):
    __slots__ = ("regulatory_reports", "next_page_token")
    REGULATORY_REPORTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    regulatory_reports: _containers.RepeatedCompositeFieldContainer[_regulatory_report_pb2.RegulatoryReport]
    next_page_token: str
    def __init__(self, regulatory_reports: _Optional[_Iterable[_Union[_regulatory_report_pb2.RegulatoryReport, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
