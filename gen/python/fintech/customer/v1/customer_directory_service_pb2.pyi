import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.customer.v1 import customer_pb2 as _customer_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterCustomerRequest(_message.Message):
    __slots__ = ("customer", "request_id")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    customer: _customer_pb2.Customer
    request_id: str
    def __init__(self, customer: _Optional[_Union[_customer_pb2.Customer, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RegisterCustomerResponse(_message.Message):
    __slots__ = ("customer",)
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    customer: _customer_pb2.Customer
    def __init__(self, customer: _Optional[_Union[_customer_pb2.Customer, _Mapping]] = ...) -> None: ...

class RetrieveCustomerRequest(_message.Message):
    __slots__ = ("customer_id", "pii_view")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PII_VIEW_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    pii_view: _customer_pb2.PiiView
    def __init__(self, customer_id: _Optional[str] = ..., pii_view: _Optional[_Union[_customer_pb2.PiiView, str]] = ...) -> None: ...

class RetrieveCustomerResponse(_message.Message):
    __slots__ = ("customer",)
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    customer: _customer_pb2.Customer
    def __init__(self, customer: _Optional[_Union[_customer_pb2.Customer, _Mapping]] = ...) -> None: ...

class UpdateCustomerRequest(_message.Message):
    __slots__ = ("customer", "update_mask", "customer_id")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    customer: _customer_pb2.Customer
    update_mask: _field_mask_pb2.FieldMask
    customer_id: str
    def __init__(self, customer: _Optional[_Union[_customer_pb2.Customer, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., customer_id: _Optional[str] = ...) -> None: ...

class UpdateCustomerResponse(_message.Message):
    __slots__ = ("customer",)
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    customer: _customer_pb2.Customer
    def __init__(self, customer: _Optional[_Union[_customer_pb2.Customer, _Mapping]] = ...) -> None: ...

class ListCustomersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "states", "branch_id", "min_create_time", "max_create_time", "pii_view")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    BRANCH_ID_FIELD_NUMBER: _ClassVar[int]
    MIN_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    MAX_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PII_VIEW_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    states: _containers.RepeatedScalarFieldContainer[_customer_pb2.CustomerState]
    branch_id: str
    min_create_time: _timestamp_pb2.Timestamp
    max_create_time: _timestamp_pb2.Timestamp
    pii_view: _customer_pb2.PiiView
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_customer_pb2.CustomerState, str]]] = ..., branch_id: _Optional[str] = ..., min_create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pii_view: _Optional[_Union[_customer_pb2.PiiView, str]] = ...) -> None: ...

class ListCustomersResponse(_message.Message):
    __slots__ = ("customers", "next_page_token")
    CUSTOMERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customers: _containers.RepeatedCompositeFieldContainer[_customer_pb2.Customer]
    next_page_token: str
    def __init__(self, customers: _Optional[_Iterable[_Union[_customer_pb2.Customer, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class EraseCustomerRequest(_message.Message):
    __slots__ = ("customer_id", "reason", "note", "etag", "request_id")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    reason: _customer_pb2.ErasureReason
    note: str
    etag: str
    request_id: str
    def __init__(self, customer_id: _Optional[str] = ..., reason: _Optional[_Union[_customer_pb2.ErasureReason, str]] = ..., note: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class EraseCustomerResponse(_message.Message):
    __slots__ = ("customer_id", "state", "erase_time")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ERASE_TIME_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    state: _customer_pb2.CustomerState
    erase_time: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., state: _Optional[_Union[_customer_pb2.CustomerState, str]] = ..., erase_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
