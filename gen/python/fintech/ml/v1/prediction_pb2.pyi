import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Prediction(_message.Message):
    __slots__ = ("prediction_id", "score", "predicted_label", "class_probabilities", "contributions", "contribution_base_value")
    class ClassProbabilitiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    PREDICTION_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_LABEL_FIELD_NUMBER: _ClassVar[int]
    CLASS_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_BASE_VALUE_FIELD_NUMBER: _ClassVar[int]
    prediction_id: str
    score: float
    predicted_label: str
    class_probabilities: _containers.ScalarMap[str, float]
    contributions: _containers.RepeatedCompositeFieldContainer[FeatureContribution]
    contribution_base_value: float
    def __init__(self, prediction_id: _Optional[str] = ..., score: _Optional[float] = ..., predicted_label: _Optional[str] = ..., class_probabilities: _Optional[_Mapping[str, float]] = ..., contributions: _Optional[_Iterable[_Union[FeatureContribution, _Mapping]]] = ..., contribution_base_value: _Optional[float] = ...) -> None: ...

class FeatureContribution(_message.Message):
    __slots__ = ("feature_name", "contribution")
    FEATURE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    feature_name: str
    contribution: float
    def __init__(self, feature_name: _Optional[str] = ..., contribution: _Optional[float] = ...) -> None: ...

class ShadowScoring(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    def __init__(self, model_version: _Optional[str] = ...) -> None: ...

class ShadowPrediction(_message.Message):
    __slots__ = ("model_version", "score", "predicted_label", "inference_latency")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_LABEL_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_LATENCY_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    score: float
    predicted_label: str
    inference_latency: _duration_pb2.Duration
    def __init__(self, model_version: _Optional[str] = ..., score: _Optional[float] = ..., predicted_label: _Optional[str] = ..., inference_latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...
