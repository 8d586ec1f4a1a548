import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.risk.v1 import fraud_assessment_pb2 as _fraud_assessment_pb2
from fintech.risk.v1 import transaction_pb2 as _transaction_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import visibility_pb2 as _visibility_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EvaluateTransactionFraudRequest(_message.Message):
    __slots__ = ("transaction",)
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    transaction: _transaction_pb2.Transaction
    def __init__(self, transaction: _Optional[_Union[_transaction_pb2.Transaction, _Mapping]] = ...) -> None: ...

class EvaluateTransactionFraudResponse(_message.Message):
    __slots__ = ("fraud_assessment",)
    FRAUD_ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    fraud_assessment: _fraud_assessment_pb2.FraudAssessment
    def __init__(self, fraud_assessment: _Optional[_Union[_fraud_assessment_pb2.FraudAssessment, _Mapping]] = ...) -> None: ...

class RetrieveFraudAssessmentRequest(_message.Message):
    __slots__ = ("fraud_assessment_id",)
    FRAUD_ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    fraud_assessment_id: str
    def __init__(self, fraud_assessment_id: _Optional[str] = ...) -> None: ...

class RetrieveFraudAssessmentResponse(_message.Message):
    __slots__ = ("fraud_assessment",)
    FRAUD_ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    fraud_assessment: _fraud_assessment_pb2.FraudAssessment
    def __init__(self, fraud_assessment: _Optional[_Union[_fraud_assessment_pb2.FraudAssessment, _Mapping]] = ...) -> None: ...

class ListFraudAssessmentsRequest(_message.Message):
    __slots__ = ("decision", "customer_id", "payment_id", "start_time", "end_time", "page_size", "page_token")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    decision: _fraud_assessment_pb2.FraudDecision
    customer_id: str
    payment_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, decision: _Optional[_Union[_fraud_assessment_pb2.FraudDecision, str]] = ..., customer_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFraudAssessmentsResponse(_message.Message):
    __slots__ = ("fraud_assessments", "next_page_token")
    FRAUD_ASSESSMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    fraud_assessments: _containers.RepeatedCompositeFieldContainer[_fraud_assessment_pb2.FraudAssessment]
    next_page_token: str
    def __init__(self, fraud_assessments: _Optional[_Iterable[_Union[_fraud_assessment_pb2.FraudAssessment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
