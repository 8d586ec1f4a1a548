import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.ml.v1 import feature_value_pb2 as _feature_value_pb2
from fintech.ml.v1 import model_version_pb2 as _model_version_pb2
from fintech.ml.v1 import prediction_pb2 as _prediction_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InferencePriority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INFERENCE_PRIORITY_UNSPECIFIED: _ClassVar[InferencePriority]
    INFERENCE_PRIORITY_REALTIME: _ClassVar[InferencePriority]
    INFERENCE_PRIORITY_BATCH: _ClassVar[InferencePriority]

class ServingState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVING_STATE_UNSPECIFIED: _ClassVar[ServingState]
    SERVING_STATE_NOT_LOADED: _ClassVar[ServingState]
    SERVING_STATE_LOADING: _ClassVar[ServingState]
    SERVING_STATE_READY: _ClassVar[ServingState]
    SERVING_STATE_DEGRADED: _ClassVar[ServingState]
    SERVING_STATE_UNLOADING: _ClassVar[ServingState]
    SERVING_STATE_FAILED: _ClassVar[ServingState]
INFERENCE_PRIORITY_UNSPECIFIED: InferencePriority
INFERENCE_PRIORITY_REALTIME: InferencePriority
INFERENCE_PRIORITY_BATCH: InferencePriority
SERVING_STATE_UNSPECIFIED: ServingState
SERVING_STATE_NOT_LOADED: ServingState
SERVING_STATE_LOADING: ServingState
SERVING_STATE_READY: ServingState
SERVING_STATE_DEGRADED: ServingState
SERVING_STATE_UNLOADING: ServingState
SERVING_STATE_FAILED: ServingState

class PredictRequest(_message.Message):
    __slots__ = ("model_name", "model_version", "instances", "request_id", "timeout", "priority", "include_contributions")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: str
    instances: _containers.RepeatedCompositeFieldContainer[PredictionInstance]
    request_id: str
    timeout: _duration_pb2.Duration
    priority: InferencePriority
    include_contributions: bool
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., instances: _Optional[_Iterable[_Union[PredictionInstance, _Mapping]]] = ..., request_id: _Optional[str] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., priority: _Optional[_Union[InferencePriority, str]] = ..., include_contributions: _Optional[bool] = ...) -> None: ...

class PredictionInstance(_message.Message):
    __slots__ = ("features", "entity_id")
    class FeaturesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _feature_value_pb2.FeatureValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_feature_value_pb2.FeatureValue, _Mapping]] = ...) -> None: ...
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    features: _containers.MessageMap[str, _feature_value_pb2.FeatureValue]
    entity_id: str
    def __init__(self, features: _Optional[_Mapping[str, _feature_value_pb2.FeatureValue]] = ..., entity_id: _Optional[str] = ...) -> None: ...

class PredictResponse(_message.Message):
    __slots__ = ("request_id", "model_name", "model_version", "stage", "predictions", "shadow_scorings", "inference_latency", "serve_time")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PREDICTIONS_FIELD_NUMBER: _ClassVar[int]
    SHADOW_SCORINGS_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_LATENCY_FIELD_NUMBER: _ClassVar[int]
    SERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    model_name: str
    model_version: str
    stage: _model_version_pb2.ModelStage
    predictions: _containers.RepeatedCompositeFieldContainer[_prediction_pb2.Prediction]
    shadow_scorings: _containers.RepeatedCompositeFieldContainer[_prediction_pb2.ShadowScoring]
    inference_latency: _duration_pb2.Duration
    serve_time: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., stage: _Optional[_Union[_model_version_pb2.ModelStage, str]] = ..., predictions: _Optional[_Iterable[_Union[_prediction_pb2.Prediction, _Mapping]]] = ..., shadow_scorings: _Optional[_Iterable[_Union[_prediction_pb2.ShadowScoring, _Mapping]]] = ..., inference_latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., serve_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RetrieveModelServingStatusRequest(_message.Message):
    __slots__ = ("model_name", "model_version")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: str
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[str] = ...) -> None: ...

class RetrieveModelServingStatusResponse(_message.Message):
    __slots__ = ("model_name", "ready", "versions")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    READY_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    ready: bool
    versions: _containers.RepeatedCompositeFieldContainer[VersionServingStatus]
    def __init__(self, model_name: _Optional[str] = ..., ready: _Optional[bool] = ..., versions: _Optional[_Iterable[_Union[VersionServingStatus, _Mapping]]] = ...) -> None: ...

class VersionServingStatus(_message.Message):
    __slots__ = ("model_version", "stage", "state", "ready_replica_count", "replica_count", "state_reason", "load_time", "check_time")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    READY_REPLICA_COUNT_FIELD_NUMBER: _ClassVar[int]
    REPLICA_COUNT_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_FIELD_NUMBER: _ClassVar[int]
    LOAD_TIME_FIELD_NUMBER: _ClassVar[int]
    CHECK_TIME_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    stage: _model_version_pb2.ModelStage
    state: ServingState
    ready_replica_count: int
    replica_count: int
    state_reason: str
    load_time: _timestamp_pb2.Timestamp
    check_time: _timestamp_pb2.Timestamp
    def __init__(self, model_version: _Optional[str] = ..., stage: _Optional[_Union[_model_version_pb2.ModelStage, str]] = ..., state: _Optional[_Union[ServingState, str]] = ..., ready_replica_count: _Optional[int] = ..., replica_count: _Optional[int] = ..., state_reason: _Optional[str] = ..., load_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., check_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
