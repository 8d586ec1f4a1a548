import datetime

from fintech.common.v1 import money_pb2 as _money_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LedgerEntryDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEDGER_ENTRY_DIRECTION_UNSPECIFIED: _ClassVar[LedgerEntryDirection]
    LEDGER_ENTRY_DIRECTION_DEBIT: _ClassVar[LedgerEntryDirection]
    LEDGER_ENTRY_DIRECTION_CREDIT: _ClassVar[LedgerEntryDirection]
LEDGER_ENTRY_DIRECTION_UNSPECIFIED: LedgerEntryDirection
LEDGER_ENTRY_DIRECTION_DEBIT: LedgerEntryDirection
LEDGER_ENTRY_DIRECTION_CREDIT: LedgerEntryDirection

class LedgerEntry(_message.Message):
    __slots__ = ("ledger_entry_id", "ledger_posting_id", "account_id", "entry_sequence", "direction", "amount", "balance_after", "payment_id", "booking_time", "value_date", "description")
    LEDGER_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    LEDGER_POSTING_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    BALANCE_AFTER_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    BOOKING_TIME_FIELD_NUMBER: _ClassVar[int]
    VALUE_DATE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ledger_entry_id: str
    ledger_posting_id: str
    account_id: str
    entry_sequence: int
    direction: LedgerEntryDirection
    amount: _money_pb2.Money
    balance_after: _money_pb2.Money
    payment_id: str
    booking_time: _timestamp_pb2.Timestamp
    value_date: _date_pb2.Date
    description: str
    def __init__(self, ledger_entry_id: _Optional[str] = ..., ledger_posting_id: _Optional[str] = ..., account_id: _Optional[str] = ..., entry_sequence: _Optional[int] = ..., direction: _Optional[_Union[LedgerEntryDirection, str]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., balance_after: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., payment_id: _Optional[str] = ..., booking_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., value_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., description: _Optional[str] = ...) -> None: ...
