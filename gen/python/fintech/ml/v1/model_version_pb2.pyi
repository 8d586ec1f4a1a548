import datetime

from fintech.ml.v1 import feature_value_pb2 as _feature_value_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_STAGE_UNSPECIFIED: _ClassVar[ModelStage]
    MODEL_STAGE_REGISTERED: _ClassVar[ModelStage]
    MODEL_STAGE_SHADOW: _ClassVar[ModelStage]
    MODEL_STAGE_CANARY: _ClassVar[ModelStage]
    MODEL_STAGE_PRODUCTION: _ClassVar[ModelStage]
    MODEL_STAGE_ARCHIVED: _ClassVar[ModelStage]

class ModelFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_FORMAT_UNSPECIFIED: _ClassVar[ModelFormat]
    MODEL_FORMAT_ONNX: _ClassVar[ModelFormat]
    MODEL_FORMAT_TENSORRT_PLAN: _ClassVar[ModelFormat]
    MODEL_FORMAT_TORCHSCRIPT: _ClassVar[ModelFormat]
    MODEL_FORMAT_TENSORFLOW_SAVEDMODEL: _ClassVar[ModelFormat]
    MODEL_FORMAT_FIL: _ClassVar[ModelFormat]

class TensorDataType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TENSOR_DATA_TYPE_UNSPECIFIED: _ClassVar[TensorDataType]
    TENSOR_DATA_TYPE_BOOL: _ClassVar[TensorDataType]
    TENSOR_DATA_TYPE_INT32: _ClassVar[TensorDataType]
    TENSOR_DATA_TYPE_INT64: _ClassVar[TensorDataType]
    TENSOR_DATA_TYPE_FP16: _ClassVar[TensorDataType]
    TENSOR_DATA_TYPE_FP32: _ClassVar[TensorDataType]
    TENSOR_DATA_TYPE_FP64: _ClassVar[TensorDataType]
    TENSOR_DATA_TYPE_BYTES: _ClassVar[TensorDataType]

class ThresholdComparison(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    THRESHOLD_COMPARISON_UNSPECIFIED: _ClassVar[ThresholdComparison]
    THRESHOLD_COMPARISON_AT_LEAST: _ClassVar[ThresholdComparison]
    THRESHOLD_COMPARISON_AT_MOST: _ClassVar[ThresholdComparison]
MODEL_STAGE_UNSPECIFIED: ModelStage
MODEL_STAGE_REGISTERED: ModelStage
MODEL_STAGE_SHADOW: ModelStage
MODEL_STAGE_CANARY: ModelStage
MODEL_STAGE_PRODUCTION: ModelStage
MODEL_STAGE_ARCHIVED: ModelStage
MODEL_FORMAT_UNSPECIFIED: ModelFormat
MODEL_FORMAT_ONNX: ModelFormat
MODEL_FORMAT_TENSORRT_PLAN: ModelFormat
MODEL_FORMAT_TORCHSCRIPT: ModelFormat
MODEL_FORMAT_TENSORFLOW_SAVEDMODEL: ModelFormat
MODEL_FORMAT_FIL: ModelFormat
TENSOR_DATA_TYPE_UNSPECIFIED: TensorDataType
TENSOR_DATA_TYPE_BOOL: TensorDataType
TENSOR_DATA_TYPE_INT32: TensorDataType
TENSOR_DATA_TYPE_INT64: TensorDataType
TENSOR_DATA_TYPE_FP16: TensorDataType
TENSOR_DATA_TYPE_FP32: TensorDataType
TENSOR_DATA_TYPE_FP64: TensorDataType
TENSOR_DATA_TYPE_BYTES: TensorDataType
THRESHOLD_COMPARISON_UNSPECIFIED: ThresholdComparison
THRESHOLD_COMPARISON_AT_LEAST: ThresholdComparison
THRESHOLD_COMPARISON_AT_MOST: ThresholdComparison

class ModelVersion(_message.Message):
    __slots__ = ("model_version_id", "model_name", "version", "artifact_uri", "artifact_digest", "model_format", "framework", "signature", "decision_threshold", "training_data", "validation_metrics", "model_card", "model_card_uri", "description", "stage", "canary_traffic_percent", "created_by", "create_time", "stage_change_time", "etag")
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_URI_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_DIGEST_FIELD_NUMBER: _ClassVar[int]
    MODEL_FORMAT_FIELD_NUMBER: _ClassVar[int]
    FRAMEWORK_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    DECISION_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TRAINING_DATA_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_METRICS_FIELD_NUMBER: _ClassVar[int]
    MODEL_CARD_FIELD_NUMBER: _ClassVar[int]
    MODEL_CARD_URI_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    CANARY_TRAFFIC_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    STAGE_CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    model_version_id: str
    model_name: str
    version: str
    artifact_uri: str
    artifact_digest: str
    model_format: ModelFormat
    framework: str
    signature: ModelSignature
    decision_threshold: float
    training_data: TrainingData
    validation_metrics: ValidationMetrics
    model_card: str
    model_card_uri: str
    description: str
    stage: ModelStage
    canary_traffic_percent: int
    created_by: str
    create_time: _timestamp_pb2.Timestamp
    stage_change_time: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, model_version_id: _Optional[str] = ..., model_name: _Optional[str] = ..., version: _Optional[str] = ..., artifact_uri: _Optional[str] = ..., artifact_digest: _Optional[str] = ..., model_format: _Optional[_Union[ModelFormat, str]] = ..., framework: _Optional[str] = ..., signature: _Optional[_Union[ModelSignature, _Mapping]] = ..., decision_threshold: _Optional[float] = ..., training_data: _Optional[_Union[TrainingData, _Mapping]] = ..., validation_metrics: _Optional[_Union[ValidationMetrics, _Mapping]] = ..., model_card: _Optional[str] = ..., model_card_uri: _Optional[str] = ..., description: _Optional[str] = ..., stage: _Optional[_Union[ModelStage, str]] = ..., canary_traffic_percent: _Optional[int] = ..., created_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stage_change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class ModelSignature(_message.Message):
    __slots__ = ("input_features", "input_tensors", "output_tensors", "class_labels")
    INPUT_FEATURES_FIELD_NUMBER: _ClassVar[int]
    INPUT_TENSORS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TENSORS_FIELD_NUMBER: _ClassVar[int]
    CLASS_LABELS_FIELD_NUMBER: _ClassVar[int]
    input_features: _containers.RepeatedCompositeFieldContainer[InputFeature]
    input_tensors: _containers.RepeatedCompositeFieldContainer[TensorSpec]
    output_tensors: _containers.RepeatedCompositeFieldContainer[TensorSpec]
    class_labels: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, input_features: _Optional[_Iterable[_Union[InputFeature, _Mapping]]] = ..., input_tensors: _Optional[_Iterable[_Union[TensorSpec, _Mapping]]] = ..., output_tensors: _Optional[_Iterable[_Union[TensorSpec, _Mapping]]] = ..., class_labels: _Optional[_Iterable[str]] = ...) -> None: ...

