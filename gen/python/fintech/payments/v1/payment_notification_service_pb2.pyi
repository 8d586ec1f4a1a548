from fintech.common.v1 import access_pb2 as _access_pb2
from fintech.payments.v1 import webhook_pb2 as _webhook_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterWebhookEndpointRequest(_message.Message):
    __slots__ = ("customer_id", "url", "event_types", "description")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    url: str
    event_types: _containers.RepeatedScalarFieldContainer[str]
    description: str
    def __init__(self, customer_id: _Optional[str] = ..., url: _Optional[str] = ..., event_types: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ...) -> None: ...

class RegisterWebhookEndpointResponse(_message.Message):
    __slots__ = ("webhook_endpoint", "signing_secret")
    WEBHOOK_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    SIGNING_SECRET_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoint: _webhook_pb2.WebhookEndpoint
    signing_secret: str
    def __init__(self, webhook_endpoint: _Optional[_Union[_webhook_pb2.WebhookEndpoint, _Mapping]] = ..., signing_secret: _Optional[str] = ...) -> None: ...

class RetrieveWebhookEndpointRequest(_message.Message):
    __slots__ = ("webhook_endpoint_id",)
    WEBHOOK_ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoint_id: str
    def __init__(self, webhook_endpoint_id: _Optional[str] = ...) -> None: ...

class RetrieveWebhookEndpointResponse(_message.Message):
    __slots__ = ("webhook_endpoint",)
    WEBHOOK_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoint: _webhook_pb2.WebhookEndpoint
    def __init__(self, webhook_endpoint: _Optional[_Union[_webhook_pb2.WebhookEndpoint, _Mapping]] = ...) -> None: ...

class ListWebhookEndpointsRequest(_message.Message):
    __slots__ = ("customer_id", "page_size", "page_token")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    page_size: int
    page_token: str
    def __init__(self, customer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListWebhookEndpointsResponse(_message.Message):
    __slots__ = ("webhook_endpoints", "next_page_token")
    WEBHOOK_ENDPOINTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoints: _containers.RepeatedCompositeFieldContainer[_webhook_pb2.WebhookEndpoint]
    next_page_token: str
    def __init__(self, webhook_endpoints: _Optional[_Iterable[_Union[_webhook_pb2.WebhookEndpoint, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteWebhookEndpointRequest(_message.Message):
    __slots__ = ("webhook_endpoint_id",)
    WEBHOOK_ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoint_id: str
    def __init__(self, webhook_endpoint_id: _Optional[str] = ...) -> None: ...

class DeleteWebhookEndpointResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWebhookDeliveriesRequest(_message.Message):
    __slots__ = ("webhook_endpoint_id", "states", "page_size", "page_token")
    WEBHOOK_ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoint_id: str
    states: _containers.RepeatedScalarFieldContainer[_webhook_pb2.WebhookDeliveryState]
    page_size: int
    page_token: str
    def __init__(self, webhook_endpoint_id: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_webhook_pb2.WebhookDeliveryState, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListWebhookDeliveriesResponse(_message.Message):
    __slots__ = ("webhook_deliveries", "next_page_token")
    WEBHOOK_DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    webhook_deliveries: _containers.RepeatedCompositeFieldContainer[_webhook_pb2.WebhookDelivery]
    next_page_token: str
    def __init__(self, webhook_deliveries: _Optional[_Iterable[_Union[_webhook_pb2.WebhookDelivery, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RetrieveWebhookDeliveryRequest(_message.Message):
    __slots__ = ("webhook_endpoint_id", "webhook_delivery_id")
    WEBHOOK_ENDPOINT_ID_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    webhook_endpoint_id: str
    webhook_delivery_id: str
    def __init__(self, webhook_endpoint_id: _Optional[str] = ..., webhook_delivery_id: _Optional[str] = ...) -> None: ...

class RetrieveWebhookDeliveryResponse(_message.Message):
    __slots__ = ("webhook_delivery",)
    WEBHOOK_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    webhook_delivery: _webhook_pb2.WebhookDelivery
    def __init__(self, webhook_delivery: _Optional[_Union[_webhook_pb2.WebhookDelivery, _Mapping]] = ...) -> None: ...
