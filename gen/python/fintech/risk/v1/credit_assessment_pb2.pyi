import datetime

from fintech.common.v1 import money_pb2 as _money_pb2
from fintech.risk.v1 import model_reference_pb2 as _model_reference_pb2
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

class CreditPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDIT_PURPOSE_UNSPECIFIED: _ClassVar[CreditPurpose]
    CREDIT_PURPOSE_DEBT_CONSOLIDATION: _ClassVar[CreditPurpose]
    CREDIT_PURPOSE_VEHICLE: _ClassVar[CreditPurpose]
    CREDIT_PURPOSE_HOME_IMPROVEMENT: _ClassVar[CreditPurpose]
    CREDIT_PURPOSE_EDUCATION: _ClassVar[CreditPurpose]
    CREDIT_PURPOSE_MEDICAL: _ClassVar[CreditPurpose]
    CREDIT_PURPOSE_MAJOR_PURCHASE: _ClassVar[CreditPurpose]
    CREDIT_PURPOSE_BUSINESS: _ClassVar[CreditPurpose]
    CREDIT_PURPOSE_OTHER: _ClassVar[CreditPurpose]

class EmploymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EMPLOYMENT_STATUS_UNSPECIFIED: _ClassVar[EmploymentStatus]
    EMPLOYMENT_STATUS_FULL_TIME: _ClassVar[EmploymentStatus]
    EMPLOYMENT_STATUS_PART_TIME: _ClassVar[EmploymentStatus]
    EMPLOYMENT_STATUS_SELF_EMPLOYED: _ClassVar[EmploymentStatus]
    EMPLOYMENT_STATUS_UNEMPLOYED: _ClassVar[EmploymentStatus]
    EMPLOYMENT_STATUS_RETIRED: _ClassVar[EmploymentStatus]
    EMPLOYMENT_STATUS_STUDENT: _ClassVar[EmploymentStatus]

class HousingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOUSING_STATUS_UNSPECIFIED: _ClassVar[HousingStatus]
    HOUSING_STATUS_OWNER: _ClassVar[HousingStatus]
    HOUSING_STATUS_MORTGAGED: _ClassVar[HousingStatus]
    HOUSING_STATUS_RENTING: _ClassVar[HousingStatus]
    HOUSING_STATUS_OTHER: _ClassVar[HousingStatus]

