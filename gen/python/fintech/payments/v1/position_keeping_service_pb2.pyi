import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.common.v1 import money_pb2 as _money_pb2
from fintech.payments.v1 import account_pb2 as _account_pb2
from fintech.payments.v1 import ledger_entry_pb2 as _ledger_entry_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import visibility_pb2 as _visibility_pb2
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

class AccountControlAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCOUNT_CONTROL_ACTION_UNSPECIFIED: _ClassVar[AccountControlAction]
    ACCOUNT_CONTROL_ACTION_FREEZE: _ClassVar[AccountControlAction]
    ACCOUNT_CONTROL_ACTION_UNFREEZE: _ClassVar[AccountControlAction]
    ACCOUNT_CONTROL_ACTION_CLOSE: _ClassVar[AccountControlAction]
ACCOUNT_CONTROL_ACTION_UNSPECIFIED: AccountControlAction
ACCOUNT_CONTROL_ACTION_FREEZE: AccountControlAction
ACCOUNT_CONTROL_ACTION_UNFREEZE: AccountControlAction
ACCOUNT_CONTROL_ACTION_CLOSE: AccountControlAction

class OpenAccountRequest(_message.Message):
    __slots__ = ("idempotency_key", "customer_id", "currency_code", "account_type", "overdraft_limit")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_TYPE_FIELD_NUMBER: _ClassVar[int]
    OVERDRAFT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    customer_id: str
    currency_code: str
    account_type: _account_pb2.AccountType
    overdraft_limit: _money_pb2.Money
    def __init__(self, idempotency_key: _Optional[str] = ..., customer_id: _Optional[str] = ..., currency_code: _Optional[str] = ..., account_type: _Optional[_Union[_account_pb2.AccountType, str]] = ..., overdraft_limit: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class OpenAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: _account_pb2.Account
    def __init__(self, account: _Optional[_Union[_account_pb2.Account, _Mapping]] = ...) -> None: ...

class RetrieveAccountRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class RetrieveAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: _account_pb2.Account
    def __init__(self, account: _Optional[_Union[_account_pb2.Account, _Mapping]] = ...) -> None: ...

class ListAccountsRequest(_message.Message):
    __slots__ = ("customer_id", "states", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    states: _containers.RepeatedScalarFieldContainer[_account_pb2.AccountState]
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_account_pb2.AccountState, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAccountsResponse(_message.Message):
    __slots__ = ("accounts", "next_page_token")
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[_account_pb2.Account]
    next_page_token: str
    def __init__(self, accounts: _Optional[_Iterable[_Union[_account_pb2.Account, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ControlAccountRequest(_message.Message):
    __slots__ = ("account_id", "action", "reason", "note", "expected_version")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    action: AccountControlAction
    reason: _account_pb2.AccountStatusReason
    note: str
    expected_version: int
    def __init__(self, account_id: _Optional[str] = ..., action: _Optional[_Union[AccountControlAction, str]] = ..., reason: _Optional[_Union[_account_pb2.AccountStatusReason, str]] = ..., note: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ControlAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: _account_pb2.Account
    def __init__(self, account: _Optional[_Union[_account_pb2.Account, _Mapping]] = ...) -> None: ...

class ListLedgerEntriesRequest(_message.Message):
    __slots__ = ("account_id", "start_time", "end_time", "page_size", "page_token")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, account_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListLedgerEntriesResponse(_message.Message):
    __slots__ = ("ledger_entries", "next_page_token")
    LEDGER_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ledger_entries: _containers.RepeatedCompositeFieldContainer[_ledger_entry_pb2.LedgerEntry]
    next_page_token: str
    def __init__(self, ledger_entries: _Optional[_Iterable[_Union[_ledger_entry_pb2.LedgerEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RetrieveExecutedPaymentTotalsRequest(_message.Message):
    __slots__ = ("start_time", "end_time")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RetrieveExecutedPaymentTotalsResponse(_message.Message):
    __slots__ = ("totals",)
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    totals: _containers.RepeatedCompositeFieldContainer[ExecutedPaymentTotal]
    def __init__(self, totals: _Optional[_Iterable[_Union[ExecutedPaymentTotal, _Mapping]]] = ...) -> None: ...

class ExecutedPaymentTotal(_message.Message):
    __slots__ = ("booking_date", "payment_count", "amount")
    BOOKING_DATE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    booking_date: _date_pb2.Date
    payment_count: int
    amount: _money_pb2.Money
    def __init__(self, booking_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., payment_count: _Optional[int] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...
