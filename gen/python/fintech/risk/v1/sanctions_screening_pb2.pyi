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

class PartyType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARTY_TYPE_UNSPECIFIED: _ClassVar[PartyType]
    PARTY_TYPE_INDIVIDUAL: _ClassVar[PartyType]
    PARTY_TYPE_ORGANISATION: _ClassVar[PartyType]

class SanctionsMatchStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SANCTIONS_MATCH_STATUS_UNSPECIFIED: _ClassVar[SanctionsMatchStatus]
    SANCTIONS_MATCH_STATUS_CLEAR: _ClassVar[SanctionsMatchStatus]
    SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH: _ClassVar[SanctionsMatchStatus]
    SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH: _ClassVar[SanctionsMatchStatus]

class ScreeningTrigger(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCREENING_TRIGGER_UNSPECIFIED: _ClassVar[ScreeningTrigger]
    SCREENING_TRIGGER_ONBOARDING: _ClassVar[ScreeningTrigger]
    SCREENING_TRIGGER_DATA_CHANGE: _ClassVar[ScreeningTrigger]
    SCREENING_TRIGGER_PERIODIC_REVIEW: _ClassVar[ScreeningTrigger]
    SCREENING_TRIGGER_PAYMENT: _ClassVar[ScreeningTrigger]
PARTY_TYPE_UNSPECIFIED: PartyType
PARTY_TYPE_INDIVIDUAL: PartyType
PARTY_TYPE_ORGANISATION: PartyType
SANCTIONS_MATCH_STATUS_UNSPECIFIED: SanctionsMatchStatus
SANCTIONS_MATCH_STATUS_CLEAR: SanctionsMatchStatus
SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH: SanctionsMatchStatus
SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH: SanctionsMatchStatus
SCREENING_TRIGGER_UNSPECIFIED: ScreeningTrigger
SCREENING_TRIGGER_ONBOARDING: ScreeningTrigger
SCREENING_TRIGGER_DATA_CHANGE: ScreeningTrigger
SCREENING_TRIGGER_PERIODIC_REVIEW: ScreeningTrigger
SCREENING_TRIGGER_PAYMENT: ScreeningTrigger

class ScreenedParty(_message.Message):
    __slots__ = ("party_id", "party_type", "full_name", "alias_names", "date_of_birth", "country_code")
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_TYPE_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    ALIAS_NAMES_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    party_id: str
    party_type: PartyType
    full_name: str
    alias_names: _containers.RepeatedScalarFieldContainer[str]
    date_of_birth: _date_pb2.Date
    country_code: str
    def __init__(self, party_id: _Optional[str] = ..., party_type: _Optional[_Union[PartyType, str]] = ..., full_name: _Optional[str] = ..., alias_names: _Optional[_Iterable[str]] = ..., date_of_birth: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., country_code: _Optional[str] = ...) -> None: ...

class SanctionsScreening(_message.Message):
    __slots__ = ("screening_id", "party", "trigger", "match_status", "matches", "screened_lists", "match_threshold", "screen_time")
    SCREENING_ID_FIELD_NUMBER: _ClassVar[int]
    PARTY_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    MATCH_STATUS_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    SCREENED_LISTS_FIELD_NUMBER: _ClassVar[int]
    MATCH_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    SCREEN_TIME_FIELD_NUMBER: _ClassVar[int]
    screening_id: str
    party: ScreenedParty
    trigger: ScreeningTrigger
    match_status: SanctionsMatchStatus
    matches: _containers.RepeatedCompositeFieldContainer[SanctionsMatch]
    screened_lists: _containers.RepeatedCompositeFieldContainer[SanctionsListVersion]
    match_threshold: float
    screen_time: _timestamp_pb2.Timestamp
    def __init__(self, screening_id: _Optional[str] = ..., party: _Optional[_Union[ScreenedParty, _Mapping]] = ..., trigger: _Optional[_Union[ScreeningTrigger, str]] = ..., match_status: _Optional[_Union[SanctionsMatchStatus, str]] = ..., matches: _Optional[_Iterable[_Union[SanctionsMatch, _Mapping]]] = ..., screened_lists: _Optional[_Iterable[_Union[SanctionsListVersion, _Mapping]]] = ..., match_threshold: _Optional[float] = ..., screen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SanctionsMatch(_message.Message):
    __slots__ = ("list_entry_id", "list_name", "matched_name", "similarity_score", "date_of_birth_matched", "country_matched", "match_status")
    LIST_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_NAME_FIELD_NUMBER: _ClassVar[int]
    MATCHED_NAME_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_MATCHED_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_MATCHED_FIELD_NUMBER: _ClassVar[int]
    MATCH_STATUS_FIELD_NUMBER: _ClassVar[int]
    list_entry_id: str
    list_name: str
    matched_name: str
    similarity_score: float
    date_of_birth_matched: bool
    country_matched: bool
    match_status: SanctionsMatchStatus
    def __init__(self, list_entry_id: _Optional[str] = ..., list_name: _Optional[str] = ..., matched_name: _Optional[str] = ..., similarity_score: _Optional[float] = ..., date_of_birth_matched: _Optional[bool] = ..., country_matched: _Optional[bool] = ..., match_status: _Optional[_Union[SanctionsMatchStatus, str]] = ...) -> None: ...

class SanctionsListVersion(_message.Message):
    __slots__ = ("list_name", "list_version", "publish_time")
    LIST_NAME_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSION_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    list_name: str
    list_version: str
    publish_time: _timestamp_pb2.Timestamp
    def __init__(self, list_name: _Optional[str] = ..., list_version: _Optional[str] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
