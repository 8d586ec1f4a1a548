from fintech.common.v1 import event_envelope_pb2 as _event_envelope_pb2
from fintech.customer.v1 import customer_pb2 as _customer_pb2
from fintech.customer.v1 import customer_profile_pb2 as _customer_profile_pb2
from fintech.customer.v1 import kyc_check_pb2 as _kyc_check_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CustomerRegistered(_message.Message):
    __slots__ = ("customer_id", "customer_number", "branch_id", "state", "onboarding_channel", "personal_data")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BRANCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ONBOARDING_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PERSONAL_DATA_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    customer_number: str
    branch_id: str
    state: _customer_pb2.CustomerState
    onboarding_channel: _customer_pb2.OnboardingChannel
    personal_data: _customer_pb2.SealedPersonalData
    def __init__(self, customer_id: _Optional[str] = ..., customer_number: _Optional[str] = ..., branch_id: _Optional[str] = ..., state: _Optional[_Union[_customer_pb2.CustomerState, str]] = ..., onboarding_channel: _Optional[_Union[_customer_pb2.OnboardingChannel, str]] = ..., personal_data: _Optional[_Union[_customer_pb2.SealedPersonalData, _Mapping]] = ...) -> None: ...

class CustomerUpdated(_message.Message):
    __slots__ = ("customer_id", "update_mask", "personal_data", "branch_id", "previous_branch_id", "identity_data_changed", "etag")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    PERSONAL_DATA_FIELD_NUMBER: _ClassVar[int]
    BRANCH_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_BRANCH_ID_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_DATA_CHANGED_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    update_mask: _field_mask_pb2.FieldMask
    personal_data: _customer_pb2.SealedPersonalData
    branch_id: str
    previous_branch_id: str
    identity_data_changed: bool
    etag: str
    def __init__(self, customer_id: _Optional[str] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., personal_data: _Optional[_Union[_customer_pb2.SealedPersonalData, _Mapping]] = ..., branch_id: _Optional[str] = ..., previous_branch_id: _Optional[str] = ..., identity_data_changed: _Optional[bool] = ..., etag: _Optional[str] = ...) -> None: ...

class KycCheckInitiated(_message.Message):
    __slots__ = ("customer_id", "kyc_check_id", "trigger", "customer_etag")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ETAG_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    kyc_check_id: str
    trigger: _kyc_check_pb2.KycCheckTrigger
    customer_etag: str
    def __init__(self, customer_id: _Optional[str] = ..., kyc_check_id: _Optional[str] = ..., trigger: _Optional[_Union[_kyc_check_pb2.KycCheckTrigger, str]] = ..., customer_etag: _Optional[str] = ...) -> None: ...

class KycCheckCompleted(_message.Message):
    __slots__ = ("customer_id", "kyc_check_id", "state", "reasons", "step_results", "screening_id", "screening_outcome")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    STEP_RESULTS_FIELD_NUMBER: _ClassVar[int]
    SCREENING_ID_FIELD_NUMBER: _ClassVar[int]
    SCREENING_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    kyc_check_id: str
    state: _kyc_check_pb2.KycCheckState
    reasons: _containers.RepeatedCompositeFieldContainer[_kyc_check_pb2.KycReason]
    step_results: _containers.RepeatedCompositeFieldContainer[_kyc_check_pb2.KycStepResult]
    screening_id: str
    screening_outcome: _kyc_check_pb2.SanctionsScreeningOutcome
    def __init__(self, customer_id: _Optional[str] = ..., kyc_check_id: _Optional[str] = ..., state: _Optional[_Union[_kyc_check_pb2.KycCheckState, str]] = ..., reasons: _Optional[_Iterable[_Union[_kyc_check_pb2.KycReason, _Mapping]]] = ..., step_results: _Optional[_Iterable[_Union[_kyc_check_pb2.KycStepResult, _Mapping]]] = ..., screening_id: _Optional[str] = ..., screening_outcome: _Optional[_Union[_kyc_check_pb2.SanctionsScreeningOutcome, str]] = ...) -> None: ...

