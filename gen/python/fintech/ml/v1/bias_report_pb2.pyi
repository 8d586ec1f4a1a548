import datetime

from fintech.ml.v1 import model_version_pb2 as _model_version_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BiasDataSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BIAS_DATA_SOURCE_UNSPECIFIED: _ClassVar[BiasDataSource]
    BIAS_DATA_SOURCE_VALIDATION_DATA: _ClassVar[BiasDataSource]
    BIAS_DATA_SOURCE_SERVED_PREDICTIONS: _ClassVar[BiasDataSource]

class FourFifthsVerdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FOUR_FIFTHS_VERDICT_UNSPECIFIED: _ClassVar[FourFifthsVerdict]
    FOUR_FIFTHS_VERDICT_PASS: _ClassVar[FourFifthsVerdict]
    FOUR_FIFTHS_VERDICT_FAIL: _ClassVar[FourFifthsVerdict]
    FOUR_FIFTHS_VERDICT_INSUFFICIENT_DATA: _ClassVar[FourFifthsVerdict]
BIAS_DATA_SOURCE_UNSPECIFIED: BiasDataSource
BIAS_DATA_SOURCE_VALIDATION_DATA: BiasDataSource
BIAS_DATA_SOURCE_SERVED_PREDICTIONS: BiasDataSource
FOUR_FIFTHS_VERDICT_UNSPECIFIED: FourFifthsVerdict
FOUR_FIFTHS_VERDICT_PASS: FourFifthsVerdict
FOUR_FIFTHS_VERDICT_FAIL: FourFifthsVerdict
FOUR_FIFTHS_VERDICT_INSUFFICIENT_DATA: FourFifthsVerdict

class BiasReport(_message.Message):
    __slots__ = ("bias_report_id", "model_version_id", "model_name", "model_version", "data_source", "window", "decision_threshold", "four_fifths_threshold", "min_group_size", "attributes", "verdict", "generate_time")
    BIAS_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    DECISION_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    FOUR_FIFTHS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    MIN_GROUP_SIZE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    bias_report_id: str
    model_version_id: str
    model_name: str
    model_version: str
    data_source: BiasDataSource
    window: _model_version_pb2.TimeWindow
    decision_threshold: float
    four_fifths_threshold: float
    min_group_size: int
    attributes: _containers.RepeatedCompositeFieldContainer[AttributeBias]
    verdict: FourFifthsVerdict
    generate_time: _timestamp_pb2.Timestamp
    def __init__(self, bias_report_id: _Optional[str] = ..., model_version_id: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., data_source: _Optional[_Union[BiasDataSource, str]] = ..., window: _Optional[_Union[_model_version_pb2.TimeWindow, _Mapping]] = ..., decision_threshold: _Optional[float] = ..., four_fifths_threshold: _Optional[float] = ..., min_group_size: _Optional[int] = ..., attributes: _Optional[_Iterable[_Union[AttributeBias, _Mapping]]] = ..., verdict: _Optional[_Union[FourFifthsVerdict, str]] = ..., generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AttributeBias(_message.Message):
    __slots__ = ("attribute", "reference_group", "groups", "min_disparate_impact_ratio", "verdict")
    ATTRIBUTE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_GROUP_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    MIN_DISPARATE_IMPACT_RATIO_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    attribute: str
    reference_group: str
    groups: _containers.RepeatedCompositeFieldContainer[GroupOutcomeRates]
    min_disparate_impact_ratio: float
    verdict: FourFifthsVerdict
    def __init__(self, attribute: _Optional[str] = ..., reference_group: _Optional[str] = ..., groups: _Optional[_Iterable[_Union[GroupOutcomeRates, _Mapping]]] = ..., min_disparate_impact_ratio: _Optional[float] = ..., verdict: _Optional[_Union[FourFifthsVerdict, str]] = ...) -> None: ...

class GroupOutcomeRates(_message.Message):
    __slots__ = ("group", "instance_count", "approval_rate", "false_positive_rate", "false_negative_rate", "disparate_impact_ratio", "verdict")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_RATE_FIELD_NUMBER: _ClassVar[int]
    FALSE_POSITIVE_RATE_FIELD_NUMBER: _ClassVar[int]
    FALSE_NEGATIVE_RATE_FIELD_NUMBER: _ClassVar[int]
    DISPARATE_IMPACT_RATIO_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    group: str
    instance_count: int
    approval_rate: float
    false_positive_rate: float
    false_negative_rate: float
    disparate_impact_ratio: float
    verdict: FourFifthsVerdict
    def __init__(self, group: _Optional[str] = ..., instance_count: _Optional[int] = ..., approval_rate: _Optional[float] = ..., false_positive_rate: _Optional[float] = ..., false_negative_rate: _Optional[float] = ..., disparate_impact_ratio: _Optional[float] = ..., verdict: _Optional[_Union[FourFifthsVerdict, str]] = ...) -> None: ...
