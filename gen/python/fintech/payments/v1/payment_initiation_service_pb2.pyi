import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.common.v1 import money_pb2 as _money_pb2
from fintech.payments.v1 import payment_pb2 as _payment_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.type import date_pb2 as _date_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InitiatePaymentRequest(_message.Message):
    __slots__ = ("idempotency_key", "debtor_account_id", "creditor_account_id", "creditor_external_account", "amount", "remittance_information", "end_to_end_id", "requested_execution_date", "channel", "client_fingerprint")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    DEBTOR_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITOR_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITOR_EXTERNAL_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REMITTANCE_INFORMATION_FIELD_NUMBER: _ClassVar[int]
    END_TO_END_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_EXECUTION_DATE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    debtor_account_id: str
    creditor_account_id: str
    creditor_external_account: _payment_pb2.ExternalAccount
    amount: _money_pb2.Money
    remittance_information: str
    end_to_end_id: str
    requested_execution_date: _date_pb2.Date
    channel: _payment_pb2.PaymentChannel
    client_fingerprint: _payment_pb2.ClientFingerprint
    def __init__(self, idempotency_key: _Optional[str] = ..., debtor_account_id: _Optional[str] = ..., creditor_account_id: _Optional[str] = ..., creditor_external_account: _Optional[_Union[_payment_pb2.ExternalAccount, _Mapping]] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., remittance_information: _Optional[str] = ..., end_to_end_id: _Optional[str] = ..., requested_execution_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., channel: _Optional[_Union[_payment_pb2.PaymentChannel, str]] = ..., client_fingerprint: _Optional[_Union[_payment_pb2.ClientFingerprint, _Mapping]] = ...) -> None: ...

class InitiatePaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: _payment_pb2.Payment
    def __init__(self, payment: _Optional[_Union[_payment_pb2.Payment, _Mapping]] = ...) -> None: ...

class RetrievePaymentRequest(_message.Message):
    __slots__ = ("payment_id",)
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    def __init__(self, payment_id: _Optional[str] = ...) -> None: ...

class RetrievePaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: _payment_pb2.Payment
    def __init__(self, payment: _Optional[_Union[_payment_pb2.Payment, _Mapping]] = ...) -> None: ...

class ListPaymentsRequest(_message.Message):
    __slots__ = ("customer_id", "account_id", "states", "start_time", "end_time", "settlement_batch_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    account_id: str
    states: _containers.RepeatedScalarFieldContainer[_payment_pb2.PaymentState]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    settlement_batch_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., account_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_payment_pb2.PaymentState, str]]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., settlement_batch_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPaymentsResponse(_message.Message):
    __slots__ = ("payments", "next_page_token")
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payments: _containers.RepeatedCompositeFieldContainer[_payment_pb2.Payment]
    next_page_token: str
    def __init__(self, payments: _Optional[_Iterable[_Union[_payment_pb2.Payment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelPaymentRequest(_message.Message):
    __slots__ = ("payment_id", "reason", "expected_version")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    reason: str
    expected_version: int
    def __init__(self, payment_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class CancelPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: _payment_pb2.Payment
    def __init__(self, payment: _Optional[_Union[_payment_pb2.Payment, _Mapping]] = ...) -> None: ...

class ControlPaymentRequest(_message.Message):
    __slots__ = ("payment_id", "decision", "note", "expected_version")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    decision: _payment_pb2.ReviewDecision
    note: str
    expected_version: int
    def __init__(self, payment_id: _Optional[str] = ..., decision: _Optional[_Union[_payment_pb2.ReviewDecision, str]] = ..., note: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ControlPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: _payment_pb2.Payment
    def __init__(self, payment: _Optional[_Union[_payment_pb2.Payment, _Mapping]] = ...) -> None: ...
