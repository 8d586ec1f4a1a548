import datetime

from fintech.common.v1 import event_envelope_pb2 as _event_envelope_pb2
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

class CustomerState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CUSTOMER_STATE_UNSPECIFIED: _ClassVar[CustomerState]
    CUSTOMER_STATE_PENDING: _ClassVar[CustomerState]
    CUSTOMER_STATE_VERIFIED: _ClassVar[CustomerState]
    CUSTOMER_STATE_REJECTED: _ClassVar[CustomerState]
    CUSTOMER_STATE_MANUAL_REVIEW: _ClassVar[CustomerState]
    CUSTOMER_STATE_ERASED: _ClassVar[CustomerState]

class ErasureReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERASURE_REASON_UNSPECIFIED: _ClassVar[ErasureReason]
    ERASURE_REASON_NO_LONGER_NECESSARY: _ClassVar[ErasureReason]
    ERASURE_REASON_CONSENT_WITHDRAWN: _ClassVar[ErasureReason]
    ERASURE_REASON_OBJECTION: _ClassVar[ErasureReason]
    ERASURE_REASON_UNLAWFUL_PROCESSING: _ClassVar[ErasureReason]
    ERASURE_REASON_LEGAL_OBLIGATION: _ClassVar[ErasureReason]
    ERASURE_REASON_RETENTION_EXPIRED: _ClassVar[ErasureReason]

class DataKeyRotationReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATA_KEY_ROTATION_REASON_UNSPECIFIED: _ClassVar[DataKeyRotationReason]
    DATA_KEY_ROTATION_REASON_SCHEDULED: _ClassVar[DataKeyRotationReason]
    DATA_KEY_ROTATION_REASON_COMPROMISE_SUSPECTED: _ClassVar[DataKeyRotationReason]
    DATA_KEY_ROTATION_REASON_MANUAL: _ClassVar[DataKeyRotationReason]

class OnboardingChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ONBOARDING_CHANNEL_UNSPECIFIED: _ClassVar[OnboardingChannel]
    ONBOARDING_CHANNEL_BRANCH: _ClassVar[OnboardingChannel]
    ONBOARDING_CHANNEL_ONLINE: _ClassVar[OnboardingChannel]
    ONBOARDING_CHANNEL_MOBILE_APP: _ClassVar[OnboardingChannel]
    ONBOARDING_CHANNEL_PARTNER: _ClassVar[OnboardingChannel]

class PiiView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PII_VIEW_UNSPECIFIED: _ClassVar[PiiView]
    PII_VIEW_MASKED: _ClassVar[PiiView]
    PII_VIEW_FULL: _ClassVar[PiiView]

class IdentityDocumentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IDENTITY_DOCUMENT_TYPE_UNSPECIFIED: _ClassVar[IdentityDocumentType]
    IDENTITY_DOCUMENT_TYPE_PASSPORT: _ClassVar[IdentityDocumentType]
    IDENTITY_DOCUMENT_TYPE_NATIONAL_ID_CARD: _ClassVar[IdentityDocumentType]
    IDENTITY_DOCUMENT_TYPE_DRIVING_LICENCE: _ClassVar[IdentityDocumentType]
    IDENTITY_DOCUMENT_TYPE_RESIDENCE_PERMIT: _ClassVar[IdentityDocumentType]
CUSTOMER_STATE_UNSPECIFIED: CustomerState
CUSTOMER_STATE_PENDING: CustomerState
CUSTOMER_STATE_VERIFIED: CustomerState
CUSTOMER_STATE_REJECTED: CustomerState
CUSTOMER_STATE_MANUAL_REVIEW: CustomerState
CUSTOMER_STATE_ERASED: CustomerState
ERASURE_REASON_UNSPECIFIED: ErasureReason
ERASURE_REASON_NO_LONGER_NECESSARY: ErasureReason
ERASURE_REASON_CONSENT_WITHDRAWN: ErasureReason
ERASURE_REASON_OBJECTION: ErasureReason
ERASURE_REASON_UNLAWFUL_PROCESSING: ErasureReason
ERASURE_REASON_LEGAL_OBLIGATION: ErasureReason
ERASURE_REASON_RETENTION_EXPIRED: ErasureReason
DATA_KEY_ROTATION_REASON_UNSPECIFIED: DataKeyRotationReason
DATA_KEY_ROTATION_REASON_SCHEDULED: DataKeyRotationReason
DATA_KEY_ROTATION_REASON_COMPROMISE_SUSPECTED: DataKeyRotationReason
DATA_KEY_ROTATION_REASON_MANUAL: DataKeyRotationReason
ONBOARDING_CHANNEL_UNSPECIFIED: OnboardingChannel
ONBOARDING_CHANNEL_BRANCH: OnboardingChannel
ONBOARDING_CHANNEL_ONLINE: OnboardingChannel
ONBOARDING_CHANNEL_MOBILE_APP: OnboardingChannel
ONBOARDING_CHANNEL_PARTNER: OnboardingChannel
PII_VIEW_UNSPECIFIED: PiiView
PII_VIEW_MASKED: PiiView
PII_VIEW_FULL: PiiView
IDENTITY_DOCUMENT_TYPE_UNSPECIFIED: IdentityDocumentType
IDENTITY_DOCUMENT_TYPE_PASSPORT: IdentityDocumentType
IDENTITY_DOCUMENT_TYPE_NATIONAL_ID_CARD: IdentityDocumentType
IDENTITY_DOCUMENT_TYPE_DRIVING_LICENCE: IdentityDocumentType
IDENTITY_DOCUMENT_TYPE_RESIDENCE_PERMIT: IdentityDocumentType