class KycCheckManuallyResolved(_message.Message):
    __slots__ = ("customer_id", "kyc_check_id", "decision", "state", "reason_codes", "reviewer_id", "note")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_CODES_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    kyc_check_id: str
    decision: _kyc_check_pb2.ManualReviewDecision
    state: _kyc_check_pb2.KycCheckState
    reason_codes: _containers.RepeatedScalarFieldContainer[_kyc_check_pb2.KycReasonCode]
    reviewer_id: str
    note: _event_envelope_pb2.SealedValue
    def __init__(self, customer_id: _Optional[str] = ..., kyc_check_id: _Optional[str] = ..., decision: _Optional[_Union[_kyc_check_pb2.ManualReviewDecision, str]] = ..., state: _Optional[_Union[_kyc_check_pb2.KycCheckState, str]] = ..., reason_codes: _Optional[_Iterable[_Union[_kyc_check_pb2.KycReasonCode, str]]] = ..., reviewer_id: _Optional[str] = ..., note: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ...) -> None: ...

class KycCheckCancelled(_message.Message):
    __slots__ = ("customer_id", "kyc_check_id", "cancel_reason", "previous_state")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    kyc_check_id: str
    cancel_reason: _kyc_check_pb2.KycCheckCancelReason
    previous_state: _kyc_check_pb2.KycCheckState
    def __init__(self, customer_id: _Optional[str] = ..., kyc_check_id: _Optional[str] = ..., cancel_reason: _Optional[_Union[_kyc_check_pb2.KycCheckCancelReason, str]] = ..., previous_state: _Optional[_Union[_kyc_check_pb2.KycCheckState, str]] = ...) -> None: ...

class CustomerVerificationChanged(_message.Message):
    __slots__ = ("customer_id", "previous_state", "state", "payments_allowed", "kyc_check_id", "reason_codes")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_ALLOWED_FIELD_NUMBER: _ClassVar[int]
    KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_CODES_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    previous_state: _customer_pb2.CustomerState
    state: _customer_pb2.CustomerState
    payments_allowed: bool
    kyc_check_id: str
    reason_codes: _containers.RepeatedScalarFieldContainer[_kyc_check_pb2.KycReasonCode]
    def __init__(self, customer_id: _Optional[str] = ..., previous_state: _Optional[_Union[_customer_pb2.CustomerState, str]] = ..., state: _Optional[_Union[_customer_pb2.CustomerState, str]] = ..., payments_allowed: _Optional[bool] = ..., kyc_check_id: _Optional[str] = ..., reason_codes: _Optional[_Iterable[_Union[_kyc_check_pb2.KycReasonCode, str]]] = ...) -> None: ...

class CustomerProfileUpdated(_message.Message):
    __slots__ = ("customer_id", "update_mask", "personal_data", "preferences", "etag")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    PERSONAL_DATA_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    update_mask: _field_mask_pb2.FieldMask
    personal_data: _customer_pb2.SealedPersonalData
    preferences: _customer_profile_pb2.CustomerPreferences
    etag: str
    def __init__(self, customer_id: _Optional[str] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., personal_data: _Optional[_Union[_customer_pb2.SealedPersonalData, _Mapping]] = ..., preferences: _Optional[_Union[_customer_profile_pb2.CustomerPreferences, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class CustomerErased(_message.Message):
    __slots__ = ("customer_id", "reason", "previous_state", "data_key_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    DATA_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    reason: _customer_pb2.ErasureReason
    previous_state: _customer_pb2.CustomerState
    data_key_id: str
    def __init__(self, customer_id: _Optional[str] = ..., reason: _Optional[_Union[_customer_pb2.ErasureReason, str]] = ..., previous_state: _Optional[_Union[_customer_pb2.CustomerState, str]] = ..., data_key_id: _Optional[str] = ...) -> None: ...

class CustomerDataKeyRotated(_message.Message):
    __slots__ = ("customer_id", "previous_key_id", "key_id", "reason")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    previous_key_id: str
    key_id: str
    reason: _customer_pb2.DataKeyRotationReason
    def __init__(self, customer_id: _Optional[str] = ..., previous_key_id: _Optional[str] = ..., key_id: _Optional[str] = ..., reason: _Optional[_Union[_customer_pb2.DataKeyRotationReason, str]] = ...) -> None: ...
