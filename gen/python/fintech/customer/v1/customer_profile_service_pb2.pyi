from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.customer.v1 import customer_pb2 as _customer_pb2
from fintech.customer.v1 import customer_profile_pb2 as _customer_profile_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RetrieveCustomerProfileRequest(_message.Message):
    __slots__ = ("customer_id", "pii_view")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PII_VIEW_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    pii_view: _customer_pb2.PiiView
    def __init__(self, customer_id: _Optional[str] = ..., pii_view: _Optional[_Union[_customer_pb2.PiiView, str]] = ...) -> None: ...

class RetrieveCustomerProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: _customer_profile_pb2.CustomerProfile
    def __init__(self, profile: _Optional[_Union[_customer_profile_pb2.CustomerProfile, _Mapping]] = ...) -> None: ...

class UpdateCustomerProfileRequest(_message.Message):
    __slots__ = ("profile", "update_mask", "customer_id")
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    profile: _customer_profile_pb2.CustomerProfile
    update_mask: _field_mask_pb2.FieldMask
    customer_id: str
    def __init__(self, profile: _Optional[_Union[_customer_profile_pb2.CustomerProfile, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., customer_id: _Optional[str] = ...) -> None: ...

class UpdateCustomerProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: _customer_profile_pb2.CustomerProfile
    def __init__(self, profile: _Optional[_Union[_customer_profile_pb2.CustomerProfile, _Mapping]] = ...) -> None: ...
