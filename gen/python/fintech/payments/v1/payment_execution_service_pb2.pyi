import datetime

from fintech.payments.v1 import ledger_entry_pb2 as _ledger_entry_pb2
from fintech.payments.v1 import payment_pb2 as _payment_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import visibility_pb2 as _visibility_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExecutePaymentRequest(_message.Message):
    __slots__ = ("payment_id", "expected_version")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    expected_version: int
    def __init__(self, payment_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ExecutePaymentResponse(_message.Message):
    __slots__ = ("payment", "ledger_posting_id", "ledger_entries")
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    LEDGER_POSTING_ID_FIELD_NUMBER: _ClassVar[int]
    LEDGER_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    payment: _payment_pb2.Payment
    ledger_posting_id: str
    ledger_entries: _containers.RepeatedCompositeFieldContainer[_ledger_entry_pb2.LedgerEntry]
    def __init__(self, payment: _Optional[_Union[_payment_pb2.Payment, _Mapping]] = ..., ledger_posting_id: _Optional[str] = ..., ledger_entries: _Optional[_Iterable[_Union[_ledger_entry_pb2.LedgerEntry, _Mapping]]] = ...) -> None: ...

class ReplayPaymentProjectionsRequest(_message.Message):
    __slots__ = ("payment_id", "dry_run")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    dry_run: bool
    def __init__(self, payment_id: _Optional[str] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class ReplayPaymentProjectionsResponse(_message.Message):
    __slots__ = ("events_replayed", "payments_rebuilt", "mismatch_count", "mismatched_payment_ids", "duration")
    EVENTS_REPLAYED_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_REBUILT_FIELD_NUMBER: _ClassVar[int]
    MISMATCH_COUNT_FIELD_NUMBER: _ClassVar[int]
    MISMATCHED_PAYMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    events_replayed: int
    payments_rebuilt: int
    mismatch_count: int
    mismatched_payment_ids: _containers.RepeatedScalarFieldContainer[str]
    duration: _duration_pb2.Duration
    def __init__(self, events_replayed: _Optional[int] = ..., payments_rebuilt: _Optional[int] = ..., mismatch_count: _Optional[int] = ..., mismatched_payment_ids: _Optional[_Iterable[str]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...
