from fintech.risk.v1 import aml_assessment_pb2 as _aml_assessment_pb2
from fintech.risk.v1 import fraud_assessment_pb2 as _fraud_assessment_pb2
from fintech.risk.v1 import transaction_pb2 as _transaction_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import visibility_pb2 as _visibility_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScreenTransactionRequest(_message.Message):
    __slots__ = ("transaction",)
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    transaction: _transaction_pb2.Transaction
    def __init__(self, transaction: _Optional[_Union[_transaction_pb2.Transaction, _Mapping]] = ...) -> None: ...

class ScreenTransactionResponse(_message.Message):
    __slots__ = ("fraud_assessment", "aml_assessment")
    FRAUD_ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    AML_ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    fraud_assessment: _fraud_assessment_pb2.FraudAssessment
    aml_assessment: _aml_assessment_pb2.AmlAssessment
    def __init__(self, fraud_assessment: _Optional[_Union[_fraud_assessment_pb2.FraudAssessment, _Mapping]] = ..., aml_assessment: _Optional[_Union[_aml_assessment_pb2.AmlAssessment, _Mapping]] = ...) -> None: ...