class AgeBand(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGE_BAND_UNSPECIFIED: _ClassVar[AgeBand]
    AGE_BAND_FROM_18_TO_24: _ClassVar[AgeBand]
    AGE_BAND_FROM_25_TO_34: _ClassVar[AgeBand]
    AGE_BAND_FROM_35_TO_44: _ClassVar[AgeBand]
    AGE_BAND_FROM_45_TO_54: _ClassVar[AgeBand]
    AGE_BAND_FROM_55_TO_64: _ClassVar[AgeBand]
    AGE_BAND_FROM_65: _ClassVar[AgeBand]

class CreditGrade(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDIT_GRADE_UNSPECIFIED: _ClassVar[CreditGrade]
    CREDIT_GRADE_A: _ClassVar[CreditGrade]
    CREDIT_GRADE_B: _ClassVar[CreditGrade]
    CREDIT_GRADE_C: _ClassVar[CreditGrade]
    CREDIT_GRADE_D: _ClassVar[CreditGrade]
    CREDIT_GRADE_E: _ClassVar[CreditGrade]
    CREDIT_GRADE_F: _ClassVar[CreditGrade]
    CREDIT_GRADE_G: _ClassVar[CreditGrade]

class CreditDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDIT_DECISION_UNSPECIFIED: _ClassVar[CreditDecision]
    CREDIT_DECISION_APPROVE: _ClassVar[CreditDecision]
    CREDIT_DECISION_REFER: _ClassVar[CreditDecision]
    CREDIT_DECISION_DECLINE: _ClassVar[CreditDecision]

class AdverseActionReasonCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADVERSE_ACTION_REASON_CODE_UNSPECIFIED: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_HIGH_DEBT_TO_INCOME: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_INSUFFICIENT_INCOME: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_AMOUNT_TOO_HIGH: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_SHORT_CREDIT_HISTORY: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_DELINQUENCIES: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_PREVIOUS_DEFAULTS: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_TOO_MANY_CREDIT_LINES: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_EMPLOYMENT_STATUS: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_SHORT_EMPLOYMENT: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_TERM_TOO_LONG: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_PURPOSE: _ClassVar[AdverseActionReasonCode]
    ADVERSE_ACTION_REASON_CODE_INSUFFICIENT_DATA: _ClassVar[AdverseActionReasonCode]
CREDIT_PURPOSE_UNSPECIFIED: CreditPurpose
CREDIT_PURPOSE_DEBT_CONSOLIDATION: CreditPurpose
CREDIT_PURPOSE_VEHICLE: CreditPurpose
CREDIT_PURPOSE_HOME_IMPROVEMENT: CreditPurpose
CREDIT_PURPOSE_EDUCATION: CreditPurpose
CREDIT_PURPOSE_MEDICAL: CreditPurpose
CREDIT_PURPOSE_MAJOR_PURCHASE: CreditPurpose
CREDIT_PURPOSE_BUSINESS: CreditPurpose
CREDIT_PURPOSE_OTHER: CreditPurpose
EMPLOYMENT_STATUS_UNSPECIFIED: EmploymentStatus
EMPLOYMENT_STATUS_FULL_TIME: EmploymentStatus
EMPLOYMENT_STATUS_PART_TIME: EmploymentStatus
EMPLOYMENT_STATUS_SELF_EMPLOYED: EmploymentStatus
EMPLOYMENT_STATUS_UNEMPLOYED: EmploymentStatus
EMPLOYMENT_STATUS_RETIRED: EmploymentStatus
EMPLOYMENT_STATUS_STUDENT: EmploymentStatus
HOUSING_STATUS_UNSPECIFIED: HousingStatus
HOUSING_STATUS_OWNER: HousingStatus
HOUSING_STATUS_MORTGAGED: HousingStatus
HOUSING_STATUS_RENTING: HousingStatus
HOUSING_STATUS_OTHER: HousingStatus
AGE_BAND_UNSPECIFIED: AgeBand
AGE_BAND_FROM_18_TO_24: AgeBand
AGE_BAND_FROM_25_TO_34: AgeBand
AGE_BAND_FROM_35_TO_44: AgeBand
AGE_BAND_FROM_45_TO_54: AgeBand
AGE_BAND_FROM_55_TO_64: AgeBand
AGE_BAND_FROM_65: AgeBand
CREDIT_GRADE_UNSPECIFIED: CreditGrade
CREDIT_GRADE_A: CreditGrade
CREDIT_GRADE_B: CreditGrade
CREDIT_GRADE_C: CreditGrade
CREDIT_GRADE_D: CreditGrade
CREDIT_GRADE_E: CreditGrade
CREDIT_GRADE_F: CreditGrade
CREDIT_GRADE_G: CreditGrade
CREDIT_DECISION_UNSPECIFIED: CreditDecision
CREDIT_DECISION_APPROVE: CreditDecision
CREDIT_DECISION_REFER: CreditDecision
CREDIT_DECISION_DECLINE: CreditDecision
ADVERSE_ACTION_REASON_CODE_UNSPECIFIED: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_HIGH_DEBT_TO_INCOME: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_INSUFFICIENT_INCOME: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_AMOUNT_TOO_HIGH: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_SHORT_CREDIT_HISTORY: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_DELINQUENCIES: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_PREVIOUS_DEFAULTS: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_TOO_MANY_CREDIT_LINES: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_EMPLOYMENT_STATUS: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_SHORT_EMPLOYMENT: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_TERM_TOO_LONG: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_PURPOSE: AdverseActionReasonCode
ADVERSE_ACTION_REASON_CODE_INSUFFICIENT_DATA: AdverseActionReasonCode

class CreditApplication(_message.Message):
    __slots__ = ("application_id", "customer_id", "applicant", "requested_amount", "term_months", "purpose", "submit_time")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TERM_MONTHS_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    customer_id: str
    applicant: CreditApplicant
    requested_amount: _money_pb2.Money
    term_months: int
    purpose: CreditPurpose
    submit_time: _timestamp_pb2.Timestamp
    def __init__(self, application_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., applicant: _Optional[_Union[CreditApplicant, _Mapping]] = ..., requested_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., term_months: _Optional[int] = ..., purpose: _Optional[_Union[CreditPurpose, str]] = ..., submit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreditApplicant(_message.Message):
    __slots__ = ("annual_income", "existing_debt", "monthly_debt_payments", "employment_status", "employment_months", "housing_status", "credit_history_months", "open_credit_lines", "past_defaults", "recent_delinquencies", "age_band")
    ANNUAL_INCOME_FIELD_NUMBER: _ClassVar[int]
    EXISTING_DEBT_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_DEBT_PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    EMPLOYMENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    EMPLOYMENT_MONTHS_FIELD_NUMBER: _ClassVar[int]
    HOUSING_STATUS_FIELD_NUMBER: _ClassVar[int]
    CREDIT_HISTORY_MONTHS_FIELD_NUMBER: _ClassVar[int]
    OPEN_CREDIT_LINES_FIELD_NUMBER: _ClassVar[int]
    PAST_DEFAULTS_FIELD_NUMBER: _ClassVar[int]
    RECENT_DELINQUENCIES_FIELD_NUMBER: _ClassVar[int]
    AGE_BAND_FIELD_NUMBER: _ClassVar[int]
    annual_income: _money_pb2.Money
    existing_debt: _money_pb2.Money
    monthly_debt_payments: _money_pb2.Money
    employment_status: EmploymentStatus
    employment_months: int
    housing_status: HousingStatus
    credit_history_months: int
    open_credit_lines: int
    past_defaults: int
    recent_delinquencies: int
    age_band: AgeBand
    def __init__(self, annual_income: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., existing_debt: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., monthly_debt_payments: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., employment_status: _Optional[_Union[EmploymentStatus, str]] = ..., employment_months: _Optional[int] = ..., housing_status: _Optional[_Union[HousingStatus, str]] = ..., credit_history_months: _Optional[int] = ..., open_credit_lines: _Optional[int] = ..., past_defaults: _Optional[int] = ..., recent_delinquencies: _Optional[int] = ..., age_band: _Optional[_Union[AgeBand, str]] = ...) -> None: ...

class CreditAssessment(_message.Message):
    __slots__ = ("credit_assessment_id", "application", "probability_of_default", "score", "grade", "decision", "adverse_action_reasons", "fired_policy_rules", "policy_version", "model", "evaluate_time", "expire_time")
    CREDIT_ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_OF_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    ADVERSE_ACTION_REASONS_FIELD_NUMBER: _ClassVar[int]
    FIRED_POLICY_RULES_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    credit_assessment_id: str
    application: CreditApplication
    probability_of_default: float
    score: int
    grade: CreditGrade
    decision: CreditDecision
    adverse_action_reasons: _containers.RepeatedCompositeFieldContainer[AdverseActionReason]
    fired_policy_rules: _containers.RepeatedScalarFieldContainer[str]
    policy_version: str
    model: _model_reference_pb2.ModelReference
    evaluate_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, credit_assessment_id: _Optional[str] = ..., application: _Optional[_Union[CreditApplication, _Mapping]] = ..., probability_of_default: _Optional[float] = ..., score: _Optional[int] = ..., grade: _Optional[_Union[CreditGrade, str]] = ..., decision: _Optional[_Union[CreditDecision, str]] = ..., adverse_action_reasons: _Optional[_Iterable[_Union[AdverseActionReason, _Mapping]]] = ..., fired_policy_rules: _Optional[_Iterable[str]] = ..., policy_version: _Optional[str] = ..., model: _Optional[_Union[_model_reference_pb2.ModelReference, _Mapping]] = ..., evaluate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AdverseActionReason(_message.Message):
    __slots__ = ("code", "description", "contribution")
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    code: AdverseActionReasonCode
    description: str
    contribution: float
    def __init__(self, code: _Optional[_Union[AdverseActionReasonCode, str]] = ..., description: _Optional[str] = ..., contribution: _Optional[float] = ...) -> None: ...
