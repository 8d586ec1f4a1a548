import datetime

from fintech.common.v1 import event_envelope_pb2 as _event_envelope_pb2
from fintech.ml.v1 import bias_report_pb2 as _bias_report_pb2
from fintech.ml.v1 import drift_report_pb2 as _drift_report_pb2
from fintech.ml.v1 import model_version_pb2 as _model_version_pb2
from fintech.ml.v1 import prediction_pb2 as _prediction_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelVersionRegistered(_message.Message):
    __slots__ = ("model_version_id", "model_name", "model_version", "artifact_uri", "artifact_digest", "model_format", "signature", "decision_threshold", "training_data", "validation_metrics", "model_card_uri", "created_by")
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_URI_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_DIGEST_FIELD_NUMBER: _ClassVar[int]
    MODEL_FORMAT_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    DECISION_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TRAINING_DATA_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_METRICS_FIELD_NUMBER: _ClassVar[int]
    MODEL_CARD_URI_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    model_version_id: str
    model_name: str
    model_version: str
    artifact_uri: str
    artifact_digest: str
    model_format: _model_version_pb2.ModelFormat
    signature: _model_version_pb2.ModelSignature
    decision_threshold: float
    training_data: _model_version_pb2.TrainingData
    validation_metrics: _model_version_pb2.ValidationMetrics
    model_card_uri: str
    created_by: str
    def __init__(self, model_version_id: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., artifact_uri: _Optional[str] = ..., artifact_digest: _Optional[str] = ..., model_format: _Optional[_Union[_model_version_pb2.ModelFormat, str]] = ..., signature: _Optional[_Union[_model_version_pb2.ModelSignature, _Mapping]] = ..., decision_threshold: _Optional[float] = ..., training_data: _Optional[_Union[_model_version_pb2.TrainingData, _Mapping]] = ..., validation_metrics: _Optional[_Union[_model_version_pb2.ValidationMetrics, _Mapping]] = ..., model_card_uri: _Optional[str] = ..., created_by: _Optional[str] = ...) -> None: ...

class ModelVersionPromoted(_message.Message):
    __slots__ = ("model_version_id", "model_name", "model_version", "from_stage", "to_stage", "canary_traffic_percent", "promoted_by", "reason", "metric_checks", "replaced_model_version")
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    FROM_STAGE_FIELD_NUMBER: _ClassVar[int]
    TO_STAGE_FIELD_NUMBER: _ClassVar[int]
    CANARY_TRAFFIC_PERCENT_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    METRIC_CHECKS_FIELD_NUMBER: _ClassVar[int]
    REPLACED_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version_id: str
    model_name: str
    model_version: str
    from_stage: _model_version_pb2.ModelStage
    to_stage: _model_version_pb2.ModelStage
    canary_traffic_percent: int
    promoted_by: str
    reason: str
    metric_checks: _containers.RepeatedCompositeFieldContainer[_model_version_pb2.MetricCheck]
    replaced_model_version: str
    def __init__(self, model_version_id: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., from_stage: _Optional[_Union[_model_version_pb2.ModelStage, str]] = ..., to_stage: _Optional[_Union[_model_version_pb2.ModelStage, str]] = ..., canary_traffic_percent: _Optional[int] = ..., promoted_by: _Optional[str] = ..., reason: _Optional[str] = ..., metric_checks: _Optional[_Iterable[_Union[_model_version_pb2.MetricCheck, _Mapping]]] = ..., replaced_model_version: _Optional[str] = ...) -> None: ...

class PredictionServed(_message.Message):
    __slots__ = ("prediction_id", "request_id", "model_name", "model_version", "stage", "score", "predicted_label", "inference_latency", "entity_hash", "caller", "shadow_predictions")
    PREDICTION_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_LABEL_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_LATENCY_FIELD_NUMBER: _ClassVar[int]
    ENTITY_HASH_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    SHADOW_PREDICTIONS_FIELD_NUMBER: _ClassVar[int]
    prediction_id: str
    request_id: str
    model_name: str
    model_version: str
    stage: _model_version_pb2.ModelStage
    score: float
    predicted_label: str
    inference_latency: _duration_pb2.Duration
    entity_hash: str
    caller: str
    shadow_predictions: _containers.RepeatedCompositeFieldContainer[_prediction_pb2.ShadowPrediction]
    def __init__(self, prediction_id: _Optional[str] = ..., request_id: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., stage: _Optional[_Union[_model_version_pb2.ModelStage, str]] = ..., score: _Optional[float] = ..., predicted_label: _Optional[str] = ..., inference_latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., entity_hash: _Optional[str] = ..., caller: _Optional[str] = ..., shadow_predictions: _Optional[_Iterable[_Union[_prediction_pb2.ShadowPrediction, _Mapping]]] = ...) -> None: ...

class ModelDriftDetected(_message.Message):
    __slots__ = ("drift_report_id", "model_version_id", "model_name", "model_version", "stage", "current_window", "verdict", "drifted_features", "score_drift")
    DRIFT_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_WINDOW_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    SCORE_DRIFT_FIELD_NUMBER: _ClassVar[int]
    drift_report_id: str
    model_version_id: str
    model_name: str
    model_version: str
    stage: _model_version_pb2.ModelStage
    current_window: _model_version_pb2.TimeWindow
    verdict: _drift_report_pb2.DriftVerdict
    drifted_features: _containers.RepeatedCompositeFieldContainer[_drift_report_pb2.FeatureDrift]
    score_drift: _drift_report_pb2.FeatureDrift
    def __init__(self, drift_report_id: _Optional[str] = ..., model_version_id: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., stage: _Optional[_Union[_model_version_pb2.ModelStage, str]] = ..., current_window: _Optional[_Union[_model_version_pb2.TimeWindow, _Mapping]] = ..., verdict: _Optional[_Union[_drift_report_pb2.DriftVerdict, str]] = ..., drifted_features: _Optional[_Iterable[_Union[_drift_report_pb2.FeatureDrift, _Mapping]]] = ..., score_drift: _Optional[_Union[_drift_report_pb2.FeatureDrift, _Mapping]] = ...) -> None: ...

class BiasReportGenerated(_message.Message):
    __slots__ = ("bias_report_id", "model_version_id", "model_name", "model_version", "data_source", "window", "verdict", "attributes")
    BIAS_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    DATA_SOURCE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    bias_report_id: str
    model_version_id: str
    model_name: str
    model_version: str
    data_source: _bias_report_pb2.BiasDataSource
    window: _model_version_pb2.TimeWindow
    verdict: _bias_report_pb2.FourFifthsVerdict
    attributes: _containers.RepeatedCompositeFieldContainer[_bias_report_pb2.AttributeBias]
    def __init__(self, bias_report_id: _Optional[str] = ..., model_version_id: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., data_source: _Optional[_Union[_bias_report_pb2.BiasDataSource, str]] = ..., window: _Optional[_Union[_model_version_pb2.TimeWindow, _Mapping]] = ..., verdict: _Optional[_Union[_bias_report_pb2.FourFifthsVerdict, str]] = ..., attributes: _Optional[_Iterable[_Union[_bias_report_pb2.AttributeBias, _Mapping]]] = ...) -> None: ...
