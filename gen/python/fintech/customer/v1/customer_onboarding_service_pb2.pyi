import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.customer.v1 import customer_pb2 as _customer_pb2
from fintech.customer.v1 import kyc_check_pb2 as _kyc_check_pb2
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

class InitiateKycCheckRequest(_message.Message):
    __slots__ = ("customer_id", "trigger", "customer_etag", "request_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    trigger: _kyc_check_pb2.KycCheckTrigger
    customer_etag: str
    request_id: str
    def __init__(self, customer_id: _Optional[str] = ..., trigger: _Optional[_Union[_kyc_check_pb2.KycCheckTrigger, str]] = ..., customer_etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class InitiateKycCheckResponse(_message.Message):
    __slots__ = ("kyc_check",)
    KYC_CHECK_FIELD_NUMBER: _ClassVar[int]
    kyc_check: _kyc_check_pb2.KycCheck
    def __init__(self, kyc_check: _Optional[_Union[_kyc_check_pb2.KycCheck, _Mapping]] = ...) -> None: ...

class RetrieveKycCheckRequest(_message.Message):
    __slots__ = ("customer_id", "kyc_check_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    kyc_check_id: str
    def __init__(self, customer_id: _Optional[str] = ..., kyc_check_id: _Optional[str] = ...) -> None: ...

class RetrieveKycCheckResponse(_message.Message):
    __slots__ = ("kyc_check",)
    KYC_CHECK_FIELD_NUMBER: _ClassVar[int]
    kyc_check: _kyc_check_pb2.KycCheck
    def __init__(self, kyc_check: _Optional[_Union[_kyc_check_pb2.KycCheck, _Mapping]] = ...) -> None: ...

class ListKycChecksRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token", "states")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    states: _containers.RepeatedScalarFieldContainer[_kyc_check_pb2.KycCheckState]
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_kyc_check_pb2.KycCheckState, str]]] = ...) -> None: ...

class ListKycChecksResponse(_message.Message):
    __slots__ = ("kyc_checks", "next_page_token")
    KYC_CHECKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    kyc_checks: _containers.RepeatedCompositeFieldContainer[_kyc_check_pb2.KycCheck]
    next_page_token: str
    def __init__(self, kyc_checks: _Optional[_Iterable[_Union[_kyc_check_pb2.KycCheck, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ControlKycCheckRequest(_message.Message):
    __slots__ = ("customer_id", "kyc_check_id", "decision", "note", "reason_codes", "etag", "request_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REASON_CODES_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    kyc_check_id: str
    decision: _kyc_check_pb2.ManualReviewDecision
    note: str
    reason_codes: _containers.RepeatedScalarFieldContainer[_kyc_check_pb2.KycReasonCode]
    etag: str
    request_id: str
    def __init__(self, customer_id: _Optional[str] = ..., kyc_check_id: _Optional[str] = ..., decision: _Optional[_Union[_kyc_check_pb2.ManualReviewDecision, str]] = ..., note: _Optional[str] = ..., reason_codes: _Optional[_Iterable[_Union[_kyc_check_pb2.KycReasonCode, str]]] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ControlKycCheckResponse(_message.Message):
    __slots__ = ("kyc_check",)
    KYC_CHECK_FIELD_NUMBER: _ClassVar[int]
    kyc_check: _kyc_check_pb2.KycCheck
    def __init__(self, kyc_check: _Optional[_Union[_kyc_check_pb2.KycCheck, _Mapping]] = ...) -> None: ...

class RetrieveCustomerVerificationRequest(_message.Message):
    __slots__ = ("customer_id",)
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    def __init__(self, customer_id: _Optional[str] = ...) -> None: ...

class RetrieveCustomerVerificationResponse(_message.Message):
    __slots__ = ("customer_id", "exists", "erased", "state", "payments_allowed", "kyc_check_id", "verify_time", "state_change_time")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    ERASED_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_ALLOWED_FIELD_NUMBER: _ClassVar[int]
    KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    VERIFY_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    exists: bool
    erased: bool
    state: _customer_pb2.CustomerState
    payments_allowed: bool
    kyc_check_id: str
    verify_time: _timestamp_pb2.Timestamp
    state_change_time: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., exists: _Optional[bool] = ..., erased: _Optional[bool] = ..., state: _Optional[_Union[_customer_pb2.CustomerState, str]] = ..., payments_allowed: _Optional[bool] = ..., kyc_check_id: _Optional[str] = ..., verify_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state_change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
