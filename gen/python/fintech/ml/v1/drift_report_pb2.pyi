import datetime

from fintech.ml.v1 import model_version_pb2 as _model_version_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DriftVerdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRIFT_VERDICT_UNSPECIFIED: _ClassVar[DriftVerdict]
    DRIFT_VERDICT_STABLE: _ClassVar[DriftVerdict]
    DRIFT_VERDICT_MODERATE: _ClassVar[DriftVerdict]
    DRIFT_VERDICT_SIGNIFICANT: _ClassVar[DriftVerdict]
    DRIFT_VERDICT_INSUFFICIENT_DATA: _ClassVar[DriftVerdict]
DRIFT_VERDICT_UNSPECIFIED: DriftVerdict
DRIFT_VERDICT_STABLE: DriftVerdict
DRIFT_VERDICT_MODERATE: DriftVerdict
DRIFT_VERDICT_SIGNIFICANT: DriftVerdict
DRIFT_VERDICT_INSUFFICIENT_DATA: DriftVerdict

class DriftReport(_message.Message):
    __slots__ = ("drift_report_id", "model_version_id", "model_name", "model_version", "baseline_window", "current_window", "baseline_count", "current_count", "moderate_threshold", "significant_threshold", "features", "score_drift", "verdict", "generate_time")
    DRIFT_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    BASELINE_WINDOW_FIELD_NUMBER: _ClassVar[int]
    CURRENT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    BASELINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    MODERATE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    SIGNIFICANT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    SCORE_DRIFT_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    drift_report_id: str
    model_version_id: str
    model_name: str
    model_version: str
    baseline_window: _model_version_pb2.TimeWindow
    current_window: _model_version_pb2.TimeWindow
    baseline_count: int
    current_count: int
    moderate_threshold: float
    significant_threshold: float
    features: _containers.RepeatedCompositeFieldContainer[FeatureDrift]
    score_drift: FeatureDrift
    verdict: DriftVerdict
    generate_time: _timestamp_pb2.Timestamp
    def __init__(self, drift_report_id: _Optional[str] = ..., model_version_id: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., baseline_window: _Optional[_Union[_model_version_pb2.TimeWindow, _Mapping]] = ..., current_window: _Optional[_Union[_model_version_pb2.TimeWindow, _Mapping]] = ..., baseline_count: _Optional[int] = ..., current_count: _Optional[int] = ..., moderate_threshold: _Optional[float] = ..., significant_threshold: _Optional[float] = ..., features: _Optional[_Iterable[_Union[FeatureDrift, _Mapping]]] = ..., score_drift: _Optional[_Union[FeatureDrift, _Mapping]] = ..., verdict: _Optional[_Union[DriftVerdict, str]] = ..., generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FeatureDrift(_message.Message):
    __slots__ = ("feature_name", "population_stability_index", "verdict", "buckets")
    FEATURE_NAME_FIELD_NUMBER: _ClassVar[int]
    POPULATION_STABILITY_INDEX_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    feature_name: str
    population_stability_index: float
    verdict: DriftVerdict
    buckets: _containers.RepeatedCompositeFieldContainer[DriftBucket]
    def __init__(self, feature_name: _Optional[str] = ..., population_stability_index: _Optional[float] = ..., verdict: _Optional[_Union[DriftVerdict, str]] = ..., buckets: _Optional[_Iterable[_Union[DriftBucket, _Mapping]]] = ...) -> None: ...

class DriftBucket(_message.Message):
    __slots__ = ("numeric_range", "category", "missing", "baseline_share", "current_share", "psi_contribution")
    NUMERIC_RANGE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    BASELINE_SHARE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_SHARE_FIELD_NUMBER: _ClassVar[int]
    PSI_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    numeric_range: NumericRange
    category: str
    missing: _empty_pb2.Empty
    baseline_share: float
    current_share: float
    psi_contribution: float
    def __init__(self, numeric_range: _Optional[_Union[NumericRange, _Mapping]] = ..., category: _Optional[str] = ..., missing: _Optional[_Union[_empty_pb2.Empty, _Mapping]] = ..., baseline_share: _Optional[float] = ..., current_share: _Optional[float] = ..., psi_contribution: _Optional[float] = ...) -> None: ...

class NumericRange(_message.Message):
    __slots__ = ("lower_bound", "upper_bound")
    LOWER_BOUND_FIELD_NUMBER: _ClassVar[int]
    UPPER_BOUND_FIELD_NUMBER: _ClassVar[int]
    lower_bound: float
    upper_bound: float
    def __init__(self, lower_bound: _Optional[float] = ..., upper_bound: _Optional[float] = ...) -> None: ...
