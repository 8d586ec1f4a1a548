import datetime

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

class RegulatoryReportType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REGULATORY_REPORT_TYPE_UNSPECIFIED: _ClassVar[RegulatoryReportType]
    REGULATORY_REPORT_TYPE_SUSPICIOUS_ACTIVITY: _ClassVar[RegulatoryReportType]
    REGULATORY_REPORT_TYPE_CURRENCY_TRANSACTION: _ClassVar[RegulatoryReportType]
    REGULATORY_REPORT_TYPE_LARGE_EXPOSURE: _ClassVar[RegulatoryReportType]
    REGULATORY_REPORT_TYPE_SANCTIONS_SCREENING: _ClassVar[RegulatoryReportType]
    REGULATORY_REPORT_TYPE_FRAUD_STATISTICS: _ClassVar[RegulatoryReportType]

class RegulatoryReportState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REGULATORY_REPORT_STATE_UNSPECIFIED: _ClassVar[RegulatoryReportState]
    REGULATORY_REPORT_STATE_PENDING: _ClassVar[RegulatoryReportState]
    REGULATORY_REPORT_STATE_RUNNING: _ClassVar[RegulatoryReportState]
    REGULATORY_REPORT_STATE_SUCCEEDED: _ClassVar[RegulatoryReportState]
    REGULATORY_REPORT_STATE_FAILED: _ClassVar[RegulatoryReportState]

class RegulatoryReportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REGULATORY_REPORT_FORMAT_UNSPECIFIED: _ClassVar[RegulatoryReportFormat]
    REGULATORY_REPORT_FORMAT_XML: _ClassVar[RegulatoryReportFormat]
    REGULATORY_REPORT_FORMAT_XBRL: _ClassVar[RegulatoryReportFormat]
    REGULATORY_REPORT_FORMAT_CSV: _ClassVar[RegulatoryReportFormat]
    REGULATORY_REPORT_FORMAT_PDF: _ClassVar[RegulatoryReportFormat]
REGULATORY_REPORT_TYPE_UNSPECIFIED: RegulatoryReportType
REGULATORY_REPORT_TYPE_SUSPICIOUS_ACTIVITY: RegulatoryReportType
REGULATORY_REPORT_TYPE_CURRENCY_TRANSACTION: RegulatoryReportType
REGULATORY_REPORT_TYPE_LARGE_EXPOSURE: RegulatoryReportType
REGULATORY_REPORT_TYPE_SANCTIONS_SCREENING: RegulatoryReportType
REGULATORY_REPORT_TYPE_FRAUD_STATISTICS: RegulatoryReportType
REGULATORY_REPORT_STATE_UNSPECIFIED: RegulatoryReportState
REGULATORY_REPORT_STATE_PENDING: RegulatoryReportState
REGULATORY_REPORT_STATE_RUNNING: RegulatoryReportState
REGULATORY_REPORT_STATE_SUCCEEDED: RegulatoryReportState
REGULATORY_REPORT_STATE_FAILED: RegulatoryReportState
REGULATORY_REPORT_FORMAT_UNSPECIFIED: RegulatoryReportFormat
REGULATORY_REPORT_FORMAT_XML: RegulatoryReportFormat
REGULATORY_REPORT_FORMAT_XBRL: RegulatoryReportFormat
REGULATORY_REPORT_FORMAT_CSV: RegulatoryReportFormat
REGULATORY_REPORT_FORMAT_PDF: RegulatoryReportFormat

class RegulatoryReport(_message.Message):
    __slots__ = ("regulatory_report_id", "report_type", "period", "jurisdiction_code", "format", "customer_id", "aml_alert_ids", "narrative", "state", "requester", "record_count", "document_uri", "document_sha256", "failure_message", "create_time", "complete_time")
    REGULATORY_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_CODE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    AML_ALERT_IDS_FIELD_NUMBER: _ClassVar[int]
    NARRATIVE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REQUESTER_FIELD_NUMBER: _ClassVar[int]
    RECORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_URI_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    regulatory_report_id: str
    report_type: RegulatoryReportType
    period: ReportingPeriod
    jurisdiction_code: str
    format: RegulatoryReportFormat
    customer_id: str
    aml_alert_ids: _containers.RepeatedScalarFieldContainer[str]
    narrative: str
    state: RegulatoryReportState
    requester: str
    record_count: int
    document_uri: str
    document_sha256: bytes
    failure_message: str
    create_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, regulatory_report_id: _Optional[str] = ..., report_type: _Optional[_Union[RegulatoryReportType, str]] = ..., period: _Optional[_Union[ReportingPeriod, _Mapping]] = ..., jurisdiction_code: _Optional[str] = ..., format: _Optional[_Union[RegulatoryReportFormat, str]] = ..., customer_id: _Optional[str] = ..., aml_alert_ids: _Optional[_Iterable[str]] = ..., narrative: _Optional[str] = ..., state: _Optional[_Union[RegulatoryReportState, str]] = ..., requester: _Optional[str] = ..., record_count: _Optional[int] = ..., document_uri: _Optional[str] = ..., document_sha256: _Optional[bytes] = ..., failure_message: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReportingPeriod(_message.Message):
    __slots__ = ("start_date", "end_date")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    def __init__(self, start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...