class InputFeature(_message.Message):
    __slots__ = ("feature_name", "value_type", "allow_missing", "currency_code", "description")
    FEATURE_NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ALLOW_MISSING_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    feature_name: str
    value_type: _feature_value_pb2.FeatureValueType
    allow_missing: bool
    currency_code: str
    description: str
    def __init__(self, feature_name: _Optional[str] = ..., value_type: _Optional[_Union[_feature_value_pb2.FeatureValueType, str]] = ..., allow_missing: _Optional[bool] = ..., currency_code: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class TensorSpec(_message.Message):
    __slots__ = ("tensor_name", "data_type", "dims")
    TENSOR_NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    DIMS_FIELD_NUMBER: _ClassVar[int]
    tensor_name: str
    data_type: TensorDataType
    dims: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, tensor_name: _Optional[str] = ..., data_type: _Optional[_Union[TensorDataType, str]] = ..., dims: _Optional[_Iterable[int]] = ...) -> None: ...

class TimeWindow(_message.Message):
    __slots__ = ("start_time", "end_time")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TrainingData(_message.Message):
    __slots__ = ("window", "row_count", "positive_rate", "dataset_uri")
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_RATE_FIELD_NUMBER: _ClassVar[int]
    DATASET_URI_FIELD_NUMBER: _ClassVar[int]
    window: TimeWindow
    row_count: int
    positive_rate: float
    dataset_uri: str
    def __init__(self, window: _Optional[_Union[TimeWindow, _Mapping]] = ..., row_count: _Optional[int] = ..., positive_rate: _Optional[float] = ..., dataset_uri: _Optional[str] = ...) -> None: ...

class ValidationMetrics(_message.Message):
    __slots__ = ("roc_auc", "average_precision", "brier_score", "expected_calibration_error", "ks_statistic", "extra_metrics", "row_count", "window")
    class ExtraMetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ROC_AUC_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_PRECISION_FIELD_NUMBER: _ClassVar[int]
    BRIER_SCORE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CALIBRATION_ERROR_FIELD_NUMBER: _ClassVar[int]
    KS_STATISTIC_FIELD_NUMBER: _ClassVar[int]
    EXTRA_METRICS_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    roc_auc: float
    average_precision: float
    brier_score: float
    expected_calibration_error: float
    ks_statistic: float
    extra_metrics: _containers.ScalarMap[str, float]
    row_count: int
    window: TimeWindow
    def __init__(self, roc_auc: _Optional[float] = ..., average_precision: _Optional[float] = ..., brier_score: _Optional[float] = ..., expected_calibration_error: _Optional[float] = ..., ks_statistic: _Optional[float] = ..., extra_metrics: _Optional[_Mapping[str, float]] = ..., row_count: _Optional[int] = ..., window: _Optional[_Union[TimeWindow, _Mapping]] = ...) -> None: ...

class MetricCheck(_message.Message):
    __slots__ = ("metric", "value", "threshold", "comparison", "passed")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    COMPARISON_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    metric: str
    value: float
    threshold: float
    comparison: ThresholdComparison
    passed: bool
    def __init__(self, metric: _Optional[str] = ..., value: _Optional[float] = ..., threshold: _Optional[float] = ..., comparison: _Optional[_Union[ThresholdComparison, str]] = ..., passed: _Optional[bool] = ...) -> None: ...
