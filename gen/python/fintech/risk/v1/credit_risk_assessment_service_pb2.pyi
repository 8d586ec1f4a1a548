from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.risk.v1 import credit_assessment_pb2 as _credit_assessment_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EvaluateCreditRiskRequest(_message.Message):
    __slots__ = ("application", "request_id")
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    application: _credit_assessment_pb2.CreditApplication
    request_id: str
    def __init__(self, application: _Optional[_Union[_credit_assessment_pb2.CreditApplication, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class EvaluateCreditRiskResponse(_message.Message):
    __slots__ = ("credit_assessment",)
    CREDIT_ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    credit_assessment: _credit_assessment_pb2.CreditAssessment
    def __init__(self, credit_assessment: _Optional[_Union[_credit_assessment_pb2.CreditAssessment, _Mapping]] = ...) -> None: ...

class RetrieveCreditAssessmentRequest(_message.Message):
    __slots__ = ("credit_assessment_id",)
    CREDIT_ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    credit_assessment_id: str
    def __init__(self, credit_assessment_id: _Optional[str] = ...) -> None: ...

class RetrieveCreditAssessmentResponse(_message.Message):
    __slots__ = ("credit_assessment",)
    CREDIT_ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    credit_assessment: _credit_assessment_pb2.CreditAssessment
    def __init__(self, credit_assessment: _Optional[_Union[_credit_assessment_pb2.CreditAssessment, _Mapping]] = ...) -> None: ...
