import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class KycCheckState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_CHECK_STATE_UNSPECIFIED: _ClassVar[KycCheckState]
    KYC_CHECK_STATE_PENDING: _ClassVar[KycCheckState]
    KYC_CHECK_STATE_VERIFIED: _ClassVar[KycCheckState]
    KYC_CHECK_STATE_REJECTED: _ClassVar[KycCheckState]
    KYC_CHECK_STATE_MANUAL_REVIEW: _ClassVar[KycCheckState]
    KYC_CHECK_STATE_CANCELLED: _ClassVar[KycCheckState]

class KycCheckTrigger(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_CHECK_TRIGGER_UNSPECIFIED: _ClassVar[KycCheckTrigger]
    KYC_CHECK_TRIGGER_ONBOARDING: _ClassVar[KycCheckTrigger]
    KYC_CHECK_TRIGGER_IDENTITY_DATA_CHANGED: _ClassVar[KycCheckTrigger]
    KYC_CHECK_TRIGGER_PERIODIC_REVIEW: _ClassVar[KycCheckTrigger]
    KYC_CHECK_TRIGGER_COMPLIANCE_REQUEST: _ClassVar[KycCheckTrigger]

class KycCheckCancelReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_CHECK_CANCEL_REASON_UNSPECIFIED: _ClassVar[KycCheckCancelReason]
    KYC_CHECK_CANCEL_REASON_IDENTITY_DATA_CHANGED: _ClassVar[KycCheckCancelReason]
    KYC_CHECK_CANCEL_REASON_CUSTOMER_ERASED: _ClassVar[KycCheckCancelReason]
    KYC_CHECK_CANCEL_REASON_TIMED_OUT: _ClassVar[KycCheckCancelReason]

class KycReasonCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_REASON_CODE_UNSPECIFIED: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_DOCUMENT_NUMBER_INVALID: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_DOCUMENT_EXPIRED: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_DOCUMENT_TYPE_NOT_ACCEPTED: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_DOCUMENT_COUNTRY_UNSUPPORTED: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_DOCUMENT_DATES_INCONSISTENT: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_DATE_OF_BIRTH_INVALID: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_UNDER_MINIMUM_AGE: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_ADDRESS_INCOMPLETE: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_ADDRESS_UNVERIFIABLE: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_HIGH_RISK_JURISDICTION: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_SANCTIONS_POTENTIAL_MATCH: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_SANCTIONS_CONFIRMED_MATCH: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_PEP_MATCH: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_SCREENING_UNAVAILABLE: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_APPROVED_BY_REVIEWER: _ClassVar[KycReasonCode]
    KYC_REASON_CODE_REJECTED_BY_REVIEWER: _ClassVar[KycReasonCode]

class KycStep(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_STEP_UNSPECIFIED: _ClassVar[KycStep]
    KYC_STEP_IDENTITY_DOCUMENT: _ClassVar[KycStep]
    KYC_STEP_DATE_OF_BIRTH: _ClassVar[KycStep]
    KYC_STEP_ADDRESS: _ClassVar[KycStep]
    KYC_STEP_JURISDICTION: _ClassVar[KycStep]
    KYC_STEP_SCREENING: _ClassVar[KycStep]
    KYC_STEP_MANUAL_REVIEW: _ClassVar[KycStep]

class KycStepOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KYC_STEP_OUTCOME_UNSPECIFIED: _ClassVar[KycStepOutcome]
    KYC_STEP_OUTCOME_PASSED: _ClassVar[KycStepOutcome]
    KYC_STEP_OUTCOME_FAILED: _ClassVar[KycStepOutcome]
    KYC_STEP_OUTCOME_REFERRED: _ClassVar[KycStepOutcome]
    KYC_STEP_OUTCOME_ERROR: _ClassVar[KycStepOutcome]

class SanctionsScreeningOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SANCTIONS_SCREENING_OUTCOME_UNSPECIFIED: _ClassVar[SanctionsScreeningOutcome]
    SANCTIONS_SCREENING_OUTCOME_CLEAR: _ClassVar[SanctionsScreeningOutcome]
    SANCTIONS_SCREENING_OUTCOME_POTENTIAL_MATCH: _ClassVar[SanctionsScreeningOutcome]
    SANCTIONS_SCREENING_OUTCOME_CONFIRMED_MATCH: _ClassVar[SanctionsScreeningOutcome]
    SANCTIONS_SCREENING_OUTCOME_PEP_MATCH: _ClassVar[SanctionsScreeningOutcome]
    SANCTIONS_SCREENING_OUTCOME_ERROR: _ClassVar[SanctionsScreeningOutcome]

class ManualReviewDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MANUAL_REVIEW_DECISION_UNSPECIFIED: _ClassVar[ManualReviewDecision]
    MANUAL_REVIEW_DECISION_APPROVE: _ClassVar[ManualReviewDecision]
    MANUAL_REVIEW_DECISION_REJECT: _ClassVar[ManualReviewDecision]
KYC_CHECK_STATE_UNSPECIFIED: KycCheckState
KYC_CHECK_STATE_PENDING: KycCheckState
KYC_CHECK_STATE_VERIFIED: KycCheckState
KYC_CHECK_STATE_REJECTED: KycCheckState
KYC_CHECK_STATE_MANUAL_REVIEW: KycCheckState
KYC_CHECK_STATE_CANCELLED: KycCheckState
KYC_CHECK_TRIGGER_UNSPECIFIED: KycCheckTrigger
KYC_CHECK_TRIGGER_ONBOARDING: KycCheckTrigger
KYC_CHECK_TRIGGER_IDENTITY_DATA_CHANGED: KycCheckTrigger
KYC_CHECK_TRIGGER_PERIODIC_REVIEW: KycCheckTrigger
KYC_CHECK_TRIGGER_COMPLIANCE_REQUEST: KycCheckTrigger
KYC_CHECK_CANCEL_REASON_UNSPECIFIED: KycCheckCancelReason
KYC_CHECK_CANCEL_REASON_IDENTITY_DATA_CHANGED: KycCheckCancelReason
KYC_CHECK_CANCEL_REASON_CUSTOMER_ERASED: KycCheckCancelReason
KYC_CHECK_CANCEL_REASON_TIMED_OUT: KycCheckCancelReason
KYC_REASON_CODE_UNSPECIFIED: KycReasonCode
KYC_REASON_CODE_DOCUMENT_NUMBER_INVALID: KycReasonCode
KYC_REASON_CODE_DOCUMENT_EXPIRED: KycReasonCode
KYC_REASON_CODE_DOCUMENT_TYPE_NOT_ACCEPTED: KycReasonCode
KYC_REASON_CODE_DOCUMENT_COUNTRY_UNSUPPORTED: KycReasonCode
KYC_REASON_CODE_DOCUMENT_DATES_INCONSISTENT: KycReasonCode
KYC_REASON_CODE_DATE_OF_BIRTH_INVALID: KycReasonCode
KYC_REASON_CODE_UNDER_MINIMUM_AGE: KycReasonCode
KYC_REASON_CODE_ADDRESS_INCOMPLETE: KycReasonCode
KYC_REASON_CODE_ADDRESS_UNVERIFIABLE: KycReasonCode
KYC_REASON_CODE_HIGH_RISK_JURISDICTION: KycReasonCode
KYC_REASON_CODE_SANCTIONS_POTENTIAL_MATCH: KycReasonCode
KYC_REASON_CODE_SANCTIONS_CONFIRMED_MATCH: KycReasonCode
KYC_REASON_CODE_PEP_MATCH: KycReasonCode
KYC_REASON_CODE_SCREENING_UNAVAILABLE: KycReasonCode
KYC_REASON_CODE_APPROVED_BY_REVIEWER: KycReasonCode
KYC_REASON_CODE_REJECTED_BY_REVIEWER: KycReasonCode
KYC_STEP_UNSPECIFIED: KycStep
KYC_STEP_IDENTITY_DOCUMENT: KycStep
KYC_STEP_DATE_OF_BIRTH: KycStep
KYC_STEP_ADDRESS: KycStep
KYC_STEP_JURISDICTION: KycStep
KYC_STEP_SCREENING: KycStep
KYC_STEP_MANUAL_REVIEW: KycStep
KYC_STEP_OUTCOME_UNSPECIFIED: KycStepOutcome
KYC_STEP_OUTCOME_PASSED: KycStepOutcome
KYC_STEP_OUTCOME_FAILED: KycStepOutcome
KYC_STEP_OUTCOME_REFERRED: KycStepOutcome
KYC_STEP_OUTCOME_ERROR: KycStepOutcome
SANCTIONS_SCREENING_OUTCOME_UNSPECIFIED: SanctionsScreeningOutcome
SANCTIONS_SCREENING_OUTCOME_CLEAR: SanctionsScreeningOutcome
SANCTIONS_SCREENING_OUTCOME_POTENTIAL_MATCH: SanctionsScreeningOutcome
SANCTIONS_SCREENING_OUTCOME_CONFIRMED_MATCH: SanctionsScreeningOutcome
SANCTIONS_SCREENING_OUTCOME_PEP_MATCH: SanctionsScreeningOutcome
SANCTIONS_SCREENING_OUTCOME_ERROR: SanctionsScreeningOutcome
MANUAL_REVIEW_DECISION_UNSPECIFIED: ManualReviewDecision
MANUAL_REVIEW_DECISION_APPROVE: ManualReviewDecision
MANUAL_REVIEW_DECISION_REJECT: ManualReviewDecision

class KycCheck(_message.Message):
    __slots__ = ("kyc_check_id", "customer_id", "state", "trigger", "customer_etag", "reasons", "step_results", "sanctions_screening", "manual_review_resolution", "cancel_reason", "compliance_details_withheld", "create_time", "complete_time", "update_time", "etag")
    KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ETAG_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    STEP_RESULTS_FIELD_NUMBER: _ClassVar[int]
    SANCTIONS_SCREENING_FIELD_NUMBER: _ClassVar[int]
    MANUAL_REVIEW_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_DETAILS_WITHHELD_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    kyc_check_id: str
    customer_id: str
    state: KycCheckState
    trigger: KycCheckTrigger
    customer_etag: str
    reasons: _containers.RepeatedCompositeFieldContainer[KycReason]
    step_results: _containers.RepeatedCompositeFieldContainer[KycStepResult]
    sanctions_screening: SanctionsScreeningResult
    manual_review_resolution: ManualReviewResolution
    cancel_reason: KycCheckCancelReason
    compliance_details_withheld: bool
    create_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, kyc_check_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., state: _Optional[_Union[KycCheckState, str]] = ..., trigger: _Optional[_Union[KycCheckTrigger, str]] = ..., customer_etag: _Optional[str] = ..., reasons: _Optional[_Iterable[_Union[KycReason, _Mapping]]] = ..., step_results: _Optional[_Iterable[_Union[KycStepResult, _Mapping]]] = ..., sanctions_screening: _Optional[_Union[SanctionsScreeningResult, _Mapping]] = ..., manual_review_resolution: _Optional[_Union[ManualReviewResolution, _Mapping]] = ..., cancel_reason: _Optional[_Union[KycCheckCancelReason, str]] = ..., compliance_details_withheld: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class KycReason(_message.Message):
    __slots__ = ("code", "step", "field", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: KycReasonCode
    step: KycStep
    field: str
    message: str
    def __init__(self, code: _Optional[_Union[KycReasonCode, str]] = ..., step: _Optional[_Union[KycStep, str]] = ..., field: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class KycStepResult(_message.Message):
    __slots__ = ("step", "outcome", "complete_time")
    STEP_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    step: KycStep
    outcome: KycStepOutcome
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, step: _Optional[_Union[KycStep, str]] = ..., outcome: _Optional[_Union[KycStepOutcome, str]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SanctionsScreeningResult(_message.Message):
    __slots__ = ("screening_id", "outcome", "matches", "list_versions", "screen_time")
    SCREENING_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    SCREEN_TIME_FIELD_NUMBER: _ClassVar[int]
    screening_id: str
    outcome: SanctionsScreeningOutcome
    matches: _containers.RepeatedCompositeFieldContainer[SanctionsMatch]
    list_versions: _containers.RepeatedScalarFieldContainer[str]
    screen_time: _timestamp_pb2.Timestamp
    def __init__(self, screening_id: _Optional[str] = ..., outcome: _Optional[_Union[SanctionsScreeningOutcome, str]] = ..., matches: _Optional[_Iterable[_Union[SanctionsMatch, _Mapping]]] = ..., list_versions: _Optional[_Iterable[str]] = ..., screen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SanctionsMatch(_message.Message):
    __slots__ = ("list_id", "entry_id", "score")
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    entry_id: str
    score: float
    def __init__(self, list_id: _Optional[str] = ..., entry_id: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class ManualReviewResolution(_message.Message):
    __slots__ = ("decision", "note", "reason_codes", "reviewer_id", "resolve_time")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REASON_CODES_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_TIME_FIELD_NUMBER: _ClassVar[int]
    decision: ManualReviewDecision
    note: str
    reason_codes: _containers.RepeatedScalarFieldContainer[KycReasonCode]
    reviewer_id: str
    resolve_time: _timestamp_pb2.Timestamp
    def __init__(self, decision: _Optional[_Union[ManualReviewDecision, str]] = ..., note: _Optional[str] = ..., reason_codes: _Optional[_Iterable[_Union[KycReasonCode, str]]] = ..., reviewer_id: _Optional[str] = ..., resolve_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
