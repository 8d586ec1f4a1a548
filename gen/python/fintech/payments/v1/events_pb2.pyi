import datetime

from fintech.common.v1 import event_envelope_pb2 as _event_envelope_pb2
from fintech.common.v1 import money_pb2 as _money_pb2
from fintech.payments.v1 import account_pb2 as _account_pb2
from fintech.payments.v1 import ledger_entry_pb2 as _ledger_entry_pb2
from fintech.payments.v1 import payment_pb2 as _payment_pb2
from fintech.payments.v1 import settlement_batch_pb2 as _settlement_batch_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentInitiated(_message.Message):
    __slots__ = ("payment_id", "idempotency_key", "customer_id", "initiated_by", "debtor_account_id", "creditor_account_id", "creditor_external_account", "creditor_bic", "amount", "remittance_information", "end_to_end_id", "requested_execution_date", "channel", "client_fingerprint", "create_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    INITIATED_BY_FIELD_NUMBER: _ClassVar[int]
    DEBTOR_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITOR_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITOR_EXTERNAL_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CREDITOR_BIC_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REMITTANCE_INFORMATION_FIELD_NUMBER: _ClassVar[int]
    END_TO_END_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_EXECUTION_DATE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    idempotency_key: str
    customer_id: str
    initiated_by: str
    debtor_account_id: str
    creditor_account_id: str
    creditor_external_account: _event_envelope_pb2.SealedValue
    creditor_bic: str
    amount: _money_pb2.Money
    remittance_information: _event_envelope_pb2.SealedValue
    end_to_end_id: str
    requested_execution_date: _date_pb2.Date
    channel: _payment_pb2.PaymentChannel
    client_fingerprint: _event_envelope_pb2.SealedValue
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., customer_id: _Optional[str] = ..., initiated_by: _Optional[str] = ..., debtor_account_id: _Optional[str] = ..., creditor_account_id: _Optional[str] = ..., creditor_external_account: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., creditor_bic: _Optional[str] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., remittance_information: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., end_to_end_id: _Optional[str] = ..., requested_execution_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., channel: _Optional[_Union[_payment_pb2.PaymentChannel, str]] = ..., client_fingerprint: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentScreeningStarted(_message.Message):
    __slots__ = ("payment_id", "start_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentScreened(_message.Message):
    __slots__ = ("payment_id", "screening_outcome")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SCREENING_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    screening_outcome: _payment_pb2.ScreeningOutcome
    def __init__(self, payment_id: _Optional[str] = ..., screening_outcome: _Optional[_Union[_payment_pb2.ScreeningOutcome, _Mapping]] = ...) -> None: ...

class PaymentHeld(_message.Message):
    __slots__ = ("payment_id", "hold_reason", "hold_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_REASON_FIELD_NUMBER: _ClassVar[int]
    HOLD_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    hold_reason: _payment_pb2.HoldReason
    hold_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., hold_reason: _Optional[_Union[_payment_pb2.HoldReason, str]] = ..., hold_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentReleased(_message.Message):
    __slots__ = ("payment_id", "reviewed_by", "note", "release_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    reviewed_by: str
    note: _event_envelope_pb2.SealedValue
    release_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., reviewed_by: _Optional[str] = ..., note: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., release_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentExecuted(_message.Message):
    __slots__ = ("payment_id", "ledger_posting_id", "ledger_entries", "execute_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    LEDGER_POSTING_ID_FIELD_NUMBER: _ClassVar[int]
    LEDGER_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    EXECUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    ledger_posting_id: str
    ledger_entries: _containers.RepeatedCompositeFieldContainer[_ledger_entry_pb2.LedgerEntry]
    execute_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., ledger_posting_id: _Optional[str] = ..., ledger_entries: _Optional[_Iterable[_Union[_ledger_entry_pb2.LedgerEntry, _Mapping]]] = ..., execute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentRejected(_message.Message):
    __slots__ = ("payment_id", "rejection_reason", "reviewed_by", "note", "reject_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REJECT_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    rejection_reason: _payment_pb2.PaymentRejectionReason
    reviewed_by: str
    note: _event_envelope_pb2.SealedValue
    reject_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., rejection_reason: _Optional[_Union[_payment_pb2.PaymentRejectionReason, str]] = ..., reviewed_by: _Optional[str] = ..., note: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., reject_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentCancelled(_message.Message):
    __slots__ = ("payment_id", "cancelled_by", "cancel_reason", "cancel_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_BY_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCEL_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    cancelled_by: str
    cancel_reason: _event_envelope_pb2.SealedValue
    cancel_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., cancelled_by: _Optional[str] = ..., cancel_reason: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., cancel_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentSettled(_message.Message):
    __slots__ = ("payment_id", "settlement_batch_id", "settle_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    SETTLE_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    settlement_batch_id: str
    settle_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., settlement_batch_id: _Optional[str] = ..., settle_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AccountOpened(_message.Message):
    __slots__ = ("account_id", "customer_id", "account_type", "currency_code", "overdraft_limit", "open_time")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    OVERDRAFT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    OPEN_TIME_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    customer_id: str
    account_type: _account_pb2.AccountType
    currency_code: str
    overdraft_limit: _money_pb2.Money
    open_time: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., account_type: _Optional[_Union[_account_pb2.AccountType, str]] = ..., currency_code: _Optional[str] = ..., overdraft_limit: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., open_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AccountStatusChanged(_message.Message):
    __slots__ = ("account_id", "previous_state", "state", "reason", "note", "changed_by", "change_time")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    previous_state: _account_pb2.AccountState
    state: _account_pb2.AccountState
    reason: _account_pb2.AccountStatusReason
    note: _event_envelope_pb2.SealedValue
    changed_by: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., previous_state: _Optional[_Union[_account_pb2.AccountState, str]] = ..., state: _Optional[_Union[_account_pb2.AccountState, str]] = ..., reason: _Optional[_Union[_account_pb2.AccountStatusReason, str]] = ..., note: _Optional[_Union[_event_envelope_pb2.SealedValue, _Mapping]] = ..., changed_by: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LedgerPosted(_message.Message):
    __slots__ = ("ledger_posting_id", "payment_id", "settlement_batch_id", "ledger_entries", "booking_time")
    LEDGER_POSTING_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    LEDGER_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    BOOKING_TIME_FIELD_NUMBER: _ClassVar[int]
    ledger_posting_id: str
    payment_id: str
    settlement_batch_id: str
    ledger_entries: _containers.RepeatedCompositeFieldContainer[_ledger_entry_pb2.LedgerEntry]
    booking_time: _timestamp_pb2.Timestamp
    def __init__(self, ledger_posting_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., settlement_batch_id: _Optional[str] = ..., ledger_entries: _Optional[_Iterable[_Union[_ledger_entry_pb2.LedgerEntry, _Mapping]]] = ..., booking_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SettlementBatchCreated(_message.Message):
    __slots__ = ("settlement_batch_id", "currency_code", "participant_bic", "window_start_time", "window_end_time", "create_time")
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_BIC_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    currency_code: str
    participant_bic: str
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, settlement_batch_id: _Optional[str] = ..., currency_code: _Optional[str] = ..., participant_bic: _Optional[str] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SettlementBatchClosed(_message.Message):
    __slots__ = ("settlement_batch_id", "payment_count", "gross_debit_amount", "close_time")
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    GROSS_DEBIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CLOSE_TIME_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    payment_count: int
    gross_debit_amount: _money_pb2.Money
    close_time: _timestamp_pb2.Timestamp
    def __init__(self, settlement_batch_id: _Optional[str] = ..., payment_count: _Optional[int] = ..., gross_debit_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., close_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SettlementBatchNetted(_message.Message):
    __slots__ = ("settlement_batch_id", "positions", "payment_count", "gross_debit_amount", "gross_credit_amount", "net_amount", "net_time")
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    GROSS_DEBIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    GROSS_CREDIT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_TIME_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    positions: _containers.RepeatedCompositeFieldContainer[_settlement_batch_pb2.ParticipantPosition]
    payment_count: int
    gross_debit_amount: _money_pb2.Money
    gross_credit_amount: _money_pb2.Money
    net_amount: _money_pb2.Money
    net_time: _timestamp_pb2.Timestamp
    def __init__(self, settlement_batch_id: _Optional[str] = ..., positions: _Optional[_Iterable[_Union[_settlement_batch_pb2.ParticipantPosition, _Mapping]]] = ..., payment_count: _Optional[int] = ..., gross_debit_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., gross_credit_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., net_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., net_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SettlementBatchSettled(_message.Message):
    __slots__ = ("settlement_batch_id", "settlement_reference", "ledger_posting_id", "payment_count", "net_amount", "settle_time")
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    LEDGER_POSTING_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    SETTLE_TIME_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    settlement_reference: str
    ledger_posting_id: str
    payment_count: int
    net_amount: _money_pb2.Money
    settle_time: _timestamp_pb2.Timestamp
    def __init__(self, settlement_batch_id: _Optional[str] = ..., settlement_reference: _Optional[str] = ..., ledger_posting_id: _Optional[str] = ..., payment_count: _Optional[int] = ..., net_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., settle_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SettlementBatchFailed(_message.Message):
    __slots__ = ("settlement_batch_id", "failure_reason", "fail_time")
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    FAIL_TIME_FIELD_NUMBER: _ClassVar[int]
    settlement_batch_id: str
    failure_reason: str
    fail_time: _timestamp_pb2.Timestamp
    def __init__(self, settlement_batch_id: _Optional[str] = ..., failure_reason: _Optional[str] = ..., fail_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
