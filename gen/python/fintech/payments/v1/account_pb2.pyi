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

class AccountType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCOUNT_TYPE_UNSPECIFIED: _ClassVar[AccountType]
    ACCOUNT_TYPE_CURRENT: _ClassVar[AccountType]
    ACCOUNT_TYPE_SAVINGS: _ClassVar[AccountType]
    ACCOUNT_TYPE_BUSINESS: _ClassVar[AccountType]
    ACCOUNT_TYPE_INTERNAL: _ClassVar[AccountType]

class AccountState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCOUNT_STATE_UNSPECIFIED: _ClassVar[AccountState]
    ACCOUNT_STATE_ACTIVE: _ClassVar[AccountState]
    ACCOUNT_STATE_FROZEN: _ClassVar[AccountState]
    ACCOUNT_STATE_CLOSED: _ClassVar[AccountState]

class AccountStatusReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCOUNT_STATUS_REASON_UNSPECIFIED: _ClassVar[AccountStatusReason]
    ACCOUNT_STATUS_REASON_CUSTOMER_REQUEST: _ClassVar[AccountStatusReason]
    ACCOUNT_STATUS_REASON_SUSPECTED_FRAUD: _ClassVar[AccountStatusReason]
    ACCOUNT_STATUS_REASON_LEGAL_ORDER: _ClassVar[AccountStatusReason]
    ACCOUNT_STATUS_REASON_COMPLIANCE_REVIEW: _ClassVar[AccountStatusReason]
    ACCOUNT_STATUS_REASON_DORMANCY: _ClassVar[AccountStatusReason]
    ACCOUNT_STATUS_REASON_RESOLVED: _ClassVar[AccountStatusReason]
    ACCOUNT_STATUS_REASON_OTHER: _ClassVar[AccountStatusReason]
ACCOUNT_TYPE_UNSPECIFIED: AccountType
ACCOUNT_TYPE_CURRENT: AccountType
ACCOUNT_TYPE_SAVINGS: AccountType
ACCOUNT_TYPE_BUSINESS: AccountType
ACCOUNT_TYPE_INTERNAL: AccountType
ACCOUNT_STATE_UNSPECIFIED: AccountState
ACCOUNT_STATE_ACTIVE: AccountState
ACCOUNT_STATE_FROZEN: AccountState
ACCOUNT_STATE_CLOSED: AccountState
ACCOUNT_STATUS_REASON_UNSPECIFIED: AccountStatusReason
ACCOUNT_STATUS_REASON_CUSTOMER_REQUEST: AccountStatusReason
ACCOUNT_STATUS_REASON_SUSPECTED_FRAUD: AccountStatusReason
ACCOUNT_STATUS_REASON_LEGAL_ORDER: AccountStatusReason
ACCOUNT_STATUS_REASON_COMPLIANCE_REVIEW: AccountStatusReason
ACCOUNT_STATUS_REASON_DORMANCY: AccountStatusReason
ACCOUNT_STATUS_REASON_RESOLVED: AccountStatusReason
ACCOUNT_STATUS_REASON_OTHER: AccountStatusReason

class Account(_message.Message):
    __slots__ = ("account_id", "customer_id", "account_type", "currency_code", "ledger_balance", "available_balance", "overdraft_limit", "state", "state_reason", "state_note", "last_entry_sequence", "version", "open_time", "update_time", "close_time")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    LEDGER_BALANCE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_BALANCE_FIELD_NUMBER: _ClassVar[int]
    OVERDRAFT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_FIELD_NUMBER: _ClassVar[int]
    STATE_NOTE_FIELD_NUMBER: _ClassVar[int]
    LAST_ENTRY_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    OPEN_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CLOSE_TIME_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    customer_id: str
    account_type: AccountType
    currency_code: str
    ledger_balance: _money_pb2.Money
    available_balance: _money_pb2.Money
    overdraft_limit: _money_pb2.Money
    state: AccountState
    state_reason: AccountStatusReason
    state_note: str
    last_entry_sequence: int
    version: int
    open_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    close_time: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., account_type: _Optional[_Union[AccountType, str]] = ..., currency_code: _Optional[str] = ..., ledger_balance: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., available_balance: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., overdraft_limit: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., state: _Optional[_Union[AccountState, str]] = ..., state_reason: _Optional[_Union[AccountStatusReason, str]] = ..., state_note: _Optional[str] = ..., last_entry_sequence: _Optional[int] = ..., version: _Optional[int] = ..., open_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., close_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
