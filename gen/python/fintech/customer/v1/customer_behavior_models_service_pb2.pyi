import datetime

from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.common.v1 import money_pb2 as _money_pb2
from google.api import annotations_pb2 as _annotations_pb2
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

class BehaviorWindow(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BEHAVIOR_WINDOW_UNSPECIFIED: _ClassVar[BehaviorWindow]
    BEHAVIOR_WINDOW_LAST_7_DAYS: _ClassVar[BehaviorWindow]
    BEHAVIOR_WINDOW_LAST_30_DAYS: _ClassVar[BehaviorWindow]
    BEHAVIOR_WINDOW_LAST_90_DAYS: _ClassVar[BehaviorWindow]
    BEHAVIOR_WINDOW_LAST_365_DAYS: _ClassVar[BehaviorWindow]

class SpendingCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPENDING_CATEGORY_UNSPECIFIED: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_GROCERIES: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_DINING: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_TRANSPORT: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_TRAVEL: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_SHOPPING: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_HOUSING: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_UTILITIES: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_INSURANCE: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_HEALTH: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_EDUCATION: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_ENTERTAINMENT: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_GOVERNMENT: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_CASH: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_PERSON_TO_PERSON: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_INVESTMENTS: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_GAMBLING: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_CHARITY: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_OTHER: _ClassVar[SpendingCategory]
BEHAVIOR_WINDOW_UNSPECIFIED: BehaviorWindow
BEHAVIOR_WINDOW_LAST_7_DAYS: BehaviorWindow
BEHAVIOR_WINDOW_LAST_30_DAYS: BehaviorWindow
BEHAVIOR_WINDOW_LAST_90_DAYS: BehaviorWindow
BEHAVIOR_WINDOW_LAST_365_DAYS: BehaviorWindow
SPENDING_CATEGORY_UNSPECIFIED: SpendingCategory
SPENDING_CATEGORY_GROCERIES: SpendingCategory
SPENDING_CATEGORY_DINING: SpendingCategory
SPENDING_CATEGORY_TRANSPORT: SpendingCategory
SPENDING_CATEGORY_TRAVEL: SpendingCategory
SPENDING_CATEGORY_SHOPPING: SpendingCategory
SPENDING_CATEGORY_HOUSING: SpendingCategory
SPENDING_CATEGORY_UTILITIES: SpendingCategory
SPENDING_CATEGORY_INSURANCE: SpendingCategory
SPENDING_CATEGORY_HEALTH: SpendingCategory
SPENDING_CATEGORY_EDUCATION: SpendingCategory
SPENDING_CATEGORY_ENTERTAINMENT: SpendingCategory
SPENDING_CATEGORY_GOVERNMENT: SpendingCategory
SPENDING_CATEGORY_CASH: SpendingCategory
SPENDING_CATEGORY_PERSON_TO_PERSON: SpendingCategory
SPENDING_CATEGORY_INVESTMENTS: SpendingCategory
SPENDING_CATEGORY_GAMBLING: SpendingCategory
SPENDING_CATEGORY_CHARITY: SpendingCategory
SPENDING_CATEGORY_OTHER: SpendingCategory

class RetrieveBehaviorInsightsRequest(_message.Message):
    __slots__ = ("customer_id", "window", "max_counterparties")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    MAX_COUNTERPARTIES_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    window: BehaviorWindow
    max_counterparties: int
    def __init__(self, customer_id: _Optional[str] = ..., window: _Optional[_Union[BehaviorWindow, str]] = ..., max_counterparties: _Optional[int] = ...) -> None: ...

class RetrieveBehaviorInsightsResponse(_message.Message):
    __slots__ = ("behavior_insights",)
    BEHAVIOR_INSIGHTS_FIELD_NUMBER: _ClassVar[int]
    behavior_insights: BehaviorInsights
    def __init__(self, behavior_insights: _Optional[_Union[BehaviorInsights, _Mapping]] = ...) -> None: ...

class BehaviorInsights(_message.Message):
    __slots__ = ("customer_id", "window", "window_start_time", "window_end_time", "update_time", "last_event_time", "payment_count", "sufficient_history", "time_zone", "amount_statistics", "category_spending", "hour_of_day_activity", "usual_counterparties", "model_version")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    SUFFICIENT_HISTORY_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_STATISTICS_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_SPENDING_FIELD_NUMBER: _ClassVar[int]
    HOUR_OF_DAY_ACTIVITY_FIELD_NUMBER: _ClassVar[int]
    USUAL_COUNTERPARTIES_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    window: BehaviorWindow
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    last_event_time: _timestamp_pb2.Timestamp
    payment_count: int
    sufficient_history: bool
    time_zone: str
    amount_statistics: _containers.RepeatedCompositeFieldContainer[AmountStatistics]
    category_spending: _containers.RepeatedCompositeFieldContainer[CategorySpending]
    hour_of_day_activity: _containers.RepeatedCompositeFieldContainer[HourOfDayActivity]
    usual_counterparties: _containers.RepeatedCompositeFieldContainer[UsualCounterparty]
    model_version: str
    def __init__(self, customer_id: _Optional[str] = ..., window: _Optional[_Union[BehaviorWindow, str]] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payment_count: _Optional[int] = ..., sufficient_history: _Optional[bool] = ..., time_zone: _Optional[str] = ..., amount_statistics: _Optional[_Iterable[_Union[AmountStatistics, _Mapping]]] = ..., category_spending: _Optional[_Iterable[_Union[CategorySpending, _Mapping]]] = ..., hour_of_day_activity: _Optional[_Iterable[_Union[HourOfDayActivity, _Mapping]]] = ..., usual_counterparties: _Optional[_Iterable[_Union[UsualCounterparty, _Mapping]]] = ..., model_version: _Optional[str] = ...) -> None: ...

class AmountStatistics(_message.Message):
    __slots__ = ("currency_code", "payment_count", "total_amount", "median_amount", "p90_amount", "max_amount")
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    P90_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MAX_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    currency_code: str
    payment_count: int
    total_amount: _money_pb2.Money
    median_amount: _money_pb2.Money
    p90_amount: _money_pb2.Money
    max_amount: _money_pb2.Money
    def __init__(self, currency_code: _Optional[str] = ..., payment_count: _Optional[int] = ..., total_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., median_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., p90_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., max_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class CategorySpending(_message.Message):
    __slots__ = ("category", "payment_count", "payment_share", "total_amounts")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_SHARE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    category: SpendingCategory
    payment_count: int
    payment_share: float
    total_amounts: _containers.RepeatedCompositeFieldContainer[_money_pb2.Money]
    def __init__(self, category: _Optional[_Union[SpendingCategory, str]] = ..., payment_count: _Optional[int] = ..., payment_share: _Optional[float] = ..., total_amounts: _Optional[_Iterable[_Union[_money_pb2.Money, _Mapping]]] = ...) -> None: ...

class HourOfDayActivity(_message.Message):
    __slots__ = ("hour", "payment_count", "payment_share", "total_amounts")
    HOUR_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_SHARE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    hour: int
    payment_count: int
    payment_share: float
    total_amounts: _containers.RepeatedCompositeFieldContainer[_money_pb2.Money]
    def __init__(self, hour: _Optional[int] = ..., payment_count: _Optional[int] = ..., payment_share: _Optional[float] = ..., total_amounts: _Optional[_Iterable[_Union[_money_pb2.Money, _Mapping]]] = ...) -> None: ...

class UsualCounterparty(_message.Message):
    __slots__ = ("counterparty_key", "counterparty_account_id", "masked_account_identifier", "usual_category", "payment_count", "median_amount", "total_amounts", "first_payment_time", "last_payment_time")
    COUNTERPARTY_KEY_FIELD_NUMBER: _ClassVar[int]
    COUNTERPARTY_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    MASKED_ACCOUNT_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    USUAL_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    FIRST_PAYMENT_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_PAYMENT_TIME_FIELD_NUMBER: _ClassVar[int]
    counterparty_key: str
    counterparty_account_id: str
    masked_account_identifier: str
    usual_category: SpendingCategory
    payment_count: int
    median_amount: _money_pb2.Money
    total_amounts: _containers.RepeatedCompositeFieldContainer[_money_pb2.Money]
    first_payment_time: _timestamp_pb2.Timestamp
    last_payment_time: _timestamp_pb2.Timestamp
    def __init__(self, counterparty_key: _Optional[str] = ..., counterparty_account_id: _Optional[str] = ..., masked_account_identifier: _Optional[str] = ..., usual_category: _Optional[_Union[SpendingCategory, str]] = ..., payment_count: _Optional[int] = ..., median_amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., total_amounts: _Optional[_Iterable[_Union[_money_pb2.Money, _Mapping]]] = ..., first_payment_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_payment_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
