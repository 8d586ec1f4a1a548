from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.ml.v1 import bias_report_pb2 as _bias_report_pb2
from fintech.ml.v1 import drift_report_pb2 as _drift_report_pb2
from fintech.ml.v1 import model_version_pb2 as _model_version_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterModelVersionRequest(_message.Message):
    __slots__ = ("model_name", "model_version")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: _model_version_pb2.ModelVersion
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class RegisterModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class RetrieveModelVersionRequest(_message.Message):
    __slots__ = ("model_name", "model_version")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: str
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[str] = ...) -> None: ...

class RetrieveModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class ListModelVersionsRequest(_message.Message):
    __slots__ = ("model_name", "stage", "page_size", "page_token")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    stage: _model_version_pb2.ModelStage
    page_size: int
    page_token: str
    def __init__(self, model_name: _Optional[str] = ..., stage: _Optional[_Union[_model_version_pb2.ModelStage, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListModelVersionsResponse(_message.Message):
    __slots__ = ("model_versions", "next_page_token")
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    model_versions: _containers.RepeatedCompositeFieldContainer[_model_version_pb2.ModelVersion]
    next_page_token: str
    def __init__(self, model_versions: _Optional[_Iterable[_Union[_model_version_pb2.ModelVersion, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PromoteModelVersionRequest(_message.Message):
    __slots__ = ("model_name", "model_version", "target_stage", "canary_traffic_percent", "reason", "etag")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    TARGET_STAGE_FIELD_NUMBER: _ClassVar[int]
    CANARY_TRAFFIC_PERCENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: str
    target_stage: _model_version_pb2.ModelStage
    canary_traffic_percent: int
    reason: str
    etag: str
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., target_stage: _Optional[_Union[_model_version_pb2.ModelStage, str]] = ..., canary_traffic_percent: _Optional[int] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class PromoteModelVersionResponse(_message.Message):
    __slots__ = ("model_version", "previous_stage", "metric_checks", "replaced_model_version")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STAGE_FIELD_NUMBER: _ClassVar[int]
    METRIC_CHECKS_FIELD_NUMBER: _ClassVar[int]
    REPLACED_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _model_version_pb2.ModelVersion
    previous_stage: _model_version_pb2.ModelStage
    metric_checks: _containers.RepeatedCompositeFieldContainer[_model_version_pb2.MetricCheck]
    replaced_model_version: str
    def __init__(self, model_version: _Optional[_Union[_model_version_pb2.ModelVersion, _Mapping]] = ..., previous_stage: _Optional[_Union[_model_version_pb2.ModelStage, str]] = ..., metric_checks: _Optional[_Iterable[_Union[_model_version_pb2.MetricCheck, _Mapping]]] = ..., replaced_model_version: _Optional[str] = ...) -> None: ...

class RetrieveBiasReportRequest(_message.Message):
    __slots__ = ("model_name", "model_version", "bias_report_id")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    BIAS_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: str
    bias_report_id: str
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., bias_report_id: _Optional[str] = ...) -> None: ...

class RetrieveBiasReportResponse(_message.Message):
    __slots__ = ("bias_report",)
    BIAS_REPORT_FIELD_NUMBER: _ClassVar[int]
    bias_report: _bias_report_pb2.BiasReport
    def __init__(self, bias_report: _Optional[_Union[_bias_report_pb2.BiasReport, _Mapping]] = ...) -> None: ...

class RetrieveDriftReportRequest(_message.Message):
    __slots__ = ("model_name", "model_version", "drift_report_id")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    DRIFT_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: str
    drift_report_id: str
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[str] = ..., drift_report_id: _Optional[str] = ...) -> None: ...

class RetrieveDriftReportResponse(_message.Message):
    __slots__ = ("drift_report",)
    DRIFT_REPORT_FIELD_NUMBER: _ClassVar[int]
    drift_report: _drift_report_pb2.DriftReport
    def __init__(self, drift_report: _Optional[_Union[_drift_report_pb2.DriftReport, _Mapping]] = ...) -> None: ...