class Customer(_message.Message):
    __slots__ = ("customer_id", "customer_number", "state", "given_names", "family_name", "birth_family_name", "date_of_birth", "place_of_birth", "country_of_birth", "nationality", "additional_nationalities", "residential_address", "identity_document", "email", "phone_number", "branch_id", "onboarding_channel", "pii_view", "latest_kyc_check_id", "verify_time", "create_time", "update_time", "etag")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    GIVEN_NAMES_FIELD_NUMBER: _ClassVar[int]
    FAMILY_NAME_FIELD_NUMBER: _ClassVar[int]
    BIRTH_FAMILY_NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    PLACE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    NATIONALITY_FIELD_NUMBER: _ClassVar[int]
    ADDITIONAL_NATIONALITIES_FIELD_NUMBER: _ClassVar[int]
    RESIDENTIAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BRANCH_ID_FIELD_NUMBER: _ClassVar[int]
    ONBOARDING_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PII_VIEW_FIELD_NUMBER: _ClassVar[int]
    LATEST_KYC_CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    VERIFY_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    customer_number: str
    state: CustomerState
    given_names: str
    family_name: str
    birth_family_name: str
    date_of_birth: _date_pb2.Date
    place_of_birth: str
    country_of_birth: str
    nationality: str
    additional_nationalities: _containers.RepeatedScalarFieldContainer[str]
    residential_address: PostalAddress
    identity_document: IdentityDocument
    email: str
    phone_number: str
    branch_id: str
    onboarding_channel: OnboardingChannel
    pii_view: PiiView
    latest_kyc_check_id: str
    verify_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, customer_id: _Optional[str] = ..., customer_number: _Optional[str] = ..., state: _Optional[_Union[CustomerState, str]] = ..., given_names: _Optional[str] = ..., family_name: _Optional[str] = ..., birth_family_name: _Optional[str] = ..., date_of_birth: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., place_of_birth: _Optional[str] = ..., country_of_birth: _Optional[str] = ..., nationality: _Optional[str] = ..., additional_nationalities: _Optional[_Iterable[str]] = ..., residential_address: _Optional[_Union[PostalAddress, _Mapping]] = ..., identity_document: _Optional[_Union[IdentityDocument, _Mapping]] = ..., email: _Optional[str] = ..., phone_number: _Optional[str] = ..., branch_id: _Optional[str] = ..., onboarding_channel: _Optional[_Union[OnboardingChannel, str]] = ..., pii_view: _Optional[_Union[PiiView, str]] = ..., latest_kyc_check_id: _Optional[str] = ..., verify_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class PostalAddress(_message.Message):
    __slots__ = ("address_lines", "locality", "administrative_area", "postal_code", "country_code")
    ADDRESS_LINES_FIELD_NUMBER: _ClassVar[int]
    LOCALITY_FIELD_NUMBER: _ClassVar[int]
    ADMINISTRATIVE_AREA_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    address_lines: _containers.RepeatedScalarFieldContainer[str]
    locality: str
    administrative_area: str
    postal_code: str
    country_code: str
    def __init__(self, address_lines: _Optional[_Iterable[str]] = ..., locality: _Optional[str] = ..., administrative_area: _Optional[str] = ..., postal_code: _Optional[str] = ..., country_code: _Optional[str] = ...) -> None: ...

class IdentityDocument(_message.Message):
    __slots__ = ("document_type", "document_number", "issuing_country", "issuing_authority", "issue_date", "expiry_date")
    DOCUMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ISSUING_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    ISSUING_AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    ISSUE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    document_type: IdentityDocumentType
    document_number: str
    issuing_country: str
    issuing_authority: str
    issue_date: _date_pb2.Date
    expiry_date: _date_pb2.Date
    def __init__(self, document_type: _Optional[_Union[IdentityDocumentType, str]] = ..., document_number: _Optional[str] = ..., issuing_country: _Optional[str] = ..., issuing_authority: _Optional[str] = ..., issue_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., expiry_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class SealedPersonalData(_message.Message):
    __slots__ = ("given_names", "family_name", "birth_family_name", "date_of_birth", "place_of_birth", "country_of_birth", "nationality", "additional_nationalities", "residential_address", "identity_document", "email", "phone_number", "postal_address")
    GIVEN_NAMES_FIELD_NUMBER: _ClassVar[int]
    FAMILY_NAME_FIELD_NUMBER: _ClassVar[int]
    BIRTH_FAMILY_NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    PLACE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    NATIONALITY_FIELD_NUMBER: _ClassVar[int]
    ADDITIONAL_NATIONALITIES_FIELD_NUMBER: _ClassVar[int]
    RESIDENTIAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    POSTAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    given_names: _event_envelope_pb2.SealedValue
    family_name: _event_envelope_pb2.SealedValue
    birth_family_name: _event_envelope_pb2.SealedValue
    date_of_birth: _event_envelope_pb2.SealedValue
    place_of_birth: _event_envelope_pb2.SealedValue
    country_of_birth: _event_envelope_pb2.SealedValue
    nationality: _event_envelope_pb2.SealedValue
    additional_nationalities: _containers.RepeatedCompositeFieldContainer[_event_envelope_pb2.SealedValue]
    residential_address: _event_envelope_pb2.SealedValue
    identity_document: _event_envelope_pb2.SealedValue
    email: _event_envelope_pb2.SealedValue
    phone_number: _event_envelope_pb2.SealedValue
    postal_address: _event_envelope_pb2.SealedValue
    def __init__(self, given_names: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., family_name: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., birth_family_name: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., date_of_birth: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., place_of_birth: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., country_of_birth: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., nationality: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., additional_nationalities: _Optional[_Iterable[_Union[_event_envelope_pb2.SealedValue, _Mapping]]] = ..., residential_address: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., identity_document: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., email: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., phone_number: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., postal_address: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ...) -> None: ...
