import datetime

from fintech.common.v1 import money_pb2 as _money_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureValueType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEATURE_VALUE_TYPE_UNSPECIFIED: _ClassVar[FeatureValueType]
    FEATURE_VALUE_TYPE_DOUBLE: _ClassVar[FeatureValueType]
    FEATURE_VALUE_TYPE_INT64: _ClassVar[FeatureValueType]
    FEATURE_VALUE_TYPE_STRING: _ClassVar[FeatureValueType]
    FEATURE_VALUE_TYPE_BOOL: _ClassVar[FeatureValueType]
    FEATURE_VALUE_TYPE_MONEY: _ClassVar[FeatureValueType]
    FEATURE_VALUE_TYPE_DURATION: _ClassVar[FeatureValueType]
FEATURE_VALUE_TYPE_UNSPECIFIED: FeatureValueType
FEATURE_VALUE_TYPE_DOUBLE: FeatureValueType
FEATURE_VALUE_TYPE_INT64: FeatureValueType
FEATURE_VALUE_TYPE_STRING: FeatureValueType
FEATURE_VALUE_TYPE_BOOL: FeatureValueType
FEATURE_VALUE_TYPE_MONEY: FeatureValueType
FEATURE_VALUE_TYPE_DURATION: FeatureValueType

class FeatureValue(_message.Message):
    __slots__ = ("double_value", "int64_value", "string_value", "bool_value", "money_value", "duration_value")
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT64_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    MONEY_VALUE_FIELD_NUMBER: _ClassVar[int]
    DURATION_VALUE_FIELD_NUMBER: _ClassVar[int]
    double_value: float
    int64_value: int
    string_value: str
    bool_value: bool
    money_value: _money_pb2.Money
    duration_value: _duration_pb2.Duration
    def __init__(self, double_value: _Optional[float] = ..., int64_value: _Optional[int] = ..., string_value: _Optional[str] = ..., bool_value: _Optional[bool] = ..., money_value: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., duration_value: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...
