import datetime

from fintech.customer.v1 import customer_pb2 as _customer_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NotificationChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTIFICATION_CHANNEL_UNSPECIFIED: _ClassVar[NotificationChannel]
    NOTIFICATION_CHANNEL_EMAIL: _ClassVar[NotificationChannel]
    NOTIFICATION_CHANNEL_SMS: _ClassVar[NotificationChannel]
    NOTIFICATION_CHANNEL_PUSH: _ClassVar[NotificationChannel]
    NOTIFICATION_CHANNEL_IN_APP: _ClassVar[NotificationChannel]
    NOTIFICATION_CHANNEL_POSTAL_MAIL: _ClassVar[NotificationChannel]
NOTIFICATION_CHANNEL_UNSPECIFIED: NotificationChannel
NOTIFICATION_CHANNEL_EMAIL: NotificationChannel
NOTIFICATION_CHANNEL_SMS: NotificationChannel
NOTIFICATION_CHANNEL_PUSH: NotificationChannel
NOTIFICATION_CHANNEL_IN_APP: NotificationChannel
NOTIFICATION_CHANNEL_POSTAL_MAIL: NotificationChannel

class CustomerProfile(_message.Message):
    __slots__ = ("customer_id", "email", "phone_number", "postal_address", "preferences", "pii_view", "update_time", "etag")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    POSTAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    PII_VIEW_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    email: str
    phone_number: str
    postal_address: _customer_pb2.PostalAddress
    preferences: CustomerPreferences
    pii_view: _customer_pb2.PiiView
    update_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, customer_id: _Optional[str] = ..., email: _Optional[str] = ..., phone_number: _Optional[str] = ..., postal_address: _Optional[_Union[_customer_pb2.PostalAddress, _Mapping]] = ..., preferences: _Optional[_Union[CustomerPreferences, _Mapping]] = ..., pii_view: _Optional[_Union[_customer_pb2.PiiView, str]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class CustomerPreferences(_message.Message):
    __slots__ = ("language_code", "time_zone", "notification_channels", "marketing_consent")
    LANGUAGE_CODE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_CHANNELS_FIELD_NUMBER: _ClassVar[int]
    MARKETING_CONSENT_FIELD_NUMBER: _ClassVar[int]
    language_code: str
    time_zone: str
    notification_channels: _containers.RepeatedScalarFieldContainer[NotificationChannel]
    marketing_consent: MarketingConsent
    def __init__(self, language_code: _Optional[str] = ..., time_zone: _Optional[str] = ..., notification_channels: _Optional[_Iterable[_Union[NotificationChannel, str]]] = ..., marketing_consent: _Optional[_Union[MarketingConsent, _Mapping]] = ...) -> None: ...

class MarketingConsent(_message.Message):
    __slots__ = ("granted", "channels", "policy_version", "consent_time")
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    CONSENT_TIME_FIELD_NUMBER: _ClassVar[int]
    granted: bool
    channels: _containers.RepeatedScalarFieldContainer[NotificationChannel]
    policy_version: str
    consent_time: _timestamp_pb2.Timestamp
    def __init__(self, granted: _Optional[bool] = ..., channels: _Optional[_Iterable[_Union[NotificationChannel, str]]] = ..., policy_version: _Optional[str] = ..., consent_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
