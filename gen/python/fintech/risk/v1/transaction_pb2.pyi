import datetime

from fintech.common.v1 import money_pb2 as _money_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TransactionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSACTION_TYPE_UNSPECIFIED: _ClassVar[TransactionType]
    TRANSACTION_TYPE_INTERNAL_TRANSFER: _ClassVar[TransactionType]
    TRANSACTION_TYPE_CREDIT_TRANSFER: _ClassVar[TransactionType]
    TRANSACTION_TYPE_INSTANT_CREDIT_TRANSFER: _ClassVar[TransactionType]
    TRANSACTION_TYPE_DIRECT_DEBIT: _ClassVar[TransactionType]
    TRANSACTION_TYPE_CARD_PAYMENT: _ClassVar[TransactionType]
    TRANSACTION_TYPE_CASH_DEPOSIT: _ClassVar[TransactionType]
    TRANSACTION_TYPE_CASH_WITHDRAWAL: _ClassVar[TransactionType]

class TransactionDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSACTION_DIRECTION_UNSPECIFIED: _ClassVar[TransactionDirection]
    TRANSACTION_DIRECTION_OUTGOING: _ClassVar[TransactionDirection]
    TRANSACTION_DIRECTION_INCOMING: _ClassVar[TransactionDirection]

class TransactionChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSACTION_CHANNEL_UNSPECIFIED: _ClassVar[TransactionChannel]
    TRANSACTION_CHANNEL_MOBILE_APP: _ClassVar[TransactionChannel]
    TRANSACTION_CHANNEL_WEB: _ClassVar[TransactionChannel]
    TRANSACTION_CHANNEL_OPEN_BANKING_API: _ClassVar[TransactionChannel]
    TRANSACTION_CHANNEL_BRANCH: _ClassVar[TransactionChannel]
    TRANSACTION_CHANNEL_ATM: _ClassVar[TransactionChannel]
    TRANSACTION_CHANNEL_CARD_PRESENT: _ClassVar[TransactionChannel]
    TRANSACTION_CHANNEL_CARD_NOT_PRESENT: _ClassVar[TransactionChannel]
    TRANSACTION_CHANNEL_PHONE: _ClassVar[TransactionChannel]
    TRANSACTION_CHANNEL_SCHEDULED: _ClassVar[TransactionChannel]
TRANSACTION_TYPE_UNSPECIFIED: TransactionType
TRANSACTION_TYPE_INTERNAL_TRANSFER: TransactionType
TRANSACTION_TYPE_CREDIT_TRANSFER: TransactionType
TRANSACTION_TYPE_INSTANT_CREDIT_TRANSFER: TransactionType
TRANSACTION_TYPE_DIRECT_DEBIT: TransactionType
TRANSACTION_TYPE_CARD_PAYMENT: TransactionType
TRANSACTION_TYPE_CASH_DEPOSIT: TransactionType
TRANSACTION_TYPE_CASH_WITHDRAWAL: TransactionType
TRANSACTION_DIRECTION_UNSPECIFIED: TransactionDirection
TRANSACTION_DIRECTION_OUTGOING: TransactionDirection
TRANSACTION_DIRECTION_INCOMING: TransactionDirection
TRANSACTION_CHANNEL_UNSPECIFIED: TransactionChannel
TRANSACTION_CHANNEL_MOBILE_APP: TransactionChannel
TRANSACTION_CHANNEL_WEB: TransactionChannel
TRANSACTION_CHANNEL_OPEN_BANKING_API: TransactionChannel
TRANSACTION_CHANNEL_BRANCH: TransactionChannel
TRANSACTION_CHANNEL_ATM: TransactionChannel
TRANSACTION_CHANNEL_CARD_PRESENT: TransactionChannel
TRANSACTION_CHANNEL_CARD_NOT_PRESENT: TransactionChannel
TRANSACTION_CHANNEL_PHONE: TransactionChannel
TRANSACTION_CHANNEL_SCHEDULED: TransactionChannel

class Transaction(_message.Message):
    __slots__ = ("payment_id", "customer_id", "debtor_account_id", "creditor_account_id", "counterparty", "amount", "reporting_amount", "transaction_type", "direction", "channel", "merchant_category_code", "device", "transaction_time", "remittance_information")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    DEBTOR_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITOR_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTERPARTY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REPORTING_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_CATEGORY_CODE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_TIME_FIELD_NUMBER: _ClassVar[int]
    REMITTANCE_INFORMATION_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    customer_id: str
    debtor_account_id: str
    creditor_account_id: str
    counterparty: Counterparty
    amount: _money_pb2.Money
    reporting_amount: _money_pb2.Money
    transaction_type: TransactionType
    direction: TransactionDirection
    channel: TransactionChannel
    merchant_category_code: str
    device: DeviceContext
    transaction_time: _timestamp_pb2.Timestamp
    remittance_information: str
    def __init__(self, payment_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., debtor_account_id: _Optional[str] = ..., creditor_account_id: _Optional[str] = ..., counterparty: _Optional[_Union[Counterparty, _Mapping]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., reporting_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., transaction_type: _Optional[_Union[TransactionType, str]] = ..., direction: _Optional[_Union[TransactionDirection, str]] = ..., channel: _Optional[_Union[TransactionChannel, str]] = ..., merchant_category_code: _Optional[str] = ..., device: _Optional[_Union[DeviceContext, _Mapping]] = ..., transaction_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., remittance_information: _Optional[str] = ...) -> None: ...

class Counterparty(_message.Message):
    __slots__ = ("counterparty_id", "name", "account_number", "bank_identifier_code", "country_code")
    COUNTERPARTY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BANK_IDENTIFIER_CODE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    counterparty_id: str
    name: str
    account_number: str
    bank_identifier_code: str
    country_code: str
    def __init__(self, counterparty_id: _Optional[str] = ..., name: _Optional[str] = ..., account_number: _Optional[str] = ..., bank_identifier_code: _Optional[str] = ..., country_code: _Optional[str] = ...) -> None: ...

class DeviceContext(_message.Message):
    __slots__ = ("device_id", "device_fingerprint", "ip_address", "ip_country_code", "user_agent", "session_id")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    IP_COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    device_fingerprint: str
    ip_address: str
    ip_country_code: str
    user_agent: str
    session_id: str
    def __init__(self, device_id: _Optional[str] = ..., device_fingerprint: _Optional[str] = ..., ip_address: _Optional[str] = ..., ip_country_code: _Optional[str] = ..., user_agent: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...
